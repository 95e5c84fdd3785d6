"""Small helpers shared by test modules (pytest puts this folder on sys.path)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
