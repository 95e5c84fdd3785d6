"""The staff chat (Gradio Blocks) around the one PlanAssistant the CLI also uses.

Layout: chat on the left; on the right a reader that opens any cited or chosen section with the quote
highlighted, and the plan's table of contents. Everything the page loads comes from this server.
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import anyio
import gradio as gr

from .config import Settings
from .answer.grounding import short_label, strip_marks
from .web_indicators import indicators_tab
from .models import Answer, Block, Chapter, Citation, Document, Section, chapter_label, part_label, section_label
from .service import PlanAssistant
from .text import clean
from .web_plans import plans_tab

log = logging.getLogger(__name__)

def page_title(docs: list[Document]) -> str:
    """"海州区十四五规划问答助手" for one plan; several plans are named by count, each in its labels."""
    if len(docs) == 1 and docs[0].profile:
        return f"{docs[0].profile.short_name}规划问答助手"
    return f"规划问答助手 · {len(docs)} 部规划" if docs else "规划问答助手"


def examples_for(docs: list[Document], sources: dict[str, str], n: int = 3) -> list[str]:
    """Example questions drawn from the loaded plans' own targets (assistant/indicators), one plan after the
    other, plus a chapter overview, so that every example is answerable in whatever plans are loaded."""
    from .indicators import indicators_for

    rows = [r for r in indicators_for(docs, sources)
            if r.kind == "target" and r.year and 4 <= len(r.indicator) <= 14 and r.unit]
    picked: list[str] = []
    for doc in docs:
        mine = [r for r in rows if r.doc == doc.id]
        if mine:
            r = mine[len(mine) // 2]  # the middle of the plan, away from the summary chapter
            name = doc.profile.short_name if len(docs) > 1 and doc.profile else ""
            picked.append(f"{name}规划中{r.year}年{r.indicator}目标是多少?" if name else f"{r.year}年{r.indicator}目标是多少?")
    picked.append("第二章讲什么?")
    return picked[:n]

# Plain family names only: a gr.themes.GoogleFont would make every page load call fonts.googleapis.com.
FONT = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"]
FONT_MONO = ["SFMono-Regular", "Menlo", "Consolas", "Noto Sans Mono CJK SC", "monospace"]

# ask() is CPU-bound (the embedding model already uses both cores of the target box): on 2 cores, 20
# concurrent chats finish no sooner with 4 slots than with 1 or 2, and later with 8. Only ask() is limited;
# the streaming around it is not, so a queued chat's bubble appears at once and fills in when its turn comes.
ASK_SLOTS = 2
CHAT_CONCURRENCY = 32  # open chats streamed at once; each mostly waits on ASK_SLOTS or sleeps between chunks
QUEUE_MAX = 256  # beyond this a user gets Gradio's "queue full" instead of an unbounded backlog
STREAM_STEPS = 12
STREAM_DELAY_S = 0.03
MAX_COMMENT_CHARS = 2000
OPEN_PREFIX = "#open:"
EMPTY_QUESTION = "请输入一个关于规划的问题。"
ASK_FAILED = "抱歉，这次查询出错了，请稍后再试；如果反复出现，请联系管理员。"


# ---------------------------------------------------------------- escaping and chat messages


def esc(text: str) -> str:
    """Everything that reaches the page as HTML goes through here: plan text, answers, user input."""
    return html.escape(text, quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def esc_markdown(text: str) -> str:
    """User text shown verbatim: no HTML (escaped) and no Markdown (backslash-escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", esc(text))


def one_line(fragment: str) -> str:
    # A blank line would end Markdown's HTML block and the rest of the reply would be re-parsed as Markdown.
    return fragment.replace("\r", "").replace("\n", "<br>")


def user_message(question: str) -> dict[str, str]:
    return {"role": "user", "content": esc_markdown(question)}


def bot_message(fragment: str) -> dict[str, str]:
    return {"role": "assistant", "content": one_line(fragment)}


def render_pending() -> str:
    return '<div class="reply reply-pending"><span class="dots">正在查阅规划原文</span></div>'


def render_notice(text: str) -> str:
    return f'<div class="reply reply-notice"><span class="badge badge-notice">提示</span><p>{esc(text)}</p></div>'


def render_too_long(question: str, limit: int) -> tuple[dict[str, str], dict[str, str]]:
    preview = question[:60] + f"…（共 {len(question)} 字）"
    notice = (f"问题太长了（{len(question)} 字），请精简到 {limit} 字以内再发送。"
              "一次问一件具体的事效果最好，例如“2025年养老机构护理型床位占比?”。")
    return user_message(preview), bot_message(render_notice(notice))


# ---------------------------------------------------------------- citation chips


_BOX_PREFIX = re.compile(r"^\s*专栏\s*[:：]\s*")


def citation_label(c: Citation) -> str:
    label = short_label(c)
    box = _BOX_PREFIX.sub("", c.box or "")  # the chain may or may not keep the "专栏:" prefix
    return f"{label} · 专栏:{box}" if box else label


def _section_key(section: int | None) -> str:
    return "-" if section is None else str(section)


def cite_target(c: Citation, default_doc: str) -> str:
    doc = quote(c.doc or default_doc, safe="")
    return f"cite:{doc}:{_chapter_key(c.chapter, c.part)}:{_section_key(c.section)}:{c.start}:{c.end}"


def chip(c: Citation, default_doc: str, extra_class: str = "") -> str:
    return (f'<a class="cite-chip {extra_class}" href="{OPEN_PREFIX}{esc(cite_target(c, default_doc))}" '
            f'title="{esc(c.path)}">{esc(citation_label(c))}</a>')


def unique(citations: list[Citation]) -> list[Citation]:
    seen: set[tuple] = set()
    out = []
    for c in citations:
        key = (c.doc, c.start, c.end)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def render_reply(answer: Answer, default_doc: str, shown: str | None = None) -> str:
    """The assistant bubble; `shown` is the part of the text streamed so far (chips come with the last step)."""
    streaming = shown is not None
    text = esc(answer.answer if shown is None else shown) + ('<span class="cursor">▍</span>' if streaming else "")
    if answer.found:
        chips = "" if streaming else _chips_row("出处", answer.citations, default_doc)
        return f'<div class="reply reply-found"><p>{text}</p>{chips}</div>'
    related = "" if streaming else _related_list(answer.related, default_doc)
    return (f'<div class="reply reply-notfound"><span class="badge badge-notfound">规划中未提及</span>'
            f'<p>{text}</p>{related}</div>')


def render_partial(shown: str) -> str:
    """The bubble while an LLM writes: plain text and a cursor; sources come with the checked Answer."""
    return f'<div class="reply reply-found"><p>{esc(shown)}<span class="cursor">▍</span></p></div>'


def _chips_row(label: str, citations: list[Citation], default_doc: str) -> str:
    if not citations:
        return ""
    chips = "".join(chip(c, default_doc) for c in unique(citations))
    return f'<div class="cites"><span class="cites-label">{label}</span>{chips}</div>'


def _related_list(related: list[Citation], default_doc: str) -> str:
    if not related:
        return ""
    items = "".join(f'<li>{chip(c, default_doc, "chip-related")}'
                    f'<span class="snippet">{esc(_snippet(c.quote))}</span></li>' for c in unique(related))
    return f'<div class="related"><div class="related-title">可以参考规划中的这些内容：</div><ul>{items}</ul></div>'


def _snippet(quote_text: str, limit: int = 48) -> str:
    text = clean(quote_text)
    return text if len(text) <= limit else text[:limit] + "…"


def stream_steps(text: str, steps: int = STREAM_STEPS) -> list[str]:
    """Growing prefixes of the reply, so the bubble fills in instead of appearing all at once."""
    size = max(2, math.ceil(len(text) / steps))
    return [text[:i] for i in range(size, len(text), size)]


# ---------------------------------------------------------------- plan reader (side panel)


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


def _chapter_key(chapter: int | None, part: int | None) -> str:
    """"7", or "P3" for the 篇 3's own text, in the reader's link targets."""
    return f"P{part}" if chapter is None else str(chapter)


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


def find_document(pa: PlanAssistant, doc_id: str) -> Document | None:
    return next((d for d in pa.documents if d.id == doc_id), None)


def find_section(doc: Document, chapter: int | None, section: int | None,
                 part: int | None = None) -> tuple[Chapter, Section] | None:
    for ch in doc.chapters:
        if ch.number == chapter and (chapter is not None or ch.part == part):
            for sec in ch.sections:
                if sec.number == section:
                    return ch, sec
    return None


def section_at(doc: Document, offset: int) -> tuple[Chapter, Section] | None:
    """The section whose blocks contain a source offset: a citation's span is the truth if its labels drift."""
    return next(((ch, sec) for ch in doc.chapters for sec in ch.sections if _covers(sec, offset)), None)


def render_reader(pa: PlanAssistant, raw_target: str) -> str:
    target = parse_target(raw_target)
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
                      f'{esc(clean(pa.sources[doc.id][span[0]:span[1]]))}</blockquote>')
    body = "".join(_block_html(i, b, span, target.block) for i, b in enumerate(section.blocks))
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
    crumb = _chapter_name(chapter)
    heading = crumb if section.number is None else f"{section_label(section.number)} {section.title}"
    crumb_html = "" if section.number is None else f'<div class="crumb">{esc(crumb)}</div>'
    return (f'<div class="reader-head"><div class="doc-title">《{esc(doc.title)}》</div>'
            f'{crumb_html}<h3>{esc(heading)}</h3></div>')


def _reader_message(title: str, detail: str) -> str:
    return f'<div class="reader reader-empty"><h3>{esc(title)}</h3><p>{esc(detail)}</p></div>'


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
        return _with_lead(esc(clean(raw)), lead)
    a, b = max(0, span[0] - offset), min(len(raw), span[1] - offset)
    before, hit, after = (esc(clean(part)) for part in (raw[:a], raw[a:b], raw[b:]))
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


# ---------------------------------------------------------------- table of contents


def render_toc(docs: list[Document]) -> str:
    return '<nav class="toc">' + "".join(_doc_toc(d) for d in docs) + "</nav>"


def _doc_toc(doc: Document) -> str:
    meta = " · ".join(x for x in (doc.issuer, doc.year) if x)
    head = f'<div class="toc-doc">《{esc(doc.title)}》<span class="muted">{esc(meta)}</span></div>'
    return head + "".join(_chapter_toc(doc, ch) for ch in doc.chapters)


def _sec_link(doc: Document, ch: Chapter, sec: Section, label: str, block: int | None = None, cls: str = "") -> str:
    suffix = "" if block is None else f":b{block}"
    href = f"{OPEN_PREFIX}sec:{quote(doc.id, safe='')}:{_chapter_key(ch.number, ch.part)}:{_section_key(sec.number)}{suffix}"
    return f'<a class="toc-link {cls}" href="{esc(href)}">{esc(label)}</a>'


def _chapter_name(ch: Chapter) -> str:
    if ch.number is None:
        return f"{part_label(ch.part)} {ch.title}" if ch.part is not None else ch.title
    return "序言" if ch.number == 0 else f"{chapter_label(ch.number)} {ch.title}"


def _chapter_toc(doc: Document, ch: Chapter) -> str:
    label = _chapter_name(ch)
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


# ---------------------------------------------------------------- feedback log


class FeedbackError(RuntimeError):
    """The feedback file cannot be written; the message says which file and why, in Chinese, for the user."""


class FeedbackLog:
    """Append-only JSONL: one full record per vote or comment; the last record with an id is the verdict."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())  # a vote acknowledged on screen must survive a crash right after
        except OSError as e:
            log.error("feedback not written to %s: %s", self.path, e)
            raise FeedbackError(f"反馈没能保存：无法写入 {self.path}（{e.strerror or e}）。请联系管理员。") from e

    def problem(self) -> str | None:
        """Why the file is not writable, or None: checked at start-up so the operator hears it first."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8"):
                pass
        except OSError as e:
            return f"{self.path}: {e.strerror or e}"
        return None


def feedback_record(turn: dict[str, Any], rating: str, comment: str) -> dict[str, Any]:
    answer = turn["answer"]
    return {
        "id": turn["id"],
        "ts": datetime.now().astimezone().isoformat(timespec="seconds"),
        "rating": rating,
        "comment": comment,
        "question": answer["question"],
        "history": answer["history"],
        "answer": answer["answer"],
        "found": answer["found"],
        "citations": answer["citations"],
        "related": answer["related"],
        "rewritten_query": answer["rewritten_query"],
    }


# Words, not emoji: a staff PC or a headless test browser may have no emoji font.
RATING_CHOICES = [("有帮助", "up"), ("有问题", "down")]


def like_rating(liked: bool | str) -> str:
    if liked is True:
        return "up"
    if liked is False:
        return "down"
    return "withdrawn"  # the thumb was clicked again: recorded too, so the last record per id stays the truth


# ---------------------------------------------------------------- the app


class ChatHandlers:
    """Event handlers bound to one PlanAssistant; the session's answers live in a gr.State list of turns."""

    def __init__(self, pa: PlanAssistant, feedback: FeedbackLog) -> None:
        self.pa = pa
        self.feedback = feedback
        self.max_chars = pa.settings.max_question_chars
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def default_doc(self) -> str:
        # Read at each use, never cached: PlanAssistant.reload() swaps the documents under a running page.
        return self.pa.documents[0].id if self.pa.documents else ""

    async def ask(self, question: str, history: list[str]) -> Answer:
        # Created on first use: the limiter belongs to the server's event loop, which build time does not have.
        self._limiter = self._limiter or anyio.CapacityLimiter(ASK_SLOTS)
        return await anyio.to_thread.run_sync(partial(self.pa.ask, question, history), limiter=self._limiter)

    async def chat(self, message: str, chat: list[dict], turns: list[dict]) -> AsyncIterator[tuple[str, list, list]]:
        """The chat event: yields (input box, chat, turns) as the reply streams in."""
        question = (message or "").strip()
        chat, turns = list(chat or []), list(turns or [])
        if not question or len(question) > self.max_chars:
            yield self._refuse(message, question, chat), chat, turns
            return
        chat += [user_message(question), bot_message(render_pending())]
        yield "", chat, turns
        answer, streamed = None, False
        async for event in self._events(question, [t["question"] for t in turns]):
            if isinstance(event, Answer):
                answer = event
            else:  # an LLM is writing: its text as it arrives (the final Answer may replace it)
                streamed = True
                chat[-1] = bot_message(render_partial(strip_marks(event, partial=True)))
                yield "", chat, turns
        if answer is None:
            chat[-1] = bot_message(render_notice(ASK_FAILED))
            yield "", chat, turns
            return
        for shown in [] if streamed else stream_steps(answer.answer):
            chat[-1] = bot_message(render_reply(answer, self.default_doc, shown))
            yield "", chat, turns
            await anyio.sleep(STREAM_DELAY_S)
        chat[-1] = bot_message(render_reply(answer, self.default_doc))
        turns.append({"id": uuid.uuid4().hex[:16], "msg_index": len(chat) - 1, "question": question,
                      "answer": answer.model_dump(mode="json")})
        yield "", chat, turns

    def _refuse(self, message: str, question: str, chat: list[dict]) -> str:
        """Empty: a toast and nothing else. Too long: a polite reply, and the text stays in the box to be cut."""
        if not question:
            gr.Warning(EMPTY_QUESTION)
            return ""
        chat.extend(render_too_long(question, self.max_chars))
        return message

    async def _events(self, question: str, history: list[str]) -> AsyncIterator[str | Answer]:
        """PlanAssistant.stream, one step per worker-thread call: the text so far, then the Answer."""
        self._limiter = self._limiter or anyio.CapacityLimiter(ASK_SLOTS)
        events = self.pa.stream(question, history)
        text = ""
        try:
            while (event := await anyio.to_thread.run_sync(next, events, None, limiter=self._limiter)) is not None:
                if isinstance(event, Answer):
                    yield event
                    return
                text += event
                yield text
        except Exception:  # one failing question must not take the chat (or the server) with it
            log.exception("ask failed for %r", question[:80])

    async def ask_api(self, question: str, history: list[str] | None = None) -> str:
        """Ask the plan one question; `history` = earlier user messages of the chat, oldest first.

        Returns the Answer as a JSON string: as a dict, gradio_client would take each citation (it has a
        "path" key) for a file to download and fail with 403.
        """
        question = (question or "").strip()
        if not question:
            raise gr.Error(EMPTY_QUESTION)
        if len(question) > self.max_chars:
            raise gr.Error(f"问题太长了（{len(question)} 字），请精简到 {self.max_chars} 字以内。")
        answer = await self.ask(question, [h for h in (history or []) if isinstance(h, str)])
        return answer.model_dump_json()

    def open_target(self, event: gr.EventData) -> tuple[str, Any]:
        data = getattr(event, "_data", None)
        raw = str(data.get("target", "")) if isinstance(data, dict) else ""
        raw = raw[:500]  # it comes from the browser: a real link is far shorter
        return render_reader(self.pa, raw), gr.Tabs(selected="reader")

    def on_like(self, data: gr.LikeData, turns: list[dict]) -> tuple[Any, ...]:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn_no = next((i for i, t in enumerate(turns or []) if t["msg_index"] == index), None)
        if turn_no is None:
            gr.Info("这条是系统提示，不需要反馈。")
            return (gr.update(),) * 6
        rating = like_rating(data.liked)
        self._write(feedback_record(turns[turn_no], rating, ""))  # the vote is kept even if no comment follows
        if rating == "withdrawn":
            return (*feedback_panel(False), gr.update(), gr.update(), gr.update(), gr.update())
        note = FEEDBACK_NOTES[rating]
        return (*feedback_panel(True), turn_no, rating, "", note)

    def submit_feedback(self, turn_no: int | float | None, rating: str, comment: str, turns: list[dict]) -> str:
        """Record a verdict ("up"/"down") and an optional comment on answer number `turn_no` (0-based) of this chat."""
        turns = turns or []
        if turn_no is None or not 0 <= int(turn_no) < len(turns):
            raise gr.Error("找不到这条回答（对话可能已清空），无法记录反馈。")
        if rating not in ("up", "down"):
            raise gr.Error("请选择“有帮助”或“有问题”。")
        comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
        self._write(feedback_record(turns[int(turn_no)], rating, comment))
        gr.Info("反馈已保存，谢谢！")
        return "已保存，谢谢您的反馈！"

    def _write(self, record: dict[str, Any]) -> None:
        try:
            self.feedback.append(record)
        except FeedbackError as e:
            raise gr.Error(str(e)) from e


def pick_example(event: gr.SelectData) -> str:
    value = event.value if isinstance(event.value, dict) else {}
    return str(value.get("text", ""))


CHAT_HEIGHT = "calc(100vh - 250px)"
# The feedback form opens under the chat; the chat gives up the room so the input stays on screen.
CHAT_HEIGHT_WITH_FEEDBACK = "calc(100vh - 380px)"
FEEDBACK_NOTES = {
    "up": "已记录：**有帮助**。如有补充，可以写在下面（可选）。",
    "down": "已记录：**有问题**。能写一句哪里不对、正确的说法或出处吗？（可选）",
}


def feedback_panel(open_: bool) -> tuple[Any, Any]:
    """(feedback group, chatbot) updates that open or close the form."""
    height = CHAT_HEIGHT_WITH_FEEDBACK if open_ else CHAT_HEIGHT
    return gr.update(visible=open_), gr.update(height=height)


def close_feedback() -> tuple[Any, Any, str]:
    return (*feedback_panel(False), "")


def reset_chat() -> tuple[Any, ...]:
    """Empty chat (with the form closed), no turns, empty input, reader back to its guide."""
    return gr.update(value=[], height=CHAT_HEIGHT), [], gr.update(visible=False), "", READER_WELCOME


def header_html(docs: list[Document]) -> str:
    source = (f"依据《{esc(docs[0].title)}》原文作答" if len(docs) == 1
              else f"依据{len(docs)}部规划原文作答：" + "、".join(esc(d.profile.short_name if d.profile else d.id)
                                                           for d in docs) if docs else "依据规划原文作答")
    return (f'<header class="app-header"><div class="brand">{esc(page_title(docs))}</div>'
            f'<div class="subtitle">{source} · 每个回答都注明章节出处 · 本机离线运行</div></header>')


# Runs once in the page: any click on an `#open:` link (citation chip, table of contents) asks the
# server for that passage. One document-level listener covers chat bubbles rendered long after load.
BRIDGE_JS = """
window.__planqaOpen = (target) => trigger('click', { target });
if (!window.__planqaBound) {
  window.__planqaBound = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#open:"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    window.__planqaOpen(link.getAttribute('href').slice(6));
  }, true);
}
"""

# Brings the highlight (or the chosen 专栏) into view inside the reader whenever it opens something new.
READER_JS = """
const reveal = () => requestAnimationFrame(() => {
  const body = element.querySelector('.reader-body');
  if (!body) return;
  const hit = body.querySelector('mark, .focus');
  if (!hit) { body.scrollTop = 0; return; }
  const top = hit.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop;
  body.scrollTop = Math.max(0, top - body.clientHeight / 4);
});
watch('value', reveal);
"""

PLACEHOLDER = (
    "<div class='welcome'><h2>您好，请问想了解规划的哪方面？</h2>"
    "<p>我只依据规划原文回答，并标出所在的章、节和专栏；规划里没有的内容会直接说明。</p></div>"
)


def build_app(pa: PlanAssistant, *, feedback_path: Path | None = None) -> gr.Blocks:
    """The whole page around one loaded assistant; feedback goes to settings.feedback_path unless given."""
    handlers = ChatHandlers(pa, FeedbackLog(Path(feedback_path or pa.settings.feedback_path)))
    title = page_title(pa.documents)
    examples = examples_for(pa.documents, pa.sources)
    with gr.Blocks(title=title, analytics_enabled=False, fill_width=True) as demo:
        header = gr.HTML(header_html(pa.documents), js_on_load=BRIDGE_JS, elem_id="app-header")
        turns = gr.State([])
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=420, elem_id="chat-col"):
                chatbot = gr.Chatbot(
                    elem_id="chat", show_label=False, height=CHAT_HEIGHT, min_height=360,
                    placeholder=PLACEHOLDER, examples=[{"text": q} for q in examples],
                    feedback_options=("Like", "Dislike"), buttons=["copy"], latex_delimiters=[],
                    allow_tags=False, group_consecutive_messages=False, layout="bubble",
                )
                with gr.Column(visible=False, variant="panel", elem_id="feedback") as fb_group:
                    with gr.Row(equal_height=True):
                        fb_note = gr.Markdown(elem_id="fb-note")
                        fb_rating = gr.Radio(RATING_CHOICES, show_label=False, container=False, scale=0,
                                             min_width=220, elem_id="fb-rating")
                    with gr.Row(equal_height=True):
                        fb_comment = gr.Textbox(show_label=False, placeholder="例如：应为“不低于60%”，见第七章第三节",
                                                scale=6, max_lines=3, elem_id="fb-comment")
                        fb_send = gr.Button("提交反馈", variant="primary", scale=0, min_width=96, elem_id="fb-send")
                        fb_close = gr.Button("收起", variant="secondary", scale=0, min_width=64, elem_id="fb-close")
                    fb_turn = gr.Number(visible="hidden", precision=0, elem_id="fb-turn")
                with gr.Row(elem_id="input-row"):
                    box = gr.Textbox(show_label=False, placeholder="输入问题，按回车发送",
                                     lines=1, max_lines=4, submit_btn="发送", scale=8, elem_id="question",
                                     autofocus=True)
                    clear = gr.Button("清空对话", variant="secondary", scale=1, min_width=96, elem_id="clear")
            with gr.Column(scale=2, min_width=360, elem_id="side-col"):
                with gr.Tabs(selected="reader", elem_id="side-tabs") as tabs:
                    with gr.Tab("原文", id="reader"):
                        reader = gr.HTML(READER_WELCOME, js_on_load=READER_JS, elem_id="reader")
                    with gr.Tab("目录", id="toc"):
                        gr.HTML(render_toc(pa.documents), elem_id="toc")
                    indicators_tab(pa)  # 指标一览: assistant/web_indicators.py
                    plans_tab(pa, pa.settings)  # 规划管理: assistant/web_plans.py

        chat_io = dict(inputs=[box, chatbot, turns], outputs=[box, chatbot, turns])
        box.submit(handlers.chat, **chat_io, api_name="chat", show_progress="hidden")
        chatbot.example_select(pick_example, None, box, api_visibility="private", queue=False).then(
            handlers.chat, **chat_io, api_visibility="private", show_progress="hidden")
        header.click(handlers.open_target, None, [reader, tabs], api_visibility="private", queue=False)
        chatbot.like(handlers.on_like, [turns], [fb_group, chatbot, fb_turn, fb_rating, fb_comment, fb_note],
                     api_visibility="private", queue=False, show_progress="hidden")
        fb_send.click(handlers.submit_feedback, [fb_turn, fb_rating, fb_comment, turns], fb_note,
                      api_name="feedback", queue=False).success(
            close_feedback, None, [fb_group, chatbot, fb_comment], api_visibility="private", queue=False)
        fb_close.click(close_feedback, None, [fb_group, chatbot, fb_comment], api_visibility="private", queue=False)
        for cleared in (clear.click, chatbot.clear):  # our button and the chatbot's own bin icon
            cleared(reset_chat, None, [chatbot, turns, fb_group, box, reader], api_visibility="private", queue=False)
        gr.api(handlers.ask_api, api_name="ask")
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY, max_size=QUEUE_MAX)
    return demo


# ---------------------------------------------------------------- look and serving


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="blue", secondary_hue="sky", neutral_hue="slate",
                          font=FONT, font_mono=FONT_MONO).set(
        body_background_fill="#f4f6fa", block_radius="12px", button_large_radius="10px")


CSS = """
.gradio-container { max-width: 1440px !important; width: 100% !important; margin: 0 auto !important; }
#side-col { background: var(--block-background-fill); border-radius: 12px; padding: 6px 16px 12px;
  box-shadow: var(--block-shadow); border: 1px solid var(--block-border-color); }
#chat .example { border: 1px solid #dbe3ef; border-radius: 10px; background: #f8fafc; }
#chat .example:hover { border-color: #93c5fd; background: #eff6ff; }
.dark #chat .example { background: transparent; }
.app-header { padding: 6px 4px 2px; }
.app-header .brand { font-size: 22px; font-weight: 700; color: #0f2a5c; letter-spacing: .5px; }
.app-header .subtitle { font-size: 13px; color: #64748b; margin-top: 2px; }
.dark .app-header .brand { color: #e2e8f0; }
#chat .welcome { text-align: center; color: #475569; }
#chat .welcome h2 { font-size: 20px; margin-bottom: 6px; }
.reply p { margin: 0; line-height: 1.75; }
.reply .badge { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 999px;
  padding: 1px 10px; margin-bottom: 6px; }
.reply-notfound { border-left: 3px solid #f59e0b; padding-left: 10px; }
.badge-notfound { background: #fef3c7; color: #92400e; border: 1px solid #fcd34d; }
.reply-notice { border-left: 3px solid #94a3b8; padding-left: 10px; }
.badge-notice { background: #f1f5f9; color: #475569; border: 1px solid #cbd5e1; }
.reply-pending .dots { color: #64748b; }
.reply-pending .dots::after { content: "…"; animation: planqa-blink 1s steps(2) infinite; }
@keyframes planqa-blink { 50% { opacity: 0; } }
.reply .cursor { color: #3b82f6; animation: planqa-blink 1s steps(2) infinite; }
.cites { margin-top: 8px; display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.cites-label { font-size: 12px; color: #64748b; margin-right: 2px; }
a.cite-chip { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px;
  line-height: 1.6; background: #eff6ff; color: #1d4ed8 !important; border: 1px solid #bfdbfe;
  text-decoration: none !important; cursor: pointer; }
a.cite-chip:hover, a.cite-chip:focus { background: #dbeafe; border-color: #93c5fd; }
.related { margin-top: 8px; }
.related-title { font-size: 13px; color: #92400e; margin-bottom: 4px; }
.related ul { margin: 0; padding-left: 0; list-style: none; }
.related li { margin: 4px 0; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.related .snippet { font-size: 13px; color: #475569; }
#input-row { align-items: stretch; }
#feedback { background: #fffbeb; border-color: #fcd34d; gap: 6px; }
#fb-rating .wrap { flex-wrap: nowrap; }
.dark #feedback { background: transparent; }
#fb-note p { margin: 6px 0 0; font-size: 14px; }
#chat .bubble-wrap { padding-top: 30px; }
#reader .reader, #toc .toc { font-size: 15px; }
.reader-head .doc-title { font-size: 12px; color: #64748b; }
.reader-head .crumb { font-size: 13px; color: #475569; margin-top: 2px; }
.reader-head h3 { margin: 4px 0 8px; font-size: 18px; color: #0f2a5c; }
.dark .reader-head h3 { color: #e2e8f0; }
.reader-quote { margin: 0 0 10px; padding: 8px 12px; border-left: 3px solid #f59e0b;
  background: #fffbeb; color: #78350f; border-radius: 6px; font-size: 14px; }
.reader-quote .quote-label { display: block; font-size: 12px; font-weight: 600; margin-bottom: 2px; }
.reader-body { max-height: calc(100vh - 385px); min-height: 300px; overflow-y: auto; padding-right: 6px; }
.reader-body::after { content: ""; display: block; height: 96px; }
.reader-body p { line-height: 1.85; margin: 0 0 .8em; text-align: justify; }
.reader-body mark { background: #fde68a; color: inherit; padding: 1px 2px; border-radius: 3px; }
.reader-body .box { border: 1px solid #dbe3ef; border-radius: 8px; padding: 10px 12px;
  background: #f8fafc; margin: .8em 0; }
.dark .reader-body .box { background: transparent; }
.reader-body .box.focus, .reader-body .para.focus { border-color: #3b82f6; box-shadow: 0 0 0 2px #bfdbfe; }
.reader-body .box-title { font-weight: 700; margin-bottom: 6px; color: #1e3a8a; }
.reader-body .box-item { margin: 0 0 .5em; }
.reader-body .table-note { font-size: 14px; margin: .6em 0; }
.muted { color: #94a3b8; font-size: 13px; }
.reader-empty h3 { margin-top: 4px; }
.reader-empty p { color: #475569; line-height: 1.8; }
.toc { max-height: calc(100vh - 250px); overflow-y: auto; }
.toc-doc { font-size: 13px; color: #334155; margin-bottom: 8px; }
.toc-doc .muted { display: block; }
.toc-ch { margin: 2px 0; }
.toc-ch summary { cursor: pointer; padding: 5px 4px; border-radius: 6px; font-weight: 600; color: #1e293b; }
.dark .toc-ch summary { color: #e2e8f0; }
.toc-ch summary:hover { background: #eef2f7; }
.toc-flat { padding: 5px 4px; font-weight: 600; }
.toc ul { list-style: none; margin: 2px 0 6px 14px; padding: 0; }
.toc ul.toc-boxes { margin: 0 0 2px 14px; }
a.toc-link { color: #1d4ed8 !important; text-decoration: none !important; line-height: 1.9; }
a.toc-link:hover { text-decoration: underline !important; }
a.toc-link.toc-box { font-size: 13px; color: #0f766e !important; }
"""


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("PLANQA_AUTH must look like user:password")
    return user, password


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """launch() options that keep the page on this machine: no share tunnel, no outside calls, no extra pages."""
    return dict(
        server_name=settings.host, server_port=settings.port, auth=parse_auth(settings.auth),
        auth_message="规划问答助手：请输入账号和密码", share=False, theme=theme(), css=CSS,
        footer_links=[], run_history=False, enable_monitoring=False, mcp_server=False, pwa=False,
        ssr_mode=False, show_error=False, max_file_size="1mb", max_threads=64, quiet=False,
    )


def serve(demo: gr.Blocks, settings: Settings, *, block: bool = True, **overrides: Any) -> str:
    """Start the server; returns its local URL (only useful with block=False, e.g. in tests)."""
    problem = FeedbackLog(Path(settings.feedback_path)).problem()
    if problem:
        log.warning("feedback cannot be saved (%s): votes will show an error until this is fixed", problem)
    _, url, _ = demo.launch(**{**launch_kwargs(settings), **overrides, "prevent_thread_lock": not block})
    return url
