"""Plan text → Document: preface, 第N篇, 第N章, 第N节, 专栏 boxes and paragraphs, every block with its source offsets.

Hand-written on purpose: no library knows the layout of a Chinese plan extracted from PDF (headings glued
to titles, 专栏 headings starting mid-line, chapters without sections, 篇 above chapters numbered through
the whole document, or plans headed 一、 / （一） instead of 第N章 / 第N节).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .tables import is_row_sentence
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
# A 建议 or a plan without （一） headings may set its 节 as numbered paragraphs, numbered through the
# document, whose first sentence is the heading ("4.深入推进科学城实体化改革。锚定…"): a run-in 节, which
# takes its number from its place in its chapter.
RUN_IN_SECTION_RE = re.compile(r"^\s*(\d{1,2})\s*[.．]\s*(?!\d)([^。；;：:，,]{2,40})。")
# A line made of a rule only ("---", "＊＊＊") separates the title from the text.
RULE_RE = re.compile(r"^\s*[-—=＊*_]{3,}\s*$")
PREFACE_RE = re.compile(r"^\s*(序\s*言|前\s*言)\s*$")
TOC_RE = re.compile(r"^\s*目\s*录\s*$")
# A table-of-contents entry ends in its page number, after dot leaders or a gap: "第一章 发展基础 …… 1".
PAGE_REF_RE = re.compile(r"(?:[.·…．]{2,}\s*|\s+)\d{1,3}\s*$")
# What follows the plan's chapters: 附录, 附件, 附表, 名词解释 (an appendix, never another chapter).
APPENDIX_RE = re.compile(r"^\s*(附\s*[录件表]\s*\d{0,2}|名\s*词\s*解\s*释|有关名词解释)(?:\s*[:：]?\s*([^。；;]{0,40}?))?\s*$")
# A run of this many heading lines with no text between them is a table of contents, not the plan: in the
# plan itself at most a 篇, its first 章 and that 章's first 节 stand back to back.
TOC_RUN = 4
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


def line_spans(text: str) -> Iterator[tuple[int, int]]:
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

    def start_appendix(self, title: str, span: Span) -> None:
        """附录 / 名词解释: a chapter-less unit after the chapters (no number, no 篇)."""
        self.box = None
        self.doc.chapters.append(Chapter(number=None, title=title, part=None, span=span, appendix=True))

    def add_table(self, title: str, span: Span) -> None:
        self.box = None
        self.section.blocks.append(Table(title=title, span=span))


def _heading_rules(text: str, lines: list[tuple[int, int]]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """第N章 / 第N节 where the plan has them (一、 as its sections when a 第N章 plan has no 第N节); else
    一、 / （一） when at least two such chapter lines exist. `lines`: the plan's own lines, without its 目录."""
    if any(CHAPTER_RE.match(text[s:e]) for s, e in lines):
        if not any(SECTION_RE.match(text[s:e]) for s, e in lines) and \
                sum(1 for s, e in lines if ENUM_CHAPTER_RE.match(text[s:e])) >= 2:
            return CHAPTER_RE, ENUM_CHAPTER_RE
        return CHAPTER_RE, SECTION_RE
    if sum(1 for s, e in lines if ENUM_CHAPTER_RE.match(text[s:e])) >= 2:
        if not any(ENUM_SECTION_RE.match(text[s:e]) for s, e in lines) and \
                sum(1 for s, e in lines if RUN_IN_SECTION_RE.match(text[s:e])) >= 2:
            return ENUM_CHAPTER_RE, RUN_IN_SECTION_RE
        return ENUM_CHAPTER_RE, ENUM_SECTION_RE
    return CHAPTER_RE, SECTION_RE


_ANY_HEADING = (PART_RE, CHAPTER_RE, SECTION_RE, ENUM_CHAPTER_RE, ENUM_SECTION_RE)


def contents_lines(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """Indices of the lines of a table of contents (目录), wherever it stands and whatever its form: a 目录
    line, heading lines that end in a page number, and runs of TOC_RUN or more heading lines with no text
    between them. They are not the plan: the headings come again, with their text, in the body.

    A run ends where a 篇 or 章 it has already listed comes again (the body's first headings may follow
    the contents directly), and a run with page numbers keeps only its numbered lines."""
    toc: set[int] = set()
    run: list[int] = []

    def close() -> None:
        paged = [i for i in run if PAGE_REF_RE.search(text[lines[i][0]:lines[i][1]])
                 or TOC_RE.match(text[lines[i][0]:lines[i][1]])]
        if len(run) >= TOC_RUN:
            toc.update(paged if len(paged) >= TOC_RUN else run)

    listed: set[tuple[str, str | None, str]] = set()
    part: str | None = None
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip():
            continue
        bare = PAGE_REF_RE.sub("", line)
        heading = any(r.match(bare) for r in _ANY_HEADING)
        if not (heading or TOC_RE.match(line)):
            close()
            run, listed, part = [], set(), None
            continue
        m = PART_RE.match(bare) or CHAPTER_RE.match(bare)
        if m:
            is_part = PART_RE.match(bare) is not None
            part = m.group(1) if is_part else part
            key = ("篇", None, m.group(1)) if is_part else ("章", part, m.group(1))
            if key in listed:  # listed already: the body starts here
                close()
                run, listed, part = [], set(), m.group(1) if is_part else None
                key = ("篇", None, m.group(1)) if is_part else ("章", None, m.group(1))
            listed.add(key)
        run.append(i)
    close()
    return toc


def _continues_title(line: str, title: str) -> bool:
    """A 篇's title wrapped onto the next line ("第一篇 聚焦…推进中国式现代化南京" / "新实践实现良好开局"):
    a short line without sentence punctuation or figures after a long title. (A 篇 opens with a
    paragraph of text; a short line after a 章 heading is as often a bold lead of its own.)"""
    stripped = line.strip()
    return (len(title) >= 8 and 0 < len(stripped) <= 24 and not re.search(r"[。；;:：!！?？\d（(]", stripped)
            and not any(r.match(stripped) for r in _ANY_HEADING) and not BOX_RE.search(stripped)
            and not NUMBERED_BOX_RE.match(stripped) and not APPENDIX_RE.match(stripped))


def _prose(line: str) -> bool:
    """A paragraph of running text, not a row or cell of a 专栏's table: long and ending a sentence."""
    stripped = line.strip()
    return len(stripped) >= 40 and stripped.endswith(("。", "；", ";")) and not is_row_sentence(stripped)


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
    lines = [(s, e) for s, e in line_spans(text)]
    toc = contents_lines(text, lines)
    body_lines = [ln for i, ln in enumerate(lines) if i not in toc]
    chapter_re, section_re = _heading_rules(text, body_lines)
    has_headings = any(
        PREFACE_RE.match(text[s:e]) or chapter_re.match(text[s:e]) or PART_RE.match(text[s:e]) for s, e in body_lines
    )
    in_title = has_headings  # the short lines above the text are the document's title lines
    title_lines: list[str] = []
    headed: Part | None = None  # the 篇 heading just read, whose title may wrap onto the next line
    text_box = False  # a 专栏 that stands in the text as "专栏N title" and its lines

    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip() or i in toc:
            continue
        if headed is not None:
            part, headed = headed, None
            if _continues_title(line, part.title):
                part.title += line.strip()
                part.span = Span(start=part.span.start, end=e)
                doc.chapters[-1].title, doc.chapters[-1].span = part.title, part.span  # the 篇's own unit
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
            headed = doc.parts[-1]
            continue
        appendix = doc.chapters and doc.chapters[-1].appendix
        if (m := chapter_re.match(line)) and not (appendix and chapter_re is ENUM_CHAPTER_RE):
            in_title = False
            b.start_chapter(cn_to_int(m.group(1)), _title(m.group(2)), Span(start=s, end=e))
            continue
        if (m := APPENDIX_RE.match(line)) and any(c.number for c in doc.chapters) and b.picture is None:
            b.start_appendix(_title(line), Span(start=s, end=e))
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
        sec_re = ENUM_CHAPTER_RE if appendix and chapter_re is ENUM_CHAPTER_RE else section_re
        if (m := sec_re.match(line)) and doc.chapters and (doc.chapters[-1].number or appendix):
            if sec_re is RUN_IN_SECTION_RE:
                # The heading is the paragraph's first sentence; the paragraph stays the 节's text.
                place = sum(1 for x in doc.chapters[-1].sections if x.number is not None) + 1
                b.start_section(place, _title(m.group(2)), Span(start=s, end=s + m.end()))
                b.add_paragraph(_paragraph(text, s + m.end(), e))
                continue
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
        if m := NUMBERED_BOX_RE.match(line):
            # "专栏3 重大工程" on its own line: its rows follow, one per line, until the text resumes.
            b.start_box(f"{m.group(1)} {_title(m.group(2))}".strip(), Span(start=s, end=e))
            text_box = True
            continue
        if b.box is not None and text_box and not _prose(line):
            para = _paragraph(text, s, e, item=True)
            if para is not None:
                b.add_item(para)
            continue
        text_box = False
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

    _number_in_parts(doc)
    if title is None and title_lines:
        doc.title = max(title_lines, key=len)
    return doc


def _number_in_parts(doc: Document) -> None:
    """Chapters numbered afresh in every 篇 (第二篇 第一章 …): each is known by its 篇 and its number,
    and is cited so ("第二篇 第一章 第三节")."""
    numbered = [c for c in doc.chapters if c.number and not c.appendix]
    restarts = any(c.number == 1 and c.part is not None and i > 0 for i, c in enumerate(numbered))
    if restarts:
        for c in numbered:
            c.in_part = c.part is not None


def parse_file(path: Path, doc_id: str | None = None, pictures: dict[str, PictureRecord] | None = None,
               **meta: str | None) -> Document:
    return parse_text(read_text(path), doc_id=doc_id or path.stem, source_path=str(path), pictures=pictures, **meta)
