"""Questions to offer: examples for an empty chat, drawn from the loaded plans' own targets, and next
questions after an answer, drawn from the section it cites (its other targets and its 专栏 titles), so
that every question offered is answerable from the plans loaded."""

from __future__ import annotations

from .indicators import Indicator
from .models import Answer, Document
from .text import normalise

MAX_SUGGESTIONS = 3


def examples_for(docs: list[Document], rows: list[Indicator], n: int = 3) -> list[str]:
    """One target question per plan, one plan after the other, plus a chapter overview."""
    rows = [r for r in rows if r.kind == "target" and r.year and 4 <= len(r.indicator) <= 14 and r.unit]
    picked: list[str] = []
    for doc in docs:
        mine = [r for r in rows if r.doc == doc.id]
        if mine:
            r = mine[len(mine) // 2]  # the middle of the plan, away from the summary chapter
            name = doc.profile.short_name if len(docs) > 1 and doc.profile else ""
            picked.append(f"{name}规划中{r.year}年{r.indicator}目标是多少?" if name else f"{r.year}年{r.indicator}目标是多少?")
    picked.append("第二章讲什么?")
    return picked[:n]


def suggestions(answer: Answer, documents: list[Document], rows: list[Indicator],
                limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to `limit` questions about the first cited section that the answer does not already cover."""
    if not answer.found or not answer.citations:
        return []
    c = answer.citations[0]
    doc_id = c.doc or (documents[0].id if documents else "")
    asked = normalise(answer.question + answer.answer)
    cited = [(x.start, x.end) for x in answer.citations]
    targets = [(f"{r.year}年{r.indicator}目标是多少?" if r.year else f"{r.indicator}目标是多少?", r.indicator)
               for r in rows
               if (r.doc, r.chapter, r.section, r.kind) == (doc_id, c.chapter, c.section, "target")
               and 4 <= len(r.indicator) <= 16 and not any(s < r.end and r.start < e for s, e in cited)]
    boxes = [(f"{t}有哪些项目?", t) for t in _box_titles(documents, doc_id, c.chapter, c.part, c.section)]
    out: list[str] = []
    # Two figures, then a 专栏, then whatever is left: a mix reads as "what else is here", not a list of numbers.
    for question, subject in [*targets[:2], *boxes, *targets[2:]]:
        if normalise(subject) not in asked and question not in out:
            out.append(question)
    return out[:limit]

def _box_titles(documents: list[Document], doc_id: str, chapter: int | None, part: int | None,
                section: int | None) -> list[str]:
    doc = next((d for d in documents if d.id == doc_id), None)
    if doc is None:
        return []
    return [b.title for ch in doc.chapters if ch.number == chapter and (chapter is not None or ch.part == part)
            for sec in ch.sections if sec.number == section for b in sec.blocks if b.kind == "box"]
