"""Pydantic models at every boundary: the parsed plan, index chunks, answers and eval reports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# ---------------------------------------------------------------- parsed plan


class Span(BaseModel):
    """Character offsets [start, end) into the source file's decoded text."""

    start: int
    end: int


class Paragraph(BaseModel):
    kind: Literal["paragraph"] = "paragraph"
    text: str
    span: Span
    lead: str | None = None  # the paragraph's lead phrase, e.g. "提升发展生活性服务业"


class Box(BaseModel):
    """A 专栏 box: a titled list of numbered items."""

    kind: Literal["box"] = "box"
    title: str  # without the "专栏:" prefix
    span: Span  # heading + items
    items: list[Paragraph] = Field(default_factory=list)


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
    number: int  # 0 = 序言
    title: str
    span: Span | None = None
    sections: list[Section] = Field(default_factory=list)


class Document(BaseModel):
    id: str
    title: str
    issuer: str | None = None
    year: str | None = None
    source_path: str
    chapters: list[Chapter] = Field(default_factory=list)


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
    chapter: int
    chapter_title: str
    section: int | None
    section_title: str | None
    box: str | None = None
    block_index: int
    lead: str | None = None
    sentences: list[Sentence] = Field(default_factory=list)

    @property
    def path(self) -> str:
        return section_path(self.chapter, self.chapter_title, self.section, self.section_title)


def chapter_label(number: int) -> str:
    return "序言" if number == 0 else f"第{_cn(number)}章"


def section_label(number: int) -> str:
    return f"第{_cn(number)}节"


def section_path(chapter: int, chapter_title: str, section: int | None, section_title: str | None) -> str:
    head = "序言" if chapter == 0 else f"{chapter_label(chapter)} {chapter_title}"
    if section is None:
        return head
    return f"{head} › {section_label(section)} {section_title}"


_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """Small Chinese numeral (1..99), as plan headings write them."""
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
    chapter: int
    section: int | None
    box: str | None = None
    path: str
    quote: str
    start: int
    end: int
    doc_id: str | None = None


class Retrieved(BaseModel):
    chapter: int
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


# ---------------------------------------------------------------- evaluation


class EvalItem(BaseModel):
    id: str
    question: str
    history: list[str] = Field(default_factory=list)
    answerable: bool
    must_include: list[str] = Field(default_factory=list)
    any_of: list[list[str]] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    kind: str
