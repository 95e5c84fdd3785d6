"""The answer chain, one LCEL pipeline: rewrite follow-up → retrieve → answer → Answer.

The CLI and the web app both run exactly this chain (through PlanAssistant).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from .answering import ExtractiveAnswerer, SentenceScorer
from .config import Settings
from .followup import rewrite
from .indexing import PlanIndex, passages
from .models import Answer, Chunk, Document, Hit, Retrieved

RETRIEVED_DEPTH = 24  # chunks looked at for the `retrieved` list (hit@5 needs 5 distinct sections)


def sentence_scorer(index: PlanIndex) -> SentenceScorer:
    """Cosine similarity of a query to every indexed sentence, from the vectors already in Chroma.

    The whole plan is ~900 sentence vectors (1.3 MB), so one matrix product beats a vector search.
    Chroma ids are "<chunk id>#<n>" over `passages(chunk)`, which skips tiny fragments; n is mapped
    back to the chunk's own sentence index through the passage's source offset.
    """
    got = index.vectorstore.get(include=["embeddings", "metadatas"])
    keys, rows = [], []
    for vec_id, meta, vec in zip(got["ids"], got["metadatas"], got["embeddings"]):
        chunk = index.chunk(meta["chunk_id"])
        n = int(vec_id.rsplit("#", 1)[1]) if "#" in vec_id else 0
        keys.append((chunk.id, _sentence_index(chunk, n)))
        rows.append(vec)
    matrix = np.asarray(rows, dtype=np.float32)
    embed = lru_cache(maxsize=256)(index.embeddings.embed_query)  # repeated questions skip the model

    def score(query: str) -> dict[tuple[str, int], float]:
        sims = matrix @ np.asarray(embed(query), dtype=np.float32)
        return dict(zip(keys, sims.tolist()))

    return score


def _sentence_index(chunk: Chunk, n: int) -> int:
    kept = passages(chunk)
    if n >= len(kept):
        return n
    return next((i for i, s in enumerate(chunk.sentences) if s.start == kept[n].start), n)


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

    def answer(x: dict) -> Answer:
        hits: list[Hit] = x["hits"]
        draft = answerer(x["rq"], hits[: settings.top_k])
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
