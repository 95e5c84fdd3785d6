"""Feedback: the log (every vote and comment staff give an answer, appended to a JSONL file) and the
form's event handlers under the chat."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import gradio as gr

log = logging.getLogger(__name__)

# Words, not emoji: a staff PC or a headless test browser may have no emoji font.
RATING_CHOICES = [("有帮助", "up"), ("有问题", "down")]
MAX_COMMENT_CHARS = 2000
NOTICE = "提示"  # the title of Gradio's toasts, which it would otherwise write in English
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


def like_rating(liked: bool | str) -> str:
    if liked is True:
        return "up"
    if liked is False:
        return "down"
    return "withdrawn"  # the thumb was clicked again: recorded too, so the last record per id stays the truth


class FeedbackHandlers:
    """The form's events: a thumb click records the vote and opens the form; 提交反馈 adds the comment."""

    def __init__(self, log_: FeedbackLog) -> None:
        self.feedback = log_

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
