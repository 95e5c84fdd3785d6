"""Plain text and Markdown → text: decoding, Markdown's markup off the lines, its pictures found."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ..parsing import CHAPTER_RE, PART_RE, SECTION_RE
from .errors import IngestError
from .extracted import Extracted, Picture

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LIST = re.compile(r"^\s*[-*+]\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
# ![alt](path), ![alt](<path with spaces>), ![alt](path "title"). A bare path with spaces ("图 1.png",
# as editors write it) is taken whole: before, it stayed in the text as "![](图 1.png)", and the
# <…> form lost its path to _HTML_TAG, leaving "![]()"; either way the picture vanished unwarned.
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(?:<([^>\n]+)>|([^)\"\n]*?[^)\s\"]))(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_PICTURE_EXTS = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


def read_plain(path: Path) -> str:
    data = path.read_bytes()
    # Chinese offices still save GB18030 text; UTF-8 (with or without a BOM) first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{path.name}: the text is neither UTF-8 nor GB18030")


def extract_plain(path: Path) -> Extracted:
    return Extracted(read_plain(path))


def _is_heading(line: str) -> bool:
    return any(r.match(line) for r in (PART_RE, CHAPTER_RE, SECTION_RE))


def markdown_to_text(text: str, picture=None) -> str:
    """"## 第三章 …" → "第三章 …": the parser reads headings from the words, not from '#'.

    `picture(src)` returns the line that stands for an image link (default: the link is dropped).
    """
    text = _HTML_COMMENT.sub("", _FRONT_MATTER.sub("", text.replace("\r\n", "\n")))
    out = []
    for line in text.splitlines():
        listed = _MD_LIST.match(line)
        line = _MD_LIST.sub("", _MD_HEADING.sub("", _MD_QUOTE.sub("", line)))
        line = _MD_EMPHASIS.sub(r"\2", line)
        if listed and _is_heading(line):
            continue  # a heading in a list is a table-of-contents entry; the heading itself comes later
        srcs = [a or b for a, b in _MD_IMAGE.findall(line)] + _HTML_IMAGE.findall(line)
        line = _HTML_TAG.sub("", _HTML_IMAGE.sub("", _MD_IMAGE.sub("", line)))
        if line.strip() or not srcs:
            out.append(line)
        if picture is not None:
            out.extend(picture(src) for src in srcs)
    return "\n".join(out)


def local_picture(folder: Path, src: str) -> Picture:
    """The picture a link names, only from inside the document's own folder."""
    name = unquote(src.split("#", 1)[0].split("?", 1)[0])
    ext = Path(name).suffix.lower()
    if re.match(r"^[a-z][a-z0-9+.-]*:", name, re.I) or name.startswith(("/", "\\")):
        return Picture(src, error="the link points outside the plan's folder (a web address or an absolute path)")
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        return Picture(src, error="the link points outside the plan's folder")
    if ext not in _PICTURE_EXTS:
        return Picture(src, error=f"not a picture file ({ext or 'no extension'})")
    if not target.is_file():
        return Picture(src, error="no such file beside the plan")
    return Picture(src, data=target.read_bytes(), ext=".jpg" if ext == ".jpeg" else ext)


def extract_markdown(path: Path) -> Extracted:
    out = Extracted("")
    out.text = markdown_to_text(read_plain(path), lambda src: out.add(local_picture(path.parent, src)))
    return out
