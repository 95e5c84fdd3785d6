"""PlanAssistant: the one object the CLI and the web app hold. Loads corpus, index and models once."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator

from langchain_core.runnables import Runnable

from .answer import Answerer
from .chain import AnswerChain
from .config import Settings, get_settings
from .corpus import document_text, load_corpus
from .indexing import PlanIndex, ProgressFn, open_index
from .models import Answer, Document


class PlanAssistant:
    def __init__(self, settings: Settings, documents: list[Document], index: PlanIndex) -> None:
        self.settings = settings
        self.documents = documents
        self.index = index
        self.sources: dict[str, str] = {d.id: document_text(d) for d in documents}
        self.answer_chain = AnswerChain(settings, index, self.sources, documents)
        self.chain: Runnable = self.answer_chain.runnable
        self._reload_lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings | None = None, progress: bool = True) -> "PlanAssistant":
        """Builds the index first if it is missing or stale."""
        settings = settings or get_settings()
        documents = load_corpus(settings.corpus_dir)  # parsed once: the index reuses these documents
        return cls(settings, documents, open_index(settings, progress=progress, documents=documents))

    def with_answerer(self, answerer: Answerer) -> "PlanAssistant":
        """This assistant's corpus, index and retriever, answering with `answerer` (nothing is reloaded)."""
        other = copy.copy(self)
        other.answer_chain = self.answer_chain.with_answerer(answerer)
        other.chain = other.answer_chain.runnable
        return other

    def reload(self, on_progress: ProgressFn | None = None) -> None:
        """Pick up an added or removed plan without a restart: rebuild, then swap.

        Everything is built before anything is swapped, so a failure leaves the running assistant as it
        was, and a question asked meanwhile is answered from the old plans. The lock keeps two uploads
        from swapping halves of each other's state. The old index is not closed: a question already in
        flight may still be reading it (the store keeps the previous build's folder for that reason).
        """
        with self._reload_lock:
            documents = load_corpus(self.settings.corpus_dir)
            index = open_index(self.settings, progress=False, on_progress=on_progress, documents=documents)
            sources = {d.id: document_text(d) for d in documents}
            answer_chain = AnswerChain(self.settings, index, sources, documents)
            # Readers look up pa.sources[doc.id] for a doc in pa.documents: old and new texts together
            # first, so every document either list names has its text during the swap.
            self.sources = {**self.sources, **sources}
            self.documents, self.index = documents, index
            self.answer_chain, self.chain = answer_chain, answer_chain.runnable
            self.sources = sources

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        started = time.perf_counter()
        chain = self.chain  # read once: a reload may swap it while this question is answered
        answer: Answer = chain.invoke({"question": question, "history": list(history or [])})
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def stream(self, question: str, history: list[str] | None = None) -> Iterator[str | Answer]:
        """The same steps as ask(): text deltas while an LLM writes (none for the extractive answerer),
        then the final Answer, which is what must be shown (it may replace the deltas)."""
        started = time.perf_counter()
        answer_chain = self.answer_chain  # read once: a reload may swap it while this question is answered
        prepared = answer_chain.prepare.invoke({"question": question, "history": list(history or [])})
        for event in answer_chain.stream(prepared):
            if isinstance(event, Answer):
                event.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            yield event
