"""PlanAssistant: the one object the CLI and the web app hold. Loads corpus, index and models once."""

from __future__ import annotations

from .config import Settings, get_settings
from .corpus import document_text, load_corpus
from .models import Answer, Document


class PlanAssistant:
    def __init__(self, settings: Settings, documents: list[Document]) -> None:
        self.settings = settings
        self.documents = documents
        self.sources: dict[str, str] = {d.id: document_text(d) for d in documents}

    @classmethod
    def load(cls, settings: Settings | None = None) -> "PlanAssistant":
        settings = settings or get_settings()
        return cls(settings, load_corpus(settings.corpus_dir))

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        # Placeholder until the answer chain lands (issue 4): same signature, same model.
        return Answer(question=question, history=history or [], rewritten_query=question,
                      answer="（开发中）规划问答链尚未接入。", found=False)
