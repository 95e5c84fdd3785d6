"""What the web page may ask of the assistant: this protocol and nothing else (tests/test_layers.py
checks it). Every view reads `current()` (the plans loaded now, one immutable value) when it is shown,
never when the page is built: a plan added or removed under a running page shows in every view."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from ..align import Alignment
from ..config import Settings
from ..indicators import Indicator
from ..ingest import AddResult
from ..ingest.pictures import Progress
from ..library import Corpus, PlanEntry
from ..models import Answer

ProgressFn = Callable[[int, int], None]  # (sentences embedded, of how many): indexing.ProgressFn


class PlanService(Protocol):
    settings: Settings

    @property
    def version(self) -> str: ...

    def current(self) -> Corpus: ...

    def plans(self) -> list[PlanEntry]: ...

    def indicators(self) -> list[Indicator]: ...

    def examples(self, n: int = 3) -> list[str]: ...

    def suggestions(self, answer: Answer, limit: int = 3) -> list[str]: ...

    def ask(self, question: str, history: list[str] | None = None, plans: Sequence[str] = ()) -> Answer: ...

    def stream(self, question: str, history: list[str] | None = None,
               plans: Sequence[str] = ()) -> Iterator[str | Answer]: ...

    def add_plan(self, source: Path, *, name: str | None = None, progress: Progress | None = None,
                 on_index: ProgressFn | None = None) -> AddResult: ...

    def remove_plan(self, doc_id: str, on_index: ProgressFn | None = None) -> Path: ...

    def restore_plan(self, doc_id: str | None = None, on_index: ProgressFn | None = None) -> str: ...

    def removed(self) -> list[str]: ...

    def align(self, lower: str, upper: str) -> Alignment: ...
