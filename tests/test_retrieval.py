"""Hybrid retrieval over the real plan's index (session fixture `plan_index` from conftest.py)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from assistant.indexing import PlanIndex
from assistant.text import clean
from assistant.retrieval import HybridRetriever, JiebaTokenizer, distinct_sections, plan_terms


def _sections(retriever: HybridRetriever, query: str, k: int = 10) -> list[tuple[int, int | None]]:
    return [(chapter, section) for _, _, chapter, section in distinct_sections(retriever.search(query, k=k))]


def test_exact_figure_query_ranks_its_section_first(plan_retriever: HybridRetriever) -> None:
    hits = plan_retriever.search("2025年地区生产总值", k=5)
    assert (hits[0].chunk.chapter, hits[0].chunk.section) == (2, 3)
    assert "1000亿" in clean(hits[0].chunk.text)


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("家里老人想去养老院,区里有啥安排", (7, 3)),  # colloquial, none of the plan's wording
        ("停车位太少了怎么办", (6, 1)),
        ("How will garbage sorting be promoted?", (6, 4)),  # English
        ("What is the target for high-standard farmland?", (3, 4)),
    ],
)
def test_paraphrases_and_english_land_in_the_right_section(
    plan_retriever: HybridRetriever, query: str, section: tuple[int, int]
) -> None:
    assert section in _sections(plan_retriever, query)[:5]


def test_hits_carry_path_box_and_descending_scores(plan_retriever: HybridRetriever) -> None:
    hits = plan_retriever.search("高标准农田建设", k=8)
    assert len(hits) == 8 and len({h.chunk.id for h in hits}) == 8
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1.0
    assert all(h.chunk.path.startswith(("第", "序言")) for h in hits)
    assert any(h.chunk.box == "现代农业重点工程、重点项目" for h in hits)


def test_is_a_langchain_retriever_that_pipes(plan_retriever: HybridRetriever) -> None:
    assert isinstance(plan_retriever, BaseRetriever)
    docs = plan_retriever.invoke("养老机构护理型床位")
    assert 0 < len(docs) <= plan_retriever.k and all(isinstance(d, Document) for d in docs)
    meta = docs[0].metadata
    assert {"chunk_id", "chapter", "path", "score", "start", "end"} <= meta.keys()
    assert docs[0].page_content == plan_retriever.index.chunk(meta["chunk_id"]).text  # original text
    chain = plan_retriever | RunnableLambda(lambda ds: [d.metadata["chunk_id"] for d in ds])
    assert chain.invoke("养老机构护理型床位") == [d.metadata["chunk_id"] for d in docs]
    assert [h.chunk.id for h in plan_retriever.hits(docs)] == [d.metadata["chunk_id"] for d in docs]


async def _ainvoke(retriever: HybridRetriever, query: str) -> list[Document]:
    return await retriever.ainvoke(query)


def test_async_invoke_matches_sync(plan_retriever: HybridRetriever) -> None:
    import asyncio

    sync = [d.metadata["chunk_id"] for d in plan_retriever.invoke("垃圾分类")]
    async_ = [d.metadata["chunk_id"] for d in asyncio.run(_ainvoke(plan_retriever, "垃圾分类"))]
    assert sync == async_


def test_query_is_cleaned_like_the_chunks(plan_retriever: HybridRetriever) -> None:
    """PDF-style spaces and full-width characters in the question change nothing."""
    plain = [h.chunk.id for h in plan_retriever.search("2025年地区生产总值", k=5)]
    messy = [h.chunk.id for h in plan_retriever.search(" ２０２５ 年 地区生产总值 ", k=5)]
    assert messy == plain


def test_empty_and_punctuation_only_queries_return_nothing(plan_retriever: HybridRetriever) -> None:
    assert plan_retriever.search("", k=5) == []
    assert plan_retriever.search("   ", k=5) == []


def test_bm25_ignores_questions_it_cannot_read(plan_retriever: HybridRetriever) -> None:
    """An English question shares no token with the plan: BM25 abstains instead of ranking noise."""
    bm25 = plan_retriever.ensemble.retrievers[0]
    assert bm25.invoke("How will elderly care improve?") == []
    assert bm25.coverage("How will elderly care improve?") == 0.0
    assert bm25.coverage("养老服务体系") == 1.0


def test_plan_terms_are_derived_from_the_corpus(plan_index: PlanIndex) -> None:
    terms = plan_terms(plan_index.chunks)
    assert {"一心两带四基地", "智汇海州人才计划", "环卫机械化水平提升工程"} <= terms
    tokens = JiebaTokenizer(terms)("“一心两带四基地”是什么")
    assert "一心两带四基地" in tokens and "什么" not in tokens


@pytest.mark.parametrize("question", ["2025年地区生产总值目标", "养老机构护理型床位占比",
                                      "数字经济 数字经济 核心产业", "火星基地", "What is the GDP target?"])
def test_bm25_postings_give_rank_bm25s_own_scores(plan_retriever: HybridRetriever, question: str) -> None:
    import numpy as np

    bm25 = plan_retriever.ensemble.retrievers[0]
    tokens = bm25.preprocess_func(question)
    assert np.array_equal(bm25.scores(tokens), bm25.vectorizer.get_scores(tokens))  # bit for bit, not close
