"""The side panel: the plan reader (a section with the cited span marked), the table of contents, the
reader's full-text search, and the page-address deep links (`#7.3`, `?open=doc:7.3`)."""

from __future__ import annotations

from typing import Any, Protocol

import gradio as gr

from ..models import Block, Chapter, Document, Section, chapter_label, part_label, section_label
from .export import display_text
from .figures import block_picture, picture_group
from .links import OPEN_PREFIX, Target, parse_deep_link, parse_target, section_target
from .protocol import PlanService
from .render import esc

DEEP_LINK_PREFIX = "link:"  # app.js sends a page address's `#7.3` / `?open=…` as "link:7.3"
SEARCH_MAX_HITS = 200  # a one-character query could match most paragraphs; the count is still exact


class Plans(Protocol):
    """What the reader needs of the loaded plans: a library.Corpus (tests pass a stand-in with just these)."""

    documents: list[Document]
    sources: dict[str, str]


def find_document(pa: Plans, doc_id: str) -> Document | None:
    return next((d for d in pa.documents if d.id == doc_id), None)


def find_section(doc: Document, chapter: int | None, section: int | None,
                 part: int | None = None) -> tuple[Chapter, Section] | None:
    for ch in doc.chapters:
        if ch.number == chapter and (chapter is not None or ch.part == part):
            for sec in ch.sections:
                if sec.number == section:
                    return ch, sec
            if section is None and ch.sections:  # a whole chapter asked for: it opens at its first part
                return ch, ch.sections[0]
    return None


def section_at(doc: Document, offset: int) -> tuple[Chapter, Section] | None:
    """The section whose blocks contain a source offset: a citation's span is the truth if its labels drift."""
    return next(((ch, sec) for ch in doc.chapters for sec in ch.sections if _covers(sec, offset)), None)


def render_reader(pa: Plans, raw_target: str) -> str:
    return render_target(pa, parse_target(raw_target))


def render_deep_link(pa: Plans, raw: str) -> str | None:
    """The reader for a page address's `#7.3` / `?open=…`, or None when there is none to open."""
    if not (raw or "").strip():
        return None
    default = pa.documents[0].id if pa.documents else ""
    return render_target(pa, parse_deep_link(raw[:200], default))


def render_target(pa: Plans, target: Target | None) -> str:
    doc = find_document(pa, target.doc_id) if target else None
    if target is None or doc is None:
        return _reader_message("没有找到这处原文。", "链接可能已过期，请重新提问或从「目录」打开。")
    span = _valid_span(pa.sources.get(doc.id, ""), target)
    located = find_section(doc, target.chapter, target.section, target.part)
    if span and (located is None or not _covers(located[1], span[0])):
        located = section_at(doc, span[0]) or located
    if located is None:
        return _reader_message("没有找到这处原文。", "规划中没有这个章节。")
    chapter, section = located
    quote_html = ""
    if span:
        quote_html = (f'<blockquote class="reader-quote"><span class="quote-label">引用原文</span>'
                      f'{esc(display_text(pa.sources[doc.id][span[0]:span[1]]))}</blockquote>')
    body = _body_html(doc, section.blocks, span, target.block)
    return (f'<div class="reader">{_reader_head(doc, chapter, section)}{quote_html}'
            f'<div class="reader-body">{body or "<p class=muted>（本节没有正文）</p>"}</div></div>')


def _valid_span(source: str, target: Target) -> tuple[int, int] | None:
    if target.start is None or target.end is None:
        return None
    if 0 <= target.start < target.end <= len(source):
        return target.start, target.end
    return None


def _covers(section: Section, offset: int) -> bool:
    return any(b.span.start <= offset < b.span.end for b in section.blocks)


def _reader_head(doc: Document, chapter: Chapter, section: Section) -> str:
    crumb = chapter_name(chapter)
    heading = crumb if section.number is None else f"{section_label(section.number)} {section.title}"
    crumb_html = "" if section.number is None else f'<div class="crumb">{esc(crumb)}</div>'
    return (f'<div class="reader-head"><div class="doc-title">《{esc(doc.title)}》</div>'
            f'{crumb_html}<h3>{esc(heading)}</h3></div>')


def _reader_message(title: str, detail: str) -> str:
    return f'<div class="reader reader-empty"><h3>{esc(title)}</h3><p>{esc(detail)}</p></div>'


def _body_html(doc: Document, blocks: list[Block], span: tuple[int, int] | None, focus: int | None) -> str:
    """The section's blocks; each run of blocks read from one picture comes after that picture."""
    out: list[str] = []
    i = 0
    while i < len(blocks):
        file = block_picture(blocks[i])
        j = i + 1
        while file and j < len(blocks) and block_picture(blocks[j]) == file:
            j += 1
        text = "".join(_block_html(k, blocks[k], span, focus) for k in range(i, j))
        out.append(picture_group(doc, blocks[i:j], file, span, text) if file else text)
        i = j
    return "".join(out)


def _block_html(index: int, block: Block, span: tuple[int, int] | None, focus: int | None) -> str:
    focus_class = " focus" if index == focus else ""
    if block.kind == "paragraph":
        return f'<p class="para{focus_class}">{_marked(block.text, block.span.start, span, block.lead)}</p>'
    if block.kind == "box":
        items = "".join(f'<p class="box-item">{_marked(it.text, it.span.start, span, it.lead)}</p>'
                        for it in block.items)
        return (f'<div class="box{focus_class}"><div class="box-title">专栏：{esc(block.title)}</div>{items}</div>')
    return (f'<div class="table-note{focus_class}">表：{esc(block.title)}'
            '<span class="muted">（表格内容未能从原文提取，请查阅规划原件）</span></div>')


def _marked(raw: str, offset: int, span: tuple[int, int] | None, lead: str | None) -> str:
    """Readable paragraph HTML with the cited span in <mark>; offsets are into the raw source text."""
    if span is None or span[1] <= offset or span[0] >= offset + len(raw):
        return _with_lead(esc(display_text(raw)), lead)
    a, b = max(0, span[0] - offset), min(len(raw), span[1] - offset)
    before, hit, after = (esc(display_text(part)) for part in (raw[:a], raw[a:b], raw[b:]))
    return _with_lead(f"{before}<mark>{hit}</mark>{after}", lead)


def _with_lead(escaped: str, lead: str | None) -> str:
    # The plan prints each paragraph's lead phrase in bold; keep that, unless the highlight starts inside it.
    lead_html = esc(lead) if lead else ""
    if lead_html and escaped.startswith(lead_html):
        return f"<strong>{lead_html}</strong>{escaped[len(lead_html):]}"
    return escaped


READER_WELCOME = (
    '<div class="reader reader-empty"><h3>规划原文</h3>'
    "<p>点击回答下方的<b>出处</b>标签，这里会打开对应章节，引用的句子以黄色高亮显示。</p>"
    "<p>也可以在「目录」里打开任意章、节或专栏，直接阅读原文。</p></div>"
)


# ---------------------------------------------------------------- search in the plan text


def render_search(pa: Plans, query: str) -> str:
    """Every paragraph (or 专栏 item) of the loaded plans that contains `query`, each match in <mark>,
    the count on top, each hit linking to its section. Matching is on the displayed text."""
    query = " ".join((query or "").split())[:100]
    if not query:
        return READER_WELCOME
    hits: list[str] = []
    total = 0
    for doc in pa.documents:
        for ch in doc.chapters:
            for sec in ch.sections:
                for text in _texts(sec):
                    shown = display_text(text)
                    count = shown.count(query)
                    if not count:
                        continue
                    total += count
                    if len(hits) < SEARCH_MAX_HITS:
                        hits.append(_search_hit(doc, ch, sec, shown, query))
    if not total:
        return _reader_message(f"没有找到“{query}”。", "换一个词试试，例如更短的关键词。")
    more = "" if len(hits) < SEARCH_MAX_HITS else f'<p class="muted">只列出前 {SEARCH_MAX_HITS} 段。</p>'
    return (f'<div class="reader reader-search"><div class="search-count">“{esc(query)}”共 {total} 处，'
            f'在 {len(hits)} 段中</div><div class="reader-body">{"".join(hits)}{more}</div></div>')


def _texts(sec: Section) -> list[str]:
    out: list[str] = []
    for b in sec.blocks:
        if b.kind == "paragraph":
            out.append(b.text)
        elif b.kind == "box":
            out += [b.title, *(it.text for it in b.items)]
    return out


def _search_hit(doc: Document, ch: Chapter, sec: Section, shown: str, query: str) -> str:
    marked = "<mark>" + esc(query) + "</mark>"
    body = marked.join(esc(piece) for piece in shown.split(query))
    where = chapter_name(ch) + ("" if sec.number is None else f" · {section_label(sec.number)} {sec.title}")
    link = _link(section_target(doc.id, ch.number, ch.part, sec.number), where, "toc-link search-where")
    return f'<div class="search-hit">{link}<p class="para">{body}</p></div>'


# ---------------------------------------------------------------- table of contents


def render_toc(docs: list[Document]) -> str:
    return '<nav class="toc">' + "".join(_doc_toc(d) for d in docs) + "</nav>"


def _doc_toc(doc: Document) -> str:
    meta = " · ".join(x for x in (doc.issuer, doc.year) if x)
    head = f'<div class="toc-doc">《{esc(doc.title)}》<span class="muted">{esc(meta)}</span></div>'
    return head + "".join(_chapter_toc(doc, ch) for ch in doc.chapters)


def _link(target: str, label: str, cls: str) -> str:
    return f'<a class="{cls}" href="{esc(OPEN_PREFIX + target)}">{esc(label)}</a>'


def _sec_link(doc: Document, ch: Chapter, sec: Section, label: str, block: int | None = None, cls: str = "") -> str:
    return _link(section_target(doc.id, ch.number, ch.part, sec.number, block), label, f"toc-link {cls}")


def chapter_name(ch: Chapter) -> str:
    if ch.number is None:
        return f"{part_label(ch.part)} {ch.title}" if ch.part is not None else ch.title
    return "序言" if ch.number == 0 else f"{chapter_label(ch.number)} {ch.title}"


def _chapter_toc(doc: Document, ch: Chapter) -> str:
    label = chapter_name(ch)
    numbered = [s for s in ch.sections if s.number is not None]
    if not numbered:  # 序言 and chapters without 节 open as one page
        return f'<div class="toc-ch toc-flat">{_sec_link(doc, ch, ch.sections[0], label)}</div>' if ch.sections else ""
    items = []
    for sec in ch.sections:
        if sec.number is None:
            if sec.blocks:
                items.append(f"<li>{_sec_link(doc, ch, sec, '本章导语', cls='toc-intro')}</li>")
            continue
        boxes = "".join(f"<li>{_sec_link(doc, ch, sec, '专栏：' + b.title, block=i, cls='toc-box')}</li>"
                        for i, b in enumerate(sec.blocks) if b.kind == "box")
        sub = f'<ul class="toc-boxes">{boxes}</ul>' if boxes else ""
        items.append(f"<li>{_sec_link(doc, ch, sec, f'{section_label(sec.number)} {sec.title}')}{sub}</li>")
    return f'<details class="toc-ch"><summary>{esc(label)}</summary><ul>{"".join(items)}</ul></details>'


class ReaderHandlers:
    """The reader's events: a link or a page address opens a place, the search box finds text. Each reads
    the plans loaded at that moment."""

    def __init__(self, svc: PlanService) -> None:
        self.svc = svc

    def open_target(self, event: gr.EventData) -> tuple[str, Any]:
        """A click on an `#open:` link, or (from app.js) the page address's deep link."""
        data = getattr(event, "_data", None)
        raw = str(data.get("target", "")) if isinstance(data, dict) else ""
        raw = raw[:500]  # it comes from the browser: a real link is far shorter
        if raw.startswith(DEEP_LINK_PREFIX):
            page = render_deep_link(self.svc.current(), raw.removeprefix(DEEP_LINK_PREFIX))
            return (page, gr.Tabs(selected="reader")) if page else (gr.update(), gr.update())
        return render_reader(self.svc.current(), raw), gr.Tabs(selected="reader")

    def search(self, query: str) -> tuple[str, Any]:
        return render_search(self.svc.current(), query), gr.Tabs(selected="reader")
