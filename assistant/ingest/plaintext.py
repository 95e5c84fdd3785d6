"""Plain text and Markdown → text: decoding, and Markdown's markup off the lines."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import IngestError

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LIST = re.compile(r"^\s*[-*+]\s+")


def read_plain(path: Path) -> str:
    data = path.read_bytes()
    # Chinese offices still save GB18030 text; UTF-8 (with or without a BOM) first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{path.name}: the text is neither UTF-8 nor GB18030")


def markdown_to_text(text: str) -> str:
    """"## 第三章 …" → "第三章 …": the parser reads headings from the words, not from '#'."""
    out = []
    for line in text.splitlines():
        line = _MD_LIST.sub("", _MD_HEADING.sub("", line))
        out.append(_MD_EMPHASIS.sub(r"\2", line))
    return "\n".join(out)


def extract_markdown(path: Path) -> str:
    return markdown_to_text(read_plain(path))
