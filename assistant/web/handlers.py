"""The chat's event handlers: a question (streamed into the chat), the /ask API and the 导出对话 file.
A chat's answers live in a list of turns (gr.State, mirrored to the browser's storage so that a reload
keeps the chat). The feedback form's handlers are in feedback.py, the reader's in reader.py."""

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
from ..library import Corpus
from ..models import Answer
from .export import conversation_markdown
from .header import page_title
from .feedback import CHAT_HEIGHT, NOTICE
from .pictures import Pictures
from .protocol import PlanService
from .reader import READER_WELCOME
from .render import bot_message, render_notice, render_partial, render_pending, render_reply, render_too_long, \
    stream_steps, user_message

log = logging.getLogger(__name__)

# ask() is CPU-bound (the embedding model already uses both cores of the target box): on 2 cores, 20
# concurrent chats finish no sooner with 4 slots than with 1 or 2, and later with 8. Only ask() is limited;
# the streaming around it is not, so a queued chat's bubble appears at once and fills in when its turn comes.
ASK_SLOTS = 2
STREAM_DELAY_S = 0.03
EMPTY_QUESTION = "请输入一个关于规划的问题。"
ASK_FAILED = "抱歉，这次查询出错了，请稍后再试；如果反复出现，请联系管理员。"

def reset_chat() -> tuple[Any, ...]:
    """Empty chat (with the form closed), no turns, empty input, reader back to its guide, nothing saved."""
    return (gr.update(value=[], height=CHAT_HEIGHT), [], gr.update(visible=False), "", READER_WELCOME,
            saved_chat([], []), "", gr.update(value=None, interactive=False))


def scope_names(answer: Answer, corpus: Corpus) -> list[str]:
    """The plans an answer was looked up in, by name, when it was not every loaded plan."""
    scope = (answer.trace or {}).get("scope") or []
    return [corpus.names.get(d, d) for d in scope] if corpus.several else []


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
    """The chat's events, bound to the assistant's protocol (web/protocol.py)."""

    def __init__(self, svc: PlanService) -> None:
        self.svc = svc
        self.max_chars = svc.settings.max_question_chars
        self.pictures = Pictures(lambda: self.svc.current().documents)  # read at each use: a reload swaps the plans
        self.exports = Path(tempfile.mkdtemp(prefix="planqa-export-"))
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Created on first use: the limiter belongs to the server's event loop, which build time does not have.
        self._limiter = self._limiter or anyio.CapacityLimiter(ASK_SLOTS)
        return self._limiter

    async def ask(self, question: str, history: list[str], plans: list[str] | None = None) -> Answer:
        return await anyio.to_thread.run_sync(partial(self.svc.ask, question, history, plans or ()),
                                              limiter=self.limiter)

    async def chat(self, message: str, chat: list[dict], turns: list[dict],
                   plans: list[str] | None = None) -> AsyncIterator[tuple[str, list, list]]:
        """The chat event: yields (input box, chat, turns) as the reply streams in. `plans`: the plans
        chosen in the picker (none: all)."""
        question = (message or "").strip()
        chat, turns = list(chat or []), list(turns or [])
        if not question or len(question) > self.max_chars:
            yield self._refuse(message, question, chat), chat, turns
            return
        chat += [user_message(question), bot_message(render_pending())]
        yield "", chat, turns
        answer, streamed = None, False
        corpus = self.svc.current()  # the plans this answer is shown against (a reload may come meanwhile)
        default_doc = corpus.documents[0].id if corpus.documents else ""
        async for event in self._events(question, [t["question"] for t in turns], plans or []):
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
            chat[-1] = bot_message(render_reply(answer, default_doc, shown, pictures=self.pictures))
            yield "", chat, turns
            await anyio.sleep(STREAM_DELAY_S)
        chat[-1] = bot_message(render_reply(answer, default_doc, suggestions=self.svc.suggestions(answer),
                                            pictures=self.pictures, scope=scope_names(answer, corpus)))
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

    async def _events(self, question: str, history: list[str], plans: list[str]) -> AsyncIterator[str | Answer]:
        """The service's stream, one step per worker-thread call: the text so far, then the Answer."""
        events = self.svc.stream(question, history, plans)
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

    async def ask_api(self, question: str, history: list[str] | None = None, plans: list[str] | None = None) -> str:
        """Ask the plan one question; `history` = earlier user messages of the chat, oldest first;
        `plans`: the ids of the plans to ask (none: every loaded plan).

        Returns the Answer as a JSON string: as a dict, gradio_client would take each citation (it has a
        "path" key) for a file to download and fail with 403.
        """
        question = (question or "").strip()
        if not question:
            raise gr.Error(EMPTY_QUESTION)
        if len(question) > self.max_chars:
            raise gr.Error(f"问题太长了（{len(question)} 字），请精简到 {self.max_chars} 字以内。")
        answer = await self.ask(question, [h for h in (history or []) if isinstance(h, str)],
                                [p for p in (plans or []) if isinstance(p, str)])
        return answer.model_dump_json()

    # ---------------------------------------------------------------- export

    def export(self, turns: list[dict]) -> Any:
        """The 导出对话 button's file: the chat so far as Markdown, rewritten after every answer."""
        if not turns:
            return gr.update(value=None, interactive=False)
        path = self.exports / uuid.uuid4().hex[:12] / "对话记录.md"
        path.parent.mkdir(parents=True)
        path.write_text(conversation_markdown(page_title(self.svc.plans()), turns), encoding="utf-8")
        return gr.update(value=str(path), interactive=True)
