"""What every answerer takes and gives: the rewritten question and retrieved hits in, a Draft out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, Field

from ..followup import RewrittenQuery
from ..models import Citation, Hit


class Draft(BaseModel):
    answer: str
    found: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)  # offered as reading when found is false
    trace: dict[str, Any] = Field(default_factory=dict)  # how it was decided, for `ask --json` and debugging


class Answerer(Protocol):
    """Chosen by `Settings.answerer` (answer/__init__.py): "extractive" today, "llm" as an option."""

    def __call__(self, rq: RewrittenQuery, hits: Sequence[Hit]) -> Draft: ...
