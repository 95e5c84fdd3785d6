"""The plans as a library: `Corpus`, what is loaded at one moment (an immutable value every view reads
whole), and `Library`, the one flow that changes the corpus (add, remove to the trash, restore, then
bring the index up to date), used alike by the CLI and by PlanAssistant for the web page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from .config import Settings
from .corpus import document_text, load_corpus
from .indexing import PlanIndex, ProgressFn, open_index
from .indicators import Indicator, indicators_for
from .ingest import AddResult, add_plan, remove_plan, restore_plan, trashed_plans
from .ingest.pictures import Progress
from .models import Document
from .profile import precedence


class PlanEntry(BaseModel):
    """One loaded plan as a list or a picker shows it."""

    id: str
    name: str  # the short name ("南京市十五五"), or the id when the plan has no profile
    title: str
    level: str | None = None
    period: str | None = None
    start_year: int | None = None
    target_year: int | None = None
    chapters: int = 0

    @property
    def group(self) -> str:
        """"市 · 十五五": what a picker groups plans under."""
        return " · ".join(x for x in (self.level or "其他", self.period) if x)

    @property
    def label(self) -> str:
        """"市 · 十五五 · 南京市十五五": the plan in a choice of plans, its group first."""
        return f"{self.group} · {self.name}"


def plan_entry(doc: Document) -> PlanEntry:
    p = doc.profile
    return PlanEntry(id=doc.id, name=p.short_name if p else doc.id, title=doc.title, level=p.level if p else None,
                     period=p.period if p else None, start_year=p.start_year if p else None,
                     target_year=p.target_year if p else None,
                     chapters=sum(1 for c in doc.chapters if c.number and not c.appendix))


@dataclass(frozen=True, eq=False)
class Corpus:
    """The loaded plans at one moment. A reload makes a new one; a view reads one whole, so it never mixes
    two corpora. `version` changes whenever a plan is added, removed or changed."""

    documents: list[Document]
    sources: dict[str, str] = field(repr=False)

    @classmethod
    def of(cls, documents: list[Document]) -> "Corpus":
        return cls(documents, {d.id: document_text(d) for d in documents})

    @cached_property
    def version(self) -> str:
        h = hashlib.sha1()
        for d in self.documents:
            h.update(f"{d.id}\0{hashlib.sha1(self.sources[d.id].encode()).hexdigest()}\0".encode())
        return h.hexdigest()[:12]

    @cached_property
    def indicators(self) -> list[Indicator]:
        """Every plan's indicator rows, computed once per corpus on first use."""
        return indicators_for(self.documents, self.sources)

    @cached_property
    def plans(self) -> list[PlanEntry]:
        """The loaded plans, superior level first, then by period and name (the corpus keeps file order)."""
        return [e for _, e in sorted(((d, plan_entry(d)) for d in self.documents),
                                     key=lambda de: (*precedence(de[0].profile), de[1].name, de[1].id))]

    @cached_property
    def names(self) -> dict[str, str]:
        """id → the plan's short name, for labels and downloads."""
        return {e.id: e.name for e in self.plans}

    @property
    def several(self) -> bool:
        """Two plans or more: what the picker and the tabs that set plans side by side need."""
        return len(self.documents) > 1

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)


class Library:
    """The corpus folder and its index: every change to the plans goes through here."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def corpus_dir(self) -> Path:
        return self.settings.corpus_dir

    def load(self) -> Corpus:
        return Corpus.of(load_corpus(self.corpus_dir))

    def add(self, source: Path, *, name: str | None = None, progress: Progress | None = None,
            dry_run: bool = False, **meta: str | None) -> AddResult:
        """Read `source` into the corpus (ingest.add_plan) under this library's limits; `meta`: title,
        issuer, year, doc_id overrides. Raises IngestError, having changed nothing."""
        return add_plan(source, self.corpus_dir, name=name, max_bytes=int(self.settings.max_upload_mb * 1_000_000),
                        ocr_cache=self.settings.ocr_cache, progress=progress, dry_run=dry_run, **meta)

    def remove(self, doc_id: str) -> Path:
        """Move a plan to the trash (restore() brings it back); returns where its files are kept."""
        return remove_plan(doc_id, self.corpus_dir)

    def restore(self, doc_id: str | None = None) -> str:
        """Bring back a removed plan (default: the last removed); returns its id."""
        return restore_plan(self.corpus_dir, doc_id)

    def removed(self) -> list[str]:
        return trashed_plans(self.corpus_dir)

    def index(self, documents: list[Document] | None = None, on_progress: ProgressFn | None = None,
              progress: bool = False) -> PlanIndex:
        """The index for the corpus as it is now: sentences already embedded are reused, so adding a plan
        embeds only its own sentences and removing one embeds nothing."""
        return open_index(self.settings, progress=progress, on_progress=on_progress, documents=documents)
