"""Plan text → Document: preface, 第N篇, 第N章, 第N节, 专栏 boxes and paragraphs, every block with its source offsets.

Hand-written on purpose: no library knows the layout of a Chinese plan extracted from PDF (headings glued
to titles, 专栏 headings starting mid-line, chapters without sections, 篇 above chapters numbered through
the whole document, or plans headed 一、 / （一） instead of 第N章 / 第N节).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .text import clean
from .models import Box, Chapter, Document, ImageRef, Paragraph, Part, Section, Span, Table
from .pictures import END_RE as PICTURE_END_RE, START_RE as PICTURE_START_RE, PictureRecord, line_index

_CN_NUM = r"[零〇一二三四五六七八九十百]+"
PART_RE = re.compile(rf"^\s*第\s*({_CN_NUM})\s*篇\s*(.{{0,60}}?)\s*$")
CHAPTER_RE = re.compile(rf"^\s*第\s*({_CN_NUM})\s*章\s*(.{{0,60}}?)\s*$")
SECTION_RE = re.compile(rf"^\s*第\s*({_CN_NUM})\s*节\s*(.{{1,60}}?)\s*$")
# Plans without 第N章 headings number their chapters 一、 and their sections （一）; such a heading is a
# short line with no sentence end (a line "一、…。" is an enumerated paragraph).
ENUM_CHAPTER_RE = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、．.]\s*([^。；;]{1,40}?)\s*$")
ENUM_SECTION_RE = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*([^。；;]{1,40}?)\s*$")
# A line made of a rule only ("---", "＊＊＊") separates the title from the text.
RULE_RE = re.compile(r"^\s*[-—=＊*_]{3,}\s*$")
PREFACE_RE = re.compile(r"^\s*(序\s*言|前\s*言)\s*$")
BOX_RE = re.compile(r"专栏\s*[:：]\s*")
# A 专栏 printed as a box (and read from its picture) is titled "专栏10 交通建设重点工程".
NUMBERED_BOX_RE = re.compile(r"^\s*专栏\s*(\d{1,3})\s*([^。；;]{0,60}?)\s*$")
ITEM_RE = re.compile(r"^\s*(\d{1,2})\s*[\.．、]\s*")
# A bold lead phrase ends with "。" and the PDF leaves a space on one side of it: "提升发展生活性服务业 。坚持…".
LEAD_RE = re.compile(r"^\s*([^。；;:：\d][^。；;:：]{1,38}?)(?:\s+。\s*|。\s+)")
ITEM_LEAD_RE = re.compile(r"^\s*([^。；;:：]{2,30}?)\s*[:：。]")
CAPTION_PUNCT = re.compile(r"[。；;:：,，、!！?？]")


class PlanParseError(ValueError):
    """The file cannot be parsed; the message names the file and the place."""


def cn_to_int(s: str) -> int:
    """Chinese numerals as used in headings (一 … 一百九十九)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    if "百" in s:
        hundreds, _, rest = s.partition("百")
        rest = rest.lstrip("零〇")
        return (digits[hundreds] if hundreds else 1) * 100 + (cn_to_int(rest) if rest else 0)
    if "十" not in s:
        value = 0
        for c in s:
            value = value * 10 + digits[c]
        return value
    tens, _, ones = s.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PlanParseError(f"{path}: not valid UTF-8 at byte offset {e.start} ({e.reason})") from None
    return text  # a BOM stays in the text (offsets must match the file) and _trim keeps it out of blocks


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, without its newline."""
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        yield pos, pos + len(body)
        pos += len(line)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\u3000\ufeff":
        start += 1
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return start, end


def _paragraph(text: str, start: int, end: int, item: bool = False) -> Paragraph | None:
    start, end = _trim(text, start, end)
    if start >= end:
        return None
    body = text[start:end]
    # A 专栏 item names its project before a colon: "环卫机械化水平提升工程:购置更新…".
    m = (ITEM_LEAD_RE if item else LEAD_RE).match(body)
    lead = re.sub(r"\s+", "", m.group(1)) if m else None
    return Paragraph(text=body, span=Span(start=start, end=end), lead=lead)


def _title(text: str) -> str:
    """Heading text: a separator such as "发展质效 着力打造" is kept, as one space."""
    return re.sub(r"\s+", " ", text).strip()


class _Builder:
    """Accumulates blocks under the current chapter and section while lines stream past."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.box: Box | None = None
        self.picture: str | None = None  # the picture whose text the lines are, between its markers

    @property
    def chapter(self) -> Chapter:
        if not self.doc.chapters:
            # Body text before any heading: a document-level chapter 0.
            self.doc.chapters.append(Chapter(number=0, title="序言"))
        return self.doc.chapters[-1]

    @property
    def part(self) -> int | None:
        return self.doc.parts[-1].number if self.doc.parts else None

    def start_part(self, number: int, title: str, span: Span) -> None:
        """A 篇's heading and intro text form a chapter-less unit (chapter None) of their own."""
        self.box = None
        self.doc.parts.append(Part(number=number, title=title, span=span))
        self.doc.chapters.append(Chapter(number=None, title=title, part=number, span=span))

    @property
    def section(self) -> Section:
        chapter = self.chapter
        if not chapter.sections:
            chapter.sections.append(Section(number=None, title=""))
        return chapter.sections[-1]

    def start_chapter(self, number: int, title: str, span: Span | None) -> None:
        self.box = None
        part = self.part if number != 0 else None
        self.doc.chapters.append(Chapter(number=number, title=title, part=part, span=span))

    def start_section(self, number: int, title: str, span: Span) -> None:
        self.box = None
        chapter = self.chapter
        if chapter.sections and chapter.sections[-1].number is None and not chapter.sections[-1].blocks:
            chapter.sections.pop()
        chapter.sections.append(Section(number=number, title=title, span=span))

    def add_paragraph(self, para: Paragraph | None) -> None:
        if para is not None:
            self.box = None
            self.section.blocks.append(para)

    def start_box(self, title: str, span: Span) -> None:
        self.box = Box(title=title, span=span)
        self.section.blocks.append(self.box)

    def add_item(self, para: Paragraph) -> None:
        assert self.box is not None
        self.box.items.append(para)
        self.box.span = Span(start=self.box.span.start, end=para.span.end)

    def add_table(self, title: str, span: Span) -> None:
        self.box = None
        self.section.blocks.append(Table(title=title, span=span))


def _heading_rules(text: str, lines: list[tuple[int, int]]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """第N章 / 第N节 where the plan has them; else 一、 / （一） when at least two such chapter lines exist."""
    if any(CHAPTER_RE.match(text[s:e]) for s, e in lines):
        return CHAPTER_RE, SECTION_RE
    if sum(1 for s, e in lines if ENUM_CHAPTER_RE.match(text[s:e])) >= 2:
        return ENUM_CHAPTER_RE, ENUM_SECTION_RE
    return CHAPTER_RE, SECTION_RE


def _is_title_line(line: str) -> bool:
    """A title, issuer or date line above the text: short, no sentence punctuation."""
    stripped = line.strip()
    return len(stripped) <= 80 and not re.search(r"[。；;！？!?]", stripped)


def _from_picture(para: Paragraph | None, file: str, lines: dict, table: bool) -> Paragraph | None:
    if para is not None:
        line = lines.get(re.sub(r"\s+", "", para.text))
        para.image = ImageRef(file=file, region=line.region if line else None, conf=line.conf if line else None,
                              table=table and line is not None)
    return para


def parse_text(text: str, doc_id: str, source_path: str = "", title: str | None = None,
               pictures: dict[str, PictureRecord] | None = None, **meta: str | None) -> Document:
    """`pictures`: the records of the plan's pictures (pictures.py), which give lines read from a
    picture their region and confidence."""
    doc = Document(id=doc_id, title=title or doc_id, source_path=source_path, **meta)
    b = _Builder(doc)
    pictures = pictures or {}
    picture_lines: dict = {}
    picture_table = False
    lines = [(s, e) for s, e in _lines(text)]
    chapter_re, section_re = _heading_rules(text, lines)
    has_headings = any(
        PREFACE_RE.match(text[s:e]) or chapter_re.match(text[s:e]) or PART_RE.match(text[s:e]) for s, e in lines
    )
    in_title = has_headings  # the short lines above the text are the document's title lines
    title_lines: list[str] = []

    for s, e in lines:
        line = text[s:e]
        if not line.strip():
            continue
        if m := PICTURE_START_RE.match(line):
            b.box, b.picture = None, m.group(1)
            picture_lines = line_index(pictures[b.picture]) if b.picture in pictures else {}
            picture_table = b.picture in pictures and pictures[b.picture].kind == "table"
            continue
        if PICTURE_END_RE.match(line):
            b.box, b.picture = None, None
            continue
        if m := PREFACE_RE.match(line):
            in_title = False
            b.start_chapter(0, "序言", Span(start=s, end=e))
            continue
        if m := PART_RE.match(line):
            in_title = False
            b.start_part(cn_to_int(m.group(1)), _title(m.group(2)), Span(start=s, end=e))
            continue
        if m := chapter_re.match(line):
            in_title = False
            b.start_chapter(cn_to_int(m.group(1)), _title(m.group(2)), Span(start=s, end=e))
            continue
        if in_title:
            if RULE_RE.match(line):
                continue
            if _is_title_line(line) and not BOX_RE.search(line):
                title_lines.append(clean(line))
                continue
            # Text before the first 篇/章 without a 序言 heading: an untitled preface, chapter 0.
            in_title = False
            b.start_chapter(0, "序言", None)
        if (m := section_re.match(line)) and doc.chapters and doc.chapters[-1].number:
            b.start_section(cn_to_int(m.group(1)), _title(m.group(2)), Span(start=s, end=e))
            continue
        if b.picture is not None:
            # Text read from a picture: a 专栏 title starts the box, and every line after it is one of
            # its items (layout made each item one line); headings above still apply (a scanned page).
            if m := NUMBERED_BOX_RE.match(line):
                b.start_box(f"{m.group(1)} {_title(m.group(2))}".strip(), Span(start=s, end=e))
                b.box.image = b.picture
            elif b.box is not None:
                para = _from_picture(_paragraph(text, s, e, item=True), b.picture, picture_lines, picture_table)
                if para is not None:
                    b.add_item(para)
            else:
                b.add_paragraph(_from_picture(_paragraph(text, s, e), b.picture, picture_lines, picture_table))
            continue
        if b.box is not None and (m := ITEM_RE.match(line)) and int(m.group(1)) == len(b.box.items) + 1:
            para = _paragraph(text, s + m.end(), e, item=True)
            if para is not None:
                b.add_item(para)
            continue
        if m := BOX_RE.search(line):
            # A 专栏 heading may start mid-line, right after a paragraph's last sentence.
            b.add_paragraph(_paragraph(text, s, s + m.start()))
            box_title = _title(line[m.end():])
            b.start_box(box_title, Span(start=s + m.start(), end=e))
            continue
        stripped = line.strip()
        if has_headings and len(stripped) <= 40 and not CAPTION_PUNCT.search(stripped):
            # A caption line with nothing after it, e.g. a table title whose table the PDF lost.
            ts, te = _trim(text, s, e)
            b.add_table(_title(stripped), Span(start=ts, end=te))
            continue
        b.add_paragraph(_paragraph(text, s, e))

    if title is None and title_lines:
        doc.title = max(title_lines, key=len)
    return doc


def parse_file(path: Path, doc_id: str | None = None, pictures: dict[str, PictureRecord] | None = None,
               **meta: str | None) -> Document:
    return parse_text(read_text(path), doc_id=doc_id or path.stem, source_path=str(path), pictures=pictures, **meta)
