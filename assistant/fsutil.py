"""Crash-safe file writes shared by the index (pointer, manifests) and the corpus (added plans)."""

from __future__ import annotations

import os
from pathlib import Path

TMP_SUFFIX = ".tmp"


def atomic_write(path: Path, text: str) -> None:
    """Write beside the target, fsync, then rename: a reader (or a kill -9) sees the old file or the new one."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    # The temp name ends in .tmp, so globs for *.txt / *.json never pick up a half-written file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` survive a power cut."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
