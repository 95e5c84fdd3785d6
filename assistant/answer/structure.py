"""Overview questions answered from the plan's own structure: "第七章讲什么", "第九章包括哪几节",
"第七章第三节讲什么", "实施保障包括哪几个方面", "哪一章讲生态环境". The table of contents is the answer:
section titles, 专栏 titles, and where a chapter has no sections the lead phrases of its paragraphs."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Chapter, Chunk, Document, Section, box_label, chapter_label, cn_numeral, part_label, section_label
from ..query import QueryInfo
from ..text import clean, normalise
from .labels import label
from .params import MAX_LIST_BODY, SCOPE_LEADS_SHARE
from .stats import PlanStats

OVERVIEW_RE = re.compile(r"讲(?:了)?(?:些)?什么|讲的是什么|讲啥|说(?:了)?(?:些)?什么|有哪些内容|(?:主要)?内容(?:是什么|有哪些)?[?？]?$"
                         r"|包括哪(?:几|些)(?:节|部分|方面)|有哪几节|有几节|分(?:为)?哪几|哪几个方面|哪些方面|what (?:does|is) .* about")
WHICH_CHAPTER_RE = re.compile(r"哪一?章|哪个章节|哪一?篇|which chapter")


class Overview:
    """A found overview: the reply body, and the heading or paragraph spans it cites (doc, start, end, chunk-like)."""

    def __init__(self, body: str, doc: Document, chapter: Chapter, spans: list[tuple[int, int, Section | None]],
                 boxes: list[str] | None = None):
        self.body, self.doc, self.chapter, self.spans = body, doc, chapter, spans
        self.boxes = boxes or []  # the 专栏 named, as labelled: the plan's own headings, like the chapter's


def _chapter(doc: Document, number: int, part: int | None = None) -> Chapter | None:
    """Chapter `number`, in 篇 `part` when the question names one (a plan may number chapters afresh per 篇)."""
    return next((c for c in doc.chapters if c.number == number and (part is None or c.part == part)), None)


def _part_overview(doc: Document, source: str, part: int) -> Overview | None:
    """"第十三篇有哪几章 / 讲什么": the 篇's chapters by their titles, quoting each chapter's heading."""
    chapters = [c for c in doc.chapters if c.part == part and c.number]
    heading = next((p for p in doc.parts if p.number == part), None)
    if not chapters or heading is None:
        return None
    own = next((c for c in doc.chapters if c.part == part and c.number is None), None)
    anchor = own or Chapter(number=None, title=heading.title, part=part, span=heading.span)
    items = [f"{chapter_label(c.number)} {c.title}" for c in chapters]
    body = f"{part_label(part)} {heading.title}共{cn_numeral(len(chapters))}章：" + "；".join(items) + "。"
    spans = [_heading_line(source, heading.span.start, heading.span.end)]
    spans += [_heading_line(source, c.span.start, c.span.end) for c in chapters if c.span]
    return Overview(_fit(body), doc, anchor, spans)


def _heading_line(source: str, start: int, end: int) -> tuple[int, int, None]:
    """A heading's own line, from its start: what a list of headings quotes."""
    eol = source.find("\n", start, end)
    return start, eol if eol != -1 else end, None


def _sections(ch: Chapter) -> list[Section]:
    return [s for s in ch.sections if s.number is not None]


def _boxes(sec: Section) -> list[str]:
    return [box_label(b.title) for b in sec.blocks if b.kind == "box"]


def _paragraphs(stats: PlanStats, doc: Document, ch: Chapter, sec: Section | None) -> list[Chunk]:
    """A chapter's (or 节's) paragraphs, in order; a chapter numbered within its 篇 is looked up there."""
    return [c for key, cs in stats.by_section.items() if key[0] == doc.id and key[2] == ch.number
            and (ch.part is None or key[1] == ch.part) and (sec is None or key[3] == sec.number)
            for c in cs if not c.box]


def _leads(stats: PlanStats, doc: Document, ch: Chapter, sec: Section | None) -> list[Chunk]:
    """The lead phrases of a chapter's (or 节's) paragraphs, when its paragraphs are led that way."""
    paras = _paragraphs(stats, doc, ch, sec)
    led = [c for c in paras if c.lead]
    if len(led) < 2 or len(led) < SCOPE_LEADS_SHARE * len(paras):
        return []
    return led


def _chapter_overview(stats: PlanStats, doc: Document, ch: Chapter) -> Overview | None:
    secs = _sections(ch)
    head = f"{_name(ch)}"
    if secs:
        items = []
        for s in secs:
            boxes = _boxes(s)
            items.append(f"{section_label(s.number)} {s.title}" + (f"（{'、'.join(boxes)}）" if boxes else ""))
        body = f"{head}共{cn_numeral(len(secs))}节：" + "；".join(items) + "。"
        spans = [(s.span.start, s.span.end, s) for s in secs if s.span]
        return Overview(_fit(body), doc, ch, spans, [b for s in secs for b in _boxes(s)])
    led = _leads(stats, doc, ch, None)
    if led:
        body = f"{head}包括：" + "；".join(clean(c.lead or "") for c in led) + "。"
        spans = [(c.sentences[0].start, c.sentences[0].end, None) for c in led]
        return Overview(_fit(body), doc, ch, spans)
    return None


def _section_overview(stats: PlanStats, doc: Document, ch: Chapter, sec: Section) -> Overview | None:
    led = _leads(stats, doc, ch, sec)
    boxes = _boxes(sec)
    body = f"{section_label(sec.number)} {sec.title}"
    if not led and not boxes:
        # Neither led paragraphs nor 专栏: the 节's title says what it is about, its first sentence how.
        first = next((c for c in _paragraphs(stats, doc, ch, sec) if c.sentences), None)
        if first is None:
            return None
        s = first.sentences[0]
        spans = ([(sec.span.start, sec.span.end, sec)] if sec.span else []) + [(s.start, s.end, sec)]
        return Overview(_fit(f"{body}：{clean(s.text)}"), doc, ch, spans)
    if led:
        body += "包括：" + "；".join(clean(c.lead or "") for c in led)
    if boxes:
        body += ("；" if led else "") + "、".join(boxes)
    spans = [(c.sentences[0].start, c.sentences[0].end, sec) for c in led]
    if sec.span:
        spans.insert(0, (sec.span.start, sec.span.end, sec))
    return Overview(_fit(body + "。"), doc, ch, spans, boxes)


def _name(ch: Chapter) -> str:
    return label(ch.number, ch.title, None, None, None, ch.part, in_part=ch.in_part)


def _fit(body: str) -> str:
    return body if len(body) <= MAX_LIST_BODY else body[: MAX_LIST_BODY - 1].rstrip("；、") + "…"


# Words that ask for an overview and say nothing of its topic.
# A chapter's 节 are its tasks, in plan language: "第二章有哪几项重点任务" asks for them.
OVERVIEW_WORDS = frozenset("内容 方面 部分 几节 章节 主要 讲 讲了 讲的 说 说了 包括 包含 分为 哪几节 几个 哪些 重点 "
                           "任务 重点任务 主要任务 举措 下设 about".split())


def _topic(info: QueryInfo) -> list[str]:
    """The words a title must carry; a place picks the plan ("某区第十章讲什么"), it is no topic."""
    places = [normalise(p) for p in info.places]
    return [normalise(t) for t in info.terms if len(t) >= 2 and t not in OVERVIEW_WORDS
            and not any(normalise(t) in p for p in places)]


def _title_match(info: QueryInfo, title: str) -> float:
    terms = _topic(info)
    if not terms:
        return 0.0
    t = normalise(title)
    return sum(1 for w in terms if w in t) / len(terms)


def _only_names(info: QueryInfo, ch: Chapter, sec: Section | None) -> bool:
    """The question's topic words, if any, are the chapter's (or 节's) own title: it asks for the whole unit,
    not for something inside it ("第七章第三节有哪些养老项目?" is no overview)."""
    titles = ch.title + (sec.title if sec else "")
    return not _topic(info) or _title_match(info, titles) == 1.0


def overview(info: QueryInfo, docs: Sequence[Document], stats: PlanStats) -> Overview | None:
    """The overview a question asks for, from the first of `docs` (in scope order) that has it."""
    text = info.text
    asks_overview = bool(OVERVIEW_RE.search(text.lower()))
    if info.part is not None and info.chapter is None and (asks_overview or info.wants_list):
        for doc in docs:
            found = _part_overview(doc, stats.sources[doc.id], info.part)
            heading = next((p for p in doc.parts if p.number == info.part), None)
            if found and heading and (not _topic(info) or _title_match(info, heading.title) == 1.0):
                return found
        return None
    if info.chapter is not None and (asks_overview or info.wants_list):
        for doc in docs:
            ch = _chapter(doc, info.chapter, info.part)
            if ch is None:
                continue
            sec = next((s for s in ch.sections if s.number == info.section), None) if info.section else None
            if not _only_names(info, ch, sec):
                continue  # this plan's chapter N is about something else; another plan's may be it
            if info.section is not None:
                found = _section_overview(stats, doc, ch, sec) if sec else None
            else:
                found = _chapter_overview(stats, doc, ch)
            if found:
                return found
        return None
    if WHICH_CHAPTER_RE.search(text.lower()):
        best = max(((_title_match(info, c.title), doc, c) for doc in docs for c in doc.chapters if c.number),
                   key=lambda x: x[0], default=None)
        if best and best[0] >= 0.5:
            _, doc, ch = best
            spans = [(ch.span.start, ch.span.end, None)] if ch.span else []
            return Overview(f"{_name(ch)}。", doc, ch, spans)
        return None
    if asks_overview and not (info.wants_when or info.wants_number) and len(_topic(info)) >= 2:
        # "实施保障包括哪几个方面?": a chapter whose title carries every word (two or more) of the question.
        for doc in docs:
            for ch in doc.chapters:
                if ch.number and _topic(info) and _title_match(info, ch.title) == 1.0:
                    found = _chapter_overview(stats, doc, ch)
                    if found:
                        return found
    return None
