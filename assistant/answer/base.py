"""What every answerer takes and gives: the rewritten question and retrieved hits in, a Draft out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

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
    """Chosen by `Settings.answerer` (answer/__init__.py): "extractive" or "llm" (answer/llm.py)."""

    def __call__(self, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str] = (),
                 history: Sequence[str] = ()) -> Draft: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    """An answerer that can show its reply as it is written: text deltas, then the final (checked) Draft.

    The final Draft may replace what was streamed (trace["llm"]["replaced"]); the caller must show it.
    """

    def stream(self, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str] = (),
               history: Sequence[str] = ()) -> Iterator[str | Draft]: ...
