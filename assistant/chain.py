"""The answer chain, one LCEL pipeline: rewrite follow-up → retrieve → answer → Answer.

The CLI and the web app both run exactly this chain (through PlanAssistant).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from .answering import ExtractiveAnswerer, SentenceScorer
from .config import Settings
from .followup import rewrite
from .indexing import PlanIndex, prepare_text
from .models import Answer, Chunk, Document, Hit, Retrieved

RETRIEVED_DEPTH = 24  # chunks looked at for the `retrieved` list (hit@5 needs 5 distinct sections)


def sentence_scorer(index: PlanIndex) -> SentenceScorer:
    """Cosine similarity of a query to every indexed sentence, from the vectors already in Chroma.

    The whole plan is ~900 sentence vectors (1.3 MB), so one matrix product beats a vector search.
    """
    got = index.vectorstore.get(include=["embeddings", "metadatas"])
    by_text: dict[tuple[str, str], int] = {}
    for c in index.chunks:
        for i, s in enumerate(c.sentences):
            by_text.setdefault((c.id, prepare_text(s.text)), i)
    keys, rows = [], []
    for doc_id, meta, vec in zip(got["ids"], got["metadatas"], got["embeddings"]):
        chunk_id = meta["chunk_id"]
        n = int(doc_id.rsplit("#", 1)[1]) if "#" in doc_id else 0
        chunk = index.chunk(chunk_id)
        text = got_text(chunk, n)
        keys.append((chunk_id, by_text.get((chunk_id, text), n)))
        rows.append(vec)
    matrix = np.asarray(rows, dtype=np.float32)
    embed = lru_cache(maxsize=256)(index.embeddings.embed_query)

    def score(query: str) -> dict[tuple[str, int], float]:
        sims = matrix @ np.asarray(embed(query), dtype=np.float32)
        return dict(zip(keys, sims.tolist()))

    return score


def got_text(chunk: Chunk, n: int) -> str:
    from .indexing import passages

    ps = passages(chunk)
    return ps[n].text if n < len(ps) else ""


def _box_members(chunks: list[Chunk]) -> Callable[[Chunk], list[Chunk]]:
    boxes: dict[tuple, list[Chunk]] = {}
    for c in chunks:
        if c.box:
            boxes.setdefault((c.doc_id, c.chapter, c.section, c.box), []).append(c)
    return lambda c: boxes.get((c.doc_id, c.chapter, c.section, c.box), [c])


def _retrieved(hits: list[Hit]) -> list[Retrieved]:
    seen: dict[tuple, Retrieved] = {}
    for h in hits:
        key = (h.chunk.chapter, h.chunk.section)
        if key not in seen:
            seen[key] = Retrieved(chapter=key[0], section=key[1], score=round(h.score, 4))
    return list(seen.values())


def make_answerer(settings: Settings, index: PlanIndex, sources: dict[str, str], documents: list[Document]):
    if settings.answerer != "extractive":
        # The seam for an LLM answerer: same inputs (rewritten query + hits), same Draft out.
        raise ValueError(f"answerer={settings.answerer!r} is not available offline; use 'extractive'")
    return ExtractiveAnswerer(index.chunks, sources, sentence_scorer(index), titles=[d.title for d in documents])


def build_chain(settings: Settings, index: PlanIndex, sources: dict[str, str], documents: list[Document]) -> Runnable:
    """Input {"question": str, "history": [str]} → Answer (latency is measured by the caller)."""
    retriever = index.retriever()
    answerer = make_answerer(settings, index, sources, documents)
    members = _box_members(index.chunks)

    def answer(x: dict) -> Answer:
        hits: list[Hit] = x["hits"]
        draft = answerer(x["rq"], hits[: settings.top_k], members)
        return Answer(
            question=x["question"],
            history=x.get("history", []),
            rewritten_query=x["rq"].query,
            retrieved=_retrieved(hits),
            **draft.model_dump(),
        )

    return (
        RunnablePassthrough.assign(rq=RunnableLambda(lambda x: rewrite(x["question"], x.get("history", []))))
        | RunnablePassthrough.assign(hits=RunnableLambda(lambda x: retriever.search(x["rq"].query, k=RETRIEVED_DEPTH)))
        | RunnableLambda(answer)
    )
