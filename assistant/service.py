"""PlanAssistant: the one object the CLI and the web app hold. It owns the use cases both shells present:
asking (within chosen plans), the loaded plans and their indicators, the questions to offer, adding,
removing and restoring a plan (through library.Library), and 规划衔接 between two loaded plans."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.runnables import Runnable

from .align import Alignment, align
from .answer import Answerer
from .chain import AnswerChain
from .config import Settings, get_settings
from .corpus import load_corpus
from .examples import MAX_SUGGESTIONS, examples_for, suggestions
from .indexing import PlanIndex, ProgressFn
from .indicators import Indicator
from .ingest import AddResult
from .ingest.pictures import Progress
from .library import Corpus, Library, PlanEntry
from .memory import release_freed
from .models import Answer, Document


@dataclass(frozen=True)
class _Loaded:
    """Everything a question is answered from, swapped as one value by reload()."""

    corpus: Corpus
    index: PlanIndex
    answer_chain: AnswerChain


# After a reload the previous index stays open this long for questions already being answered from it
# (an answer takes well under a second), then is closed: each open index holds its vectors in memory.
OLD_INDEX_GRACE_S = 60.0


def _close_and_release(index: PlanIndex) -> None:
    index.close()
    release_freed()


class PlanAssistant:
    def __init__(self, settings: Settings, documents: list[Document], index: PlanIndex) -> None:
        self.settings = settings
        self.library = Library(settings)
        corpus = Corpus.of(documents)
        self._loaded = _Loaded(corpus, index, AnswerChain(settings, index, corpus.sources, documents))
        self._reload_lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings | None = None, progress: bool = True) -> "PlanAssistant":
        """Builds the index first if it is missing or stale."""
        settings = settings or get_settings()
        documents = load_corpus(settings.corpus_dir)  # parsed once: the index reuses these documents
        assistant = cls(settings, documents, Library(settings).index(documents, progress=progress))
        release_freed()  # what parsing and indexing freed: ~200 MB at 11 plans
        return assistant

    # ---------------------------------------------------------------- what is loaded

    def current(self) -> Corpus:
        """The loaded plans now: read it once per view, and the view shows one corpus."""
        return self._loaded.corpus

    @property
    def version(self) -> str:
        return self._loaded.corpus.version

    def plans(self) -> list[PlanEntry]:
        return self._loaded.corpus.plans

    def indicators(self) -> list[Indicator]:
        return self._loaded.corpus.indicators

    def examples(self, n: int = 3) -> list[str]:
        corpus = self._loaded.corpus
        return examples_for(corpus.documents, corpus.indicators, n)

    def suggestions(self, answer: Answer, limit: int = MAX_SUGGESTIONS) -> list[str]:
        corpus = self._loaded.corpus
        return suggestions(answer, corpus.documents, corpus.indicators, limit)

    # The parts of the loaded state, for the CLI, benches and tests (the web reads current()).
    @property
    def documents(self) -> list[Document]:
        return self._loaded.corpus.documents

    @property
    def sources(self) -> dict[str, str]:
        return self._loaded.corpus.sources

    @property
    def index(self) -> PlanIndex:
        return self._loaded.index

    @property
    def answer_chain(self) -> AnswerChain:
        return self._loaded.answer_chain

    @property
    def chain(self) -> Runnable:
        return self._loaded.answer_chain.runnable

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def with_answerer(self, answerer: Answerer) -> "PlanAssistant":
        """This assistant's corpus, index and retriever, answering with `answerer` (nothing is reloaded)."""
        other = object.__new__(PlanAssistant)
        other.__dict__.update(self.__dict__)
        other._loaded = replace(self._loaded, answer_chain=self._loaded.answer_chain.with_answerer(answerer))
        return other

    # ---------------------------------------------------------------- changing the library

    def reload(self, on_progress: ProgressFn | None = None) -> None:
        """Pick up an added or removed plan without a restart: rebuild, then swap.

        Everything is built before anything is swapped, so a failure leaves the running assistant as it
        was, and a question asked meanwhile is answered from the old plans. The lock keeps two uploads
        from swapping halves of each other's state. The old index is closed OLD_INDEX_GRACE_S later: a
        question already in flight may still be reading it (the store keeps the previous build's folder).
        """
        with self._reload_lock:
            corpus = self.library.load()
            index = self.library.index(corpus.documents, on_progress=on_progress)
            previous = self._loaded.index
            self._loaded = _Loaded(corpus, index,
                                   AnswerChain(self.settings, index, corpus.sources, corpus.documents))
        release_freed()  # what building the new index freed
        if previous is not index:
            closing = threading.Timer(OLD_INDEX_GRACE_S, _close_and_release, [previous])
            closing.daemon = True
            closing.start()

    def add_plan(self, source: Path, *, name: str | None = None, progress: Progress | None = None,
                 on_index: ProgressFn | None = None) -> AddResult:
        """Read a plan file into the library, then answer from it: embeds only the new plan's sentences."""
        result = self.library.add(source, name=name, progress=progress)
        self.reload(on_index)
        return result

    def remove_plan(self, doc_id: str, on_index: ProgressFn | None = None) -> Path:
        """Move a plan to the trash and stop answering from it; restore_plan() undoes it."""
        kept = self.library.remove(doc_id)
        self.reload(on_index)
        return kept

    def restore_plan(self, doc_id: str | None = None, on_index: ProgressFn | None = None) -> str:
        restored = self.library.restore(doc_id)
        self.reload(on_index)
        return restored

    def removed(self) -> list[str]:
        return self.library.removed()

    # ---------------------------------------------------------------- asking

    def ask(self, question: str, history: list[str] | None = None, plans: Sequence[str] = ()) -> Answer:
        """`plans`: the plans chosen to ask (none: every loaded plan); a plan the question names narrows further."""
        started = time.perf_counter()
        chain = self.chain  # read once: a reload may swap it while this question is answered
        answer: Answer = chain.invoke({"question": question, "history": list(history or []), "plans": list(plans)})
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def stream(self, question: str, history: list[str] | None = None,
               plans: Sequence[str] = ()) -> Iterator[str | Answer]:
        """The same steps as ask(): text deltas while an LLM writes (none for the extractive answerer),
        then the final Answer, which is what must be shown (it may replace the deltas)."""
        started = time.perf_counter()
        answer_chain = self.answer_chain  # read once: a reload may swap it while this question is answered
        prepared = answer_chain.prepare.invoke(
            {"question": question, "history": list(history or []), "plans": list(plans)})
        for event in answer_chain.stream(prepared):
            if isinstance(event, Answer):
                event.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            yield event

    # ---------------------------------------------------------------- 规划衔接

    def align(self, lower: str, upper: str) -> Alignment:
        """The lower plan's targets against the upper plan's 主要指标 (align.py); KeyError for an unknown id."""
        corpus = self._loaded.corpus
        docs = {d.id: d for d in corpus.documents}
        return align(docs[lower], docs[upper], corpus.sources, self.index.embeddings)
