"""The answer chain, one LCEL pipeline: rewrite follow-up → name the plans → retrieve → answer → Answer.

The CLI and the web app both run exactly this chain (through PlanAssistant).
"""

from __future__ import annotations

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from .answer import make_answerer
from .config import Settings
from .followup import rewrite
from .indexing import PlanIndex
from .models import Answer, Document, Hit, Retrieved
from .query import named_plans
from .retrieval import HybridRetriever, sentence_scorer

RETRIEVED_DEPTH = 24  # chunks looked at for the `retrieved` list (hit@5 needs 5 distinct sections)


def _retrieved(hits: list[Hit]) -> list[Retrieved]:
    seen: dict[tuple, Retrieved] = {}
    for h in hits:
        c = h.chunk
        key = (c.doc_id, c.part, c.chapter, c.section)
        if key not in seen:
            seen[key] = Retrieved(doc=c.doc_id, part=c.part, chapter=c.chapter, section=c.section,
                                  score=round(h.score, 4))
    return list(seen.values())


def build_chain(settings: Settings, index: PlanIndex, sources: dict[str, str], documents: list[Document],
                retriever: HybridRetriever | None = None) -> Runnable:
    """Input {"question": str, "history": [str]} → Answer (latency is measured by the caller)."""
    retriever = retriever or HybridRetriever.from_index(index)
    answerer = make_answerer(settings, index.chunks, sources, documents, sentence_scorer(index))
    profiles = {d.id: d.profile for d in documents if d.profile}

    def answer(x: dict) -> Answer:
        hits: list[Hit] = x["hits"]
        draft = answerer(x["rq"], hits[: settings.top_k], x["scope"])
        return Answer(
            question=x["question"],
            history=x.get("history", []),
            rewritten_query=x["rq"].query,
            retrieved=_retrieved(hits),
            **draft.model_dump(),
        )

    return (
        RunnablePassthrough.assign(rq=RunnableLambda(lambda x: rewrite(x["question"], x.get("history", []))))
        | RunnablePassthrough.assign(scope=RunnableLambda(lambda x: named_plans(x["rq"].query, profiles)))
        | RunnablePassthrough.assign(hits=RunnableLambda(
            lambda x: retriever.search(x["rq"].query, k=RETRIEVED_DEPTH, docs=x["scope"])))
        | RunnableLambda(answer)
    )
