"""Grounding: every reply quotes the plan with exact offsets, and states no number its quotes lack."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Chunk, Citation, box_label
from ..text import normalise
from .labels import label

NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# How a generated reply points at its numbered evidence: "[1]", "[1][3]", "[1,2]", also full-width brackets.
MARK_RE = re.compile(r"\s*[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")


def citation(chunk: Chunk, start: int, end: int, source: str, plan: str | None = None) -> Citation:
    """A quote of source[start:end] with the chunk's location; `plan` names the plan in the label."""
    return Citation(
        doc=chunk.doc_id,
        part=chunk.part,
        chapter=chunk.chapter,
        section=chunk.section,
        box=box_label(chunk.box) if chunk.box else None,
        path=chunk.path,
        quote=source[start:end],
        start=start,
        end=end,
        label=label(chunk.chapter, chunk.chapter_title, chunk.section, chunk.section_title, chunk.box,
                    chunk.part, plan, picture=chunk.image is not None, in_part=chunk.in_part),
        plan=plan,
        image=chunk.image.file if chunk.image else None,
        region=chunk.image.region if chunk.image else None,
        ocr_conf=chunk.image.conf if chunk.image else None,
    )


def numbers_supported(reply: str, quotes: Sequence[str]) -> bool:
    """Every number stated in the reply occurs, as a whole number, in one of its cited quotes."""
    quoted = {n for q in quotes for n in NUMBER_RE.findall(normalise(q))}
    return all(n in quoted for n in NUMBER_RE.findall(normalise(reply)))


def marks(reply: str) -> list[int]:
    """The evidence numbers a reply cites, in order of first mention."""
    found = (int(n) for m in MARK_RE.finditer(reply) for n in re.findall(r"\d+", m.group(1)))
    return list(dict.fromkeys(found))


_OPEN_MARK_RE = re.compile(r"\s*[\[【][\d\s,，、]*$")


def strip_marks(reply: str, partial: bool = False) -> str:
    """The reply as the reader sees it: the citations become chips, and "[1]" must not count as a figure.
    `partial`: the reply is still arriving, so a trailing "[1" is a mark not yet closed."""
    text = MARK_RE.sub("", reply)
    return (_OPEN_MARK_RE.sub("", text) if partial else text).strip()


def short_label(c: Citation) -> str:
    """"第七章 第三节" (after the plan's name when several are loaded): a pointer, not a title."""
    return label(c.chapter, "", c.section, "", None, c.part, c.plan).strip()


def refusal_text(english: bool, reason: str | None, related: Sequence[Citation]) -> str:
    """"The plan does not say", why when we know, and where related text stands."""
    where = "；".join(dict.fromkeys(short_label(r) for r in related))
    head = "The plan does not say. " if english else ""
    text = f"{head}规划中没有找到能回答这个问题的内容" + (f"（{reason}）" if reason else "") + "。"
    if where:
        text += f"相关内容可参阅：{where}。"
    return text
