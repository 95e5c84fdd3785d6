"""The feedback log: every vote and comment staff give an answer, appended to a JSONL file."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Words, not emoji: a staff PC or a headless test browser may have no emoji font.
RATING_CHOICES = [("有帮助", "up"), ("有问题", "down")]


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
