"""The answer chain, one LCEL pipeline: rewrite follow-up → name the plans → retrieve → answer → Answer.
Streaming runs the same `prepare` half, then the answerer's stream.

The CLI and the web app both run exactly this chain (through PlanAssistant).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from .answer import Answerer, Draft, StreamingAnswerer, make_answerer
from .config import Settings
from .followup import rewrite
from .indexing import PlanIndex
from .models import Answer, Document, Hit, Retrieved, box_title
from .query import boxed_plans, named_plans, plan_word_test
from .retrieval import HybridRetriever, sentence_scorer

RETRIEVED_DEPTH = 24  # chunks looked at for the `retrieved` list (hit@5 needs 5 distinct sections)
MAX_PLANS_DEEP = 4  # the retrieved list grows with the plans in play up to this many; beyond, it stays put


def _retrieved(hits: list[Hit]) -> list[Retrieved]:
    seen: dict[tuple, Retrieved] = {}
    for h in hits:
        c = h.chunk
        key = (c.doc_id, c.part, c.chapter, c.section)
        if key not in seen:
            seen[key] = Retrieved(doc=c.doc_id, part=c.part, chapter=c.chapter, section=c.section,
                                  score=round(h.score, 4))
    return list(seen.values())


def per_plan_top(hits: list[Hit], k: int) -> list[Hit]:
    """The first k hits of every plan, in rank order: with several plans loaded, the one a question is about
    keeps as many paragraphs as it would have alone, however well another plan's general wording ranks."""
    counts: dict[str, int] = {}
    kept = []
    for h in hits:
        counts[h.chunk.doc_id] = counts.get(h.chunk.doc_id, 0) + 1
        if counts[h.chunk.doc_id] <= k:
            kept.append(h)
    return kept


def plan_scope(named: Sequence[str], chosen: Sequence[str], loaded: Sequence[str]) -> list[str]:
    """The plans a question is answered from ([] = every loaded plan). Chosen plans (the page's picker)
    bound the search; a plan the question names narrows it further. A question that names a plan
    outside the choice is answered from the plan it names: the words of the question are the later and
    more specific choice."""
    chosen = [d for d in loaded if d in set(chosen)]
    if not chosen or len(chosen) == len(loaded):
        return list(named)
    inside = [d for d in named if d in chosen]
    return inside or list(named) or chosen


class AnswerChain:
    """The chain's two halves, shared by `invoke` (one Answer) and `stream` (deltas, then the Answer):
    `prepare` rewrites the follow-up, names the plans and retrieves; the answerer writes the reply."""

    def __init__(self, settings: Settings, index: PlanIndex, sources: dict[str, str], documents: list[Document],
                 retriever: HybridRetriever | None = None) -> None:
        retriever = retriever or HybridRetriever.from_index(index)
        profiles = {d.id: d.profile for d in documents if d.profile}
        loaded = [d.id for d in documents]
        boxes: dict[str, set[str]] = {}
        for c in index.chunks:
            if c.box:
                boxes.setdefault(c.doc_id, set()).add(box_title(c.box))
        self.top_k = settings.top_k

        def depth(scope: list[str]) -> int:
            """Each plan in play gets its own share of the retrieved list (one plan: as before)."""
            return max(1, min(len(scope) or len(documents), MAX_PLANS_DEEP))

        in_plans = plan_word_test(sources.values())
        self.answerer: Answerer = make_answerer(settings, index.chunks, sources, documents, sentence_scorer(index))
        # Input {"question": str, "history": [str], "plans": [ids chosen, optional]} → the same dict with rq,
        # scope and hits.
        self.prepare: Runnable = (
            RunnablePassthrough.assign(rq=RunnableLambda(
                lambda x: rewrite(x["question"], x.get("history", []), in_plans)))
            | RunnablePassthrough.assign(scope=RunnableLambda(lambda x: plan_scope(
                named_plans(x["rq"].query, profiles, x["rq"].said) or boxed_plans(x["rq"].query, boxes, sources),
                x.get("plans") or (), loaded)))
            | RunnablePassthrough.assign(hits=RunnableLambda(
                lambda x: retriever.search(x["rq"].query, k=RETRIEVED_DEPTH * depth(x["scope"]), docs=x["scope"])))
        )
        self.runnable: Runnable = self.prepare | RunnableLambda(self.answer)

    def with_answerer(self, answerer: Answerer) -> "AnswerChain":
        """The same prepare step (retriever, index) with another answerer: e.g. to compare two on one index."""
        other = copy.copy(self)
        other.answerer = answerer
        other.runnable = other.prepare | RunnableLambda(other.answer)
        return other

    def _args(self, x: dict) -> tuple:
        return x["rq"], per_plan_top(x["hits"], self.top_k), x["scope"], x.get("history", [])

    def answer(self, x: dict) -> Answer:
        return self.finish(x, self.answerer(*self._args(x)))

    def stream(self, x: dict) -> Iterator[str | Answer]:
        """A prepared input → text deltas, if the answerer streams, then the Answer (which may replace them)."""
        if not isinstance(self.answerer, StreamingAnswerer):
            yield self.answer(x)
            return
        for event in self.answerer.stream(*self._args(x)):
            yield self.finish(x, event) if isinstance(event, Draft) else event

    @staticmethod
    def finish(x: dict, draft: Draft) -> Answer:
        return Answer(
            question=x["question"],
            history=x.get("history", []),
            rewritten_query=x["rq"].query,
            retrieved=_retrieved(x["hits"]),
            **draft.model_dump(),
        )


def build_chain(settings: Settings, index: PlanIndex, sources: dict[str, str], documents: list[Document],
                retriever: HybridRetriever | None = None) -> Runnable:
    """Input {"question": str, "history": [str]} → Answer (latency is measured by the caller)."""
    return AnswerChain(settings, index, sources, documents, retriever).runnable
