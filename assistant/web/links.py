"""Link targets the page sends back to the server: `#open:cite:…` (a citation) and `#open:sec:…` (a section).

They come from the browser, so parse_target() accepts anything and returns None for what it cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..models import Citation

OPEN_PREFIX = "#open:"


@dataclass(frozen=True)
class Target:
    """What the reader should show: a section, optionally with a highlighted span or a focused block."""

    doc_id: str
    chapter: int | None  # None: a 篇's own text (its part number in `part`)
    section: int | None
    start: int | None = None
    end: int | None = None
    block: int | None = None
    part: int | None = None


def chapter_key(chapter: int | None, part: int | None) -> str:
    """"7", or "P3" for the 篇 3's own text, in the reader's link targets."""
    return f"P{part}" if chapter is None else str(chapter)


def section_key(section: int | None) -> str:
    return "-" if section is None else str(section)


def cite_target(c: Citation, default_doc: str) -> str:
    doc = quote(c.doc or default_doc, safe="")
    return f"cite:{doc}:{chapter_key(c.chapter, c.part)}:{section_key(c.section)}:{c.start}:{c.end}"


def section_target(doc_id: str, chapter: int | None, part: int | None, section: int | None,
                   block: int | None = None) -> str:
    suffix = "" if block is None else f":b{block}"
    return f"sec:{quote(doc_id, safe='')}:{chapter_key(chapter, part)}:{section_key(section)}{suffix}"


def parse_target(raw: str) -> Target | None:
    """`cite:doc:ch:sec:start:end` or `sec:doc:ch:sec[:bN]`; anything else (it comes from the browser) is None."""
    parts = raw.removeprefix(OPEN_PREFIX).split(":")
    try:
        kind, doc, sec = parts[0], unquote(parts[1]), parts[3]
        part = int(parts[2][1:]) if parts[2].startswith("P") else None
        ch = None if part is not None else int(parts[2])
        section = None if sec == "-" else int(sec)
        if kind == "cite" and len(parts) == 6:
            return Target(doc, ch, section, start=int(parts[4]), end=int(parts[5]), part=part)
        if kind == "sec" and len(parts) == 4:
            return Target(doc, ch, section, part=part)
        if kind == "sec" and len(parts) == 5 and parts[4].startswith("b"):
            return Target(doc, ch, section, block=int(parts[4][1:]), part=part)
    except (IndexError, ValueError):
        return None
    return None


_DEEP_LINK = re.compile(r"^(?:(?P<doc>[^:]+):)?(?P<ch>P?\d{1,3})(?:\.(?P<sec>\d{1,3}))?$")


def parse_deep_link(raw: str, default_doc: str) -> Target | None:
    """A page address's `#7.3`, `?open=7.3`, `?open=<doc>:7.3` or `P2` (a 篇): the section it names.

    Without a section number it names the whole chapter (the reader opens its first part)."""
    m = _DEEP_LINK.match(unquote(raw or "").strip().lstrip("#"))
    if not m or not (m["doc"] or default_doc):
        return None
    ch = m["ch"]
    part = int(ch[1:]) if ch.startswith("P") else None
    return Target(m["doc"] or default_doc, None if part is not None else int(ch),
                  int(m["sec"]) if m["sec"] else None, part=part)
