"""Plain text and Markdown versions of replies: what the copy button and 导出对话 give, never HTML."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..text import clean
from ..answer.grounding import short_label
from ..models import Answer, Citation, box_label
from ..pictures import LOW_CONFIDENCE

_BOX_PREFIX = re.compile(r"^\s*专栏\s*(?:[:：]\s*|(?=\d))")
# A PDF writes a unit's exponent as a separate glyph: "1000 元/ m 2" is 元/m² in the printed plan.
_UNIT_POWER = re.compile(r"/\s*(k?m)\s*([23])(?![0-9])(?:\s+(?=[,.;:，。；：、)）]))?")
_POWERS = {"2": "²", "3": "³"}


def display_text(raw: str) -> str:
    """Plan text as a reader sees it: PDF spaces dropped, unit exponents repaired. Display only: offsets
    into the source stay those of the raw text."""
    return _UNIT_POWER.sub(lambda m: f"/{m[1]}{_POWERS[m[2]]}", clean(raw))


def citation_label(c: Citation, picture: bool = True) -> str:
    """"第七章 第三节 · 专栏:…", then " · 图片识别" for a quote read from a picture (unless `picture` is
    False: the page's chip says so with a badge), and "（请核对原图）" when the reading is unsure."""
    label = short_label(c)
    box = _BOX_PREFIX.sub("", c.box or "")  # the chain may or may not keep the "专栏:" prefix
    label = f"{label} · {box_label(box)}" if box else label
    if picture and c.image:
        unsure = c.ocr_conf is not None and c.ocr_conf < LOW_CONFIDENCE
        label += " · 图片识别" + ("（请核对原图）" if unsure else "")
    return label


def unique(citations: list[Citation]) -> list[Citation]:
    seen: set[tuple] = set()
    out = []
    for c in citations:
        key = (c.doc, c.start, c.end)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def reply_sources(answer: Answer) -> tuple[str, list[Citation]]:
    """The heading and the places a reply points to: its citations, or the related reading when not found."""
    if answer.found:
        return "出处", unique(answer.citations)
    return "可以参考规划中的这些内容", unique(answer.related)


# A list the plan numbers itself (1. / （1） / 一是), after "：" or "；" or at the start: the markers
# must count up from one, or they are figures of the text, not a list.
_ITEM = re.compile(r"(?:(?<=^)|(?<=[：:；;。]))\s*(?:(\d{1,2})[.．、]|（(\d{1,2})）|([一二三四五六七八九十])是)")
_CN_DIGITS = "一二三四五六七八九十"


def list_parts(text: str) -> tuple[str, list[str], str] | None:
    """(intro, items, tail) when `text` holds a numbered list of two items or more, else None. The tail is
    what follows the last item's "。" (the reply's place in brackets)."""
    marks = []
    for m in _ITEM.finditer(text):
        n = int(m.group(1) or m.group(2)) if (m.group(1) or m.group(2)) else _CN_DIGITS.index(m.group(3)) + 1
        if n == len(marks) + 1:
            marks.append(m)
    if len(marks) < 2:
        return None
    items = [text[a.end():b.start()].strip().rstrip("；;") for a, b in zip(marks, marks[1:])]
    last, dot, tail = text[marks[-1].end():].partition("。")
    return text[:marks[0].start()].strip(), [*items, last.strip().rstrip("；;")], tail.strip() if dot else ""


def reply_lines(text: str) -> list[str]:
    """The reply's text as lines: a numbered list one item a line ("1. …"), as staff read it."""
    parts = list_parts(text)
    if parts is None:
        return [text]
    intro, items, tail = parts
    return [x for x in (intro, *(f"{n}. {item}" for n, item in enumerate(items, 1)), tail) if x]


def plain_text(answer: Answer) -> str:
    """The reply as the copy button gives it: the answer (a list one item a line), then each place with
    its quote."""
    heading, places = reply_sources(answer)
    lines = reply_lines(answer.answer)
    if places:
        lines.append(f"{heading}：")
        for c in places:
            lines.append(f"- {citation_label(c)}（{c.path}）")
            lines.append(f"  「{display_text(c.quote)}」")
    return "\n".join(lines)


def conversation_markdown(title: str, turns: list[dict[str, Any]], now: datetime | None = None) -> str:
    """The chat as Markdown, every citation written out with its label, path, quote and source offsets."""
    stamp = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    out = [f"# {title} · 对话记录", "", f"导出时间：{stamp}", ""]
    for i, turn in enumerate(turns, 1):
        answer = Answer.model_validate(turn["answer"])
        heading, places = reply_sources(answer)
        out += [f"## {i}. 问：{_md_line(answer.question)}", "", _md_line(answer.answer), ""]
        if places:
            out += [f"**{heading}**", ""]
            for n, c in enumerate(places, 1):
                out.append(f"{n}. {citation_label(c)} — {c.path}（原文第 {c.start}–{c.end} 字，文件 {c.doc or ''}）")
                out.append(f"   > {_md_line(display_text(c.quote))}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md_line(text: str) -> str:
    # One paragraph per field: a line break in a quote would otherwise end the list item or the blockquote.
    return " ".join(text.split())
