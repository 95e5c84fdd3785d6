"""Pydantic models at every boundary: the parsed plan, index chunks, answers and eval reports."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

# ---------------------------------------------------------------- parsed plan


class Span(BaseModel):
    """Character offsets [start, end) into the source file's decoded text."""

    start: int
    end: int


class ImageRef(BaseModel):
    """Where text read from a picture came from: the picture kept beside the plan, and the region."""

    file: str  # "<plan id>.images/<hash>.jpg", relative to the corpus folder
    region: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 in the picture's pixels
    conf: float | None = None  # OCR's lowest confidence over the line
    table: bool = False  # the line is a row of a table picture


class Paragraph(BaseModel):
    kind: Literal["paragraph"] = "paragraph"
    text: str
    span: Span
    lead: str | None = None  # the paragraph's lead phrase, e.g. "提升发展生活性服务业"
    image: ImageRef | None = None  # set when the text was read from a picture


class Box(BaseModel):
    """A 专栏 box: a titled list of numbered items."""

    kind: Literal["box"] = "box"
    title: str  # without the "专栏:" prefix; "10 交通建设重点工程" for a numbered 专栏
    span: Span  # heading + items
    items: list[Paragraph] = Field(default_factory=list)
    image: str | None = None  # the picture the box was read from


class Table(BaseModel):
    """A table title whose rows the PDF extraction lost: kept so the structure is honest, never indexed."""

    kind: Literal["table"] = "table"
    title: str
    span: Span


Block = Paragraph | Box | Table


class Section(BaseModel):
    number: int | None  # None: chapter text that belongs to no 第N节
    title: str
    span: Span | None = None  # the heading line; None for the implicit chapter-level section
    blocks: list[Block] = Field(default_factory=list)


class Chapter(BaseModel):
    """A 第N章 (numbered through the whole document), 0 for the text before the first 篇/章, or None for a
    第N篇's own heading and intro text outside its chapters."""

    number: int | None
    title: str
    part: int | None = None  # the 篇 it stands in; None in a plan without 篇
    span: Span | None = None
    sections: list[Section] = Field(default_factory=list)
    in_part: bool = False  # numbered afresh in its 篇 (第二篇 第一章): named and cited with the 篇
    appendix: bool = False  # 附录 / 名词解释 after the chapters (number None, part None)


class Part(BaseModel):
    """A 第N篇 heading: the level above the chapters in national and provincial outlines."""

    number: int
    title: str
    span: Span


class Profile(BaseModel):
    """What a plan is, derived from its title and text (profile.py), overridable in its metadata JSON."""

    short_name: str  # "某区十四五", "国家十三五": names the plan in labels when several are loaded
    place: str | None = None  # the most specific place in the title ("某区"); "全国" for a national plan
    level: str | None = None  # 国家 / 省 / 市 / 区县
    period: str | None = None  # "十四五"
    period_number: int | None = None  # 14
    start_year: int | None = None
    target_year: int | None = None  # the year the plan's targets are for, unless a sentence says otherwise
    vision_year: int | None = None  # 远景目标 year, e.g. 2035


class Document(BaseModel):
    id: str
    title: str
    issuer: str | None = None
    year: str | None = None
    source_path: str
    parts: list[Part] = Field(default_factory=list)
    chapters: list[Chapter] = Field(default_factory=list)
    profile: Profile | None = None


# ---------------------------------------------------------------- index


class Sentence(BaseModel):
    text: str
    start: int
    end: int


class Chunk(BaseModel):
    """One retrievable unit: a paragraph or a 专栏 item. Never crosses a 节 or 专栏 boundary."""

    id: str
    doc_id: str
    text: str
    start: int
    end: int
    part: int | None = None
    part_title: str | None = None
    chapter: int | None  # None: a 篇's own text
    chapter_title: str
    section: int | None
    section_title: str | None
    box: str | None = None
    image: ImageRef | None = None  # text read from a picture
    in_part: bool = False  # its chapter is numbered within its 篇
    block_index: int
    lead: str | None = None
    sentences: list[Sentence] = Field(default_factory=list)

    @property
    def path(self) -> str:
        return section_path(self.chapter, self.chapter_title, self.section, self.section_title, self.part,
                            self.in_part)


def chapter_label(number: int) -> str:
    return "序言" if number == 0 else f"第{cn_numeral(number)}章"


def section_label(number: int) -> str:
    return f"第{cn_numeral(number)}节"


def part_label(number: int) -> str:
    return f"第{cn_numeral(number)}篇"


def box_label(box: str) -> str:
    """"专栏:民生保障重点项目", or "专栏10 交通建设重点工程" for a numbered box (as read from its picture)."""
    return f"专栏{box}" if box[:1].isdigit() else f"专栏:{box}"


def box_title(box: str) -> str:
    """The 专栏's own title, without the number a box read from its picture carries ("10 交通建设重点工程")."""
    return re.sub(r"^\s*\d+\s*", "", box)


def section_path(chapter: int | None, chapter_title: str, section: int | None, section_title: str | None,
                 part: int | None = None, in_part: bool = False) -> str:
    if chapter is None:  # a 篇's own text: chapter_title is the 篇's title
        return f"{part_label(part)} {chapter_title}" if part is not None else chapter_title
    head = "序言" if chapter == 0 else f"{chapter_label(chapter)} {chapter_title}"
    head = f"{part_label(part)} {head}" if in_part and part is not None else head
    if section is None:
        return head
    return f"{head} › {section_label(section)} {section_title}"


_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """Small Chinese numeral (1..199), as plan headings write them."""
    if n >= 100:
        return "一百" + ("" if n == 100 else ("零" + _DIGITS[n - 100] if n < 110 else cn_numeral(n - 100)))
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


class Hit(BaseModel):
    """A retrieved chunk with its fused score."""

    chunk: Chunk
    score: float


# ---------------------------------------------------------------- answers


class Citation(BaseModel):
    doc: str | None = None  # the plan's id (corpus file stem)
    part: int | None = None  # 篇
    chapter: int | None  # None: a 篇's own text
    section: int | None
    box: str | None = None
    path: str
    quote: str
    start: int
    end: int
    label: str = ""  # how the reply names the place: "国家十三五 · 第七章 第三节 …" when several plans are loaded
    plan: str | None = None  # the plan's short name, set when several plans are loaded
    image: str | None = None  # the picture the quote was read from ("<id>.images/<hash>.jpg")
    region: tuple[float, float, float, float] | None = None  # its place in the picture (pixels)
    ocr_conf: float | None = None  # OCR's confidence in the quote's line


class Retrieved(BaseModel):
    doc: str | None = None
    part: int | None = None
    chapter: int | None
    section: int | None
    score: float


class Answer(BaseModel):
    question: str
    history: list[str] = Field(default_factory=list)
    rewritten_query: str
    answer: str
    found: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)  # offered as reading when found is false
    retrieved: list[Retrieved] = Field(default_factory=list)
    latency_ms: float = 0.0
    trace: dict | None = None  # how the answer was decided (candidate scores, verdicts, refusal reason)


# ---------------------------------------------------------------- evaluation


class EvalItem(BaseModel):
    id: str
    question: str
    history: list[str] = Field(default_factory=list)
    answerable: bool
    must_include: list[str] = Field(default_factory=list)
    any_of: list[list[str]] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    doc: str | None = None  # the plan the gold locations belong to
    kind: str
