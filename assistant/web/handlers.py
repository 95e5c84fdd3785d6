"""Event handlers of the page, bound to one PlanAssistant. A chat's answers live in a list of turns
(gr.State, mirrored to the browser's storage so that a reload keeps the chat)."""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import gradio as gr

from ..answer.grounding import strip_marks
from ..indicators import loaded_indicators
from ..models import Answer
from ..service import PlanAssistant
from .export import conversation_markdown
from .feedback import RATING_CHOICES, FeedbackError, FeedbackLog, feedback_record, like_rating
from .pictures import Pictures
from .reader import READER_WELCOME, render_deep_link, render_reader, render_search
from .render import bot_message, render_notice, render_partial, render_pending, render_reply, render_too_long, \
    stream_steps, user_message
from .suggest import suggestions

log = logging.getLogger(__name__)

# ask() is CPU-bound (the embedding model already uses both cores of the target box): on 2 cores, 20
# concurrent chats finish no sooner with 4 slots than with 1 or 2, and later with 8. Only ask() is limited;
# the streaming around it is not, so a queued chat's bubble appears at once and fills in when its turn comes.
ASK_SLOTS = 2
STREAM_DELAY_S = 0.03
MAX_COMMENT_CHARS = 2000
EMPTY_QUESTION = "请输入一个关于规划的问题。"
ASK_FAILED = "抱歉，这次查询出错了，请稍后再试；如果反复出现，请联系管理员。"
NOTICE = "提示"  # the title of Gradio's toasts, which it would otherwise write in English
DEEP_LINK_PREFIX = "link:"  # app.js sends a page address's `#7.3` / `?open=…` as "link:7.3"

CHAT_HEIGHT = "calc(100vh - 250px)"
# The feedback form opens under the chat; the chat gives up the room so the input stays on screen.
CHAT_HEIGHT_WITH_FEEDBACK = "calc(100vh - 380px)"
FEEDBACK_NOTES = {
    "up": "已记录：**有帮助**。如有补充，可以写在下面（可选）。",
    "down": "已记录：**有问题**。能写一句哪里不对、正确的说法或出处吗？（可选）",
}
RATING_NAMES = {value: label for label, value in RATING_CHOICES}


def feedback_panel(open_: bool) -> tuple[Any, Any]:
    """(feedback group, chatbot) updates that open or close the form."""
    height = CHAT_HEIGHT_WITH_FEEDBACK if open_ else CHAT_HEIGHT
    return gr.update(visible=open_), gr.update(height=height)


def close_feedback() -> tuple[Any, Any, str]:
    return (*feedback_panel(False), "")


def feedback_done(turn_no: int, rating: str, comment: str) -> str:
    """The confirmation that stays on the page once the form closes (a toast is easy to miss)."""
    said = "，意见已附上" if comment else ""
    return (f'<div class="fb-done" role="status">反馈已保存：第 {turn_no + 1} 条回答'
            f'「{RATING_NAMES.get(rating, rating)}」{said}。谢谢！</div>')


def reset_chat() -> tuple[Any, ...]:
    """Empty chat (with the form closed), no turns, empty input, reader back to its guide, nothing saved."""
    return (gr.update(value=[], height=CHAT_HEIGHT), [], gr.update(visible=False), "", READER_WELCOME,
            saved_chat([], []), "", gr.update(value=None, interactive=False))


def pick_example(event: gr.SelectData) -> str:
    value = event.value if isinstance(event.value, dict) else {}
    return str(value.get("text", ""))


def saved_chat(chat: list[dict], turns: list[dict]) -> dict[str, list]:
    """What the browser keeps (gr.BrowserState) so that a reload of the page keeps the chat."""
    return {"chat": list(chat or []), "turns": list(turns or [])}


def restore_chat(saved: dict | None) -> tuple[list, list]:
    if not isinstance(saved, dict):
        return [], []
    chat, turns = saved.get("chat"), saved.get("turns")
    return (chat, turns) if isinstance(chat, list) and isinstance(turns, list) else ([], [])


class ChatHandlers:
    """Event handlers bound to one PlanAssistant and one feedback log."""

    def __init__(self, pa: PlanAssistant, feedback: FeedbackLog, title: str = "") -> None:
        self.pa = pa
        self.feedback = feedback
        self.title = title
        self.max_chars = pa.settings.max_question_chars
        self.pictures = Pictures(lambda: self.pa.documents)  # read at each use: a reload swaps the plans
        self.exports = Path(tempfile.mkdtemp(prefix="planqa-export-"))
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def default_doc(self) -> str:
        # Read at each use, never cached: PlanAssistant.reload() swaps the documents under a running page.
        return self.pa.documents[0].id if self.pa.documents else ""

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Created on first use: the limiter belongs to the server's event loop, which build time does not have.
        self._limiter = self._limiter or anyio.CapacityLimiter(ASK_SLOTS)
        return self._limiter

    async def ask(self, question: str, history: list[str]) -> Answer:
        return await anyio.to_thread.run_sync(partial(self.pa.ask, question, history), limiter=self.limiter)

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
            chat[-1] = bot_message(render_reply(answer, self.default_doc, shown, pictures=self.pictures))
            yield "", chat, turns
            await anyio.sleep(STREAM_DELAY_S)
        more = suggestions(answer, self.pa.documents, loaded_indicators(self.pa.documents, self.pa.sources))
        chat[-1] = bot_message(render_reply(answer, self.default_doc, suggestions=more, pictures=self.pictures))
        turns.append({"id": uuid.uuid4().hex[:16], "msg_index": len(chat) - 1, "question": question,
                      "answer": answer.model_dump(mode="json", exclude={"trace"})})  # the trace is for the CLI
        yield "", chat, turns

    def _refuse(self, message: str, question: str, chat: list[dict]) -> str:
        """Empty: a toast and nothing else. Too long: a polite reply, and the text stays in the box to be cut."""
        if not question:
            gr.Warning(EMPTY_QUESTION, title=NOTICE)
            return ""
        chat.extend(render_too_long(question, self.max_chars))
        return message

    async def _events(self, question: str, history: list[str]) -> AsyncIterator[str | Answer]:
        """PlanAssistant.stream, one step per worker-thread call: the text so far, then the Answer."""
        events = self.pa.stream(question, history)
        text = ""
        try:
            while (event := await anyio.to_thread.run_sync(next, events, None, limiter=self.limiter)) is not None:
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

    # ---------------------------------------------------------------- reader

    def open_target(self, event: gr.EventData) -> tuple[str, Any]:
        """A click on an `#open:` link, or (from app.js) the page address's deep link."""
        data = getattr(event, "_data", None)
        raw = str(data.get("target", "")) if isinstance(data, dict) else ""
        raw = raw[:500]  # it comes from the browser: a real link is far shorter
        if raw.startswith(DEEP_LINK_PREFIX):
            page = render_deep_link(self.pa, raw.removeprefix(DEEP_LINK_PREFIX))
            return (page, gr.Tabs(selected="reader")) if page else (gr.update(), gr.update())
        return render_reader(self.pa, raw), gr.Tabs(selected="reader")

    def search(self, query: str) -> tuple[str, Any]:
        return render_search(self.pa, query), gr.Tabs(selected="reader")

    # ---------------------------------------------------------------- export

    def export(self, turns: list[dict]) -> Any:
        """The 导出对话 button's file: the chat so far as Markdown, rewritten after every answer."""
        if not turns:
            return gr.update(value=None, interactive=False)
        path = self.exports / uuid.uuid4().hex[:12] / "对话记录.md"
        path.parent.mkdir(parents=True)
        path.write_text(conversation_markdown(self.title, turns), encoding="utf-8")
        return gr.update(value=str(path), interactive=True)

    # ---------------------------------------------------------------- feedback

    def on_like(self, data: gr.LikeData, turns: list[dict]) -> tuple[Any, ...]:
        """(form, chatbot, turn no., rating, comment, note, confirmation) on a thumb click."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn_no = next((i for i, t in enumerate(turns or []) if t["msg_index"] == index), None)
        if turn_no is None:
            gr.Info("这条是系统提示，不需要反馈。", title=NOTICE)
            return (gr.update(),) * 7
        rating = like_rating(data.liked)
        self._write(feedback_record(turns[turn_no], rating, ""))  # the vote is kept even if no comment follows
        if rating == "withdrawn":
            return (*feedback_panel(False), gr.update(), gr.update(), gr.update(), gr.update(),
                    '<div class="fb-done" role="status">已撤销这条反馈。</div>')
        return (*feedback_panel(True), turn_no, rating, "", FEEDBACK_NOTES[rating], "")

    def submit_feedback(self, turn_no: int | float | None, rating: str, comment: str, turns: list[dict]) -> str:
        """Record a verdict ("up"/"down") and an optional comment on answer number `turn_no` (0-based) of this
        chat; returns the confirmation shown under the chat (it stays there, unlike a toast)."""
        turns = turns or []
        if turn_no is None or not 0 <= int(turn_no) < len(turns):
            raise gr.Error("找不到这条回答（对话可能已清空），无法记录反馈。", title=NOTICE)
        if rating not in ("up", "down"):
            raise gr.Error("请选择“有帮助”或“有问题”。", title=NOTICE)
        comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
        self._write(feedback_record(turns[int(turn_no)], rating, comment))
        return feedback_done(int(turn_no), rating, comment)

    def _write(self, record: dict[str, Any]) -> None:
        try:
            self.feedback.append(record)
        except FeedbackError as e:
            raise gr.Error(str(e), title="出错了") from e
