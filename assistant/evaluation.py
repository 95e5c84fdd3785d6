"""Known-answer evaluation, in the formats of ../shared/eval-format.md (question file in, report out)."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError

from .models import Answer, EvalItem
from .text import normalise

MAX_ANSWER_CHARS = 300
MAX_LIST_ANSWER_CHARS = 1000  # a whole 专栏 list fits (eval-format.md)


class EvalFileError(ValueError):
    """The question file is not valid JSONL in the contract's format; the message names the line."""


def load_items(path: Path, own_plan: str | None = None) -> list[EvalItem]:
    """The file's items; with `own_plan`, an item without `doc` is held to that plan (a set written for
    one plan, asked with others loaded)."""
    items: list[EvalItem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = EvalItem.model_validate_json(line)
        except ValidationError as e:
            raise EvalFileError(f"{path}:{lineno}: {e.errors()[0]['loc']}: {e.errors()[0]['msg']}") from None
        if item.id in seen:
            raise EvalFileError(f"{path}:{lineno}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item if item.doc or own_plan is None else item.model_copy(update={"doc": own_plan}))
    if not items:
        raise EvalFileError(f"{path}: no questions")
    return items


def gold_matches(gold: str, chapter: int | None, section: int | None, part: int | None = None) -> bool:
    """"C.S" = 第C章 第S节; "C" = chapter C, any section; "0" = text before 第一章; "Pn" = 第n篇's own text;
    "Pn:C.S" / "Pn:C" = 第n篇 第C章 (第S节) in a plan that numbers its chapters afresh in every 篇."""
    if gold.startswith("P") and ":" in gold:
        n, _, rest = gold[1:].partition(":")
        return part == int(n) and gold_matches(rest, chapter, section)
    if gold.startswith("P"):
        return chapter is None and part == int(gold[1:])
    c, _, s = gold.partition(".")
    return chapter is not None and int(c) == chapter and (not s or section == int(s))


def _located(item: EvalItem, doc: str | None, chapter: int | None, section: int | None, part: int | None) -> bool:
    return (item.doc is None or doc == item.doc) and any(gold_matches(g, chapter, section, part) for g in item.sections)


def answer_correct(item: EvalItem, answer: Answer) -> bool:
    if not item.answerable:
        return not answer.found
    text = normalise(answer.answer)
    return (
        answer.found
        and len(text) <= (MAX_LIST_ANSWER_CHARS if item.kind == "list" else MAX_ANSWER_CHARS)
        and all(normalise(s) in text for s in item.must_include)
        and all(any(normalise(s) in text for s in group) for group in item.any_of)
    )


def citation_correct(item: EvalItem, answer: Answer) -> bool:
    return any(_located(item, c.doc, c.chapter, c.section, c.part) for c in answer.citations)


def retrieval_rank(item: EvalItem, answer: Answer) -> int | None:
    """1-based rank of the first gold location among the distinct retrieved sections."""
    for rank, r in enumerate(answer.retrieved, 1):
        if _located(item, r.doc, r.chapter, r.section, r.part):
            return rank
    return None


def _rate(flags: Iterable[bool]) -> float | None:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else None


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def evaluate(items: list[EvalItem], ask: Callable[[str, list[str]], Answer],
             progress: Callable[[int, int], None] | None = None) -> dict:
    rows = []
    for i, item in enumerate(items, 1):
        answer = ask(item.question, item.history)
        row = answer.model_dump(exclude={"related", "trace"})
        row = {"id": item.id, "kind": item.kind, **row}
        row["correct"] = answer_correct(item, answer)
        row["citation_correct"] = citation_correct(item, answer) if item.answerable else None
        row["retrieval_rank"] = retrieval_rank(item, answer) if item.answerable else None
        rows.append(row)
        if progress:
            progress(i, len(items))
    return {"summary": summarise(items, rows), "items": rows}


def summarise(items: list[EvalItem], rows: list[dict]) -> dict:
    answerable = [r for it, r in zip(items, rows) if it.answerable]
    unanswerable = [r for it, r in zip(items, rows) if not it.answerable]
    ranks = [r["retrieval_rank"] for r in answerable]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    latencies = [r["latency_ms"] for r in rows]
    return {
        "n": len(rows),
        "answer_accuracy": _rate(r["correct"] for r in answerable),
        "citation_accuracy": _rate(r["citation_correct"] for r in answerable),
        "refusal_accuracy": _rate(r["correct"] for r in unanswerable),
        "followup_accuracy": _rate(r["correct"] for r in rows if r["history"]),
        "hit_at_1": _rate(rk is not None and rk <= 1 for rk in ranks),
        "hit_at_5": _rate(rk is not None and rk <= 5 for rk in ranks),
        "mrr": round(statistics.fmean(1 / rk if rk else 0.0 for rk in ranks), 4) if ranks else None,
        "latency_ms_p50": _pct(latencies, 0.5),
        "latency_ms_p95": _pct(latencies, 0.95),
        "by_kind": {k: {"n": len(v), "answer_accuracy": _rate(r["correct"] for r in v)} for k, v in sorted(by_kind.items())},
    }


def format_summary(summary: dict) -> str:
    lines = [
        f"questions            {summary['n']}",
        f"answer accuracy      {summary['answer_accuracy']}",
        f"citation accuracy    {summary['citation_accuracy']}",
        f"refusal accuracy     {summary['refusal_accuracy']}",
        f"follow-up accuracy   {summary['followup_accuracy']}",
        f"retrieval hit@1      {summary['hit_at_1']}   hit@5 {summary['hit_at_5']}   MRR {summary['mrr']}",
        f"latency ms           p50 {summary['latency_ms_p50']}   p95 {summary['latency_ms_p95']}",
        "by kind:",
    ]
    lines += [f"  {k:<13} n={v['n']:<4} accuracy {v['answer_accuracy']}" for k, v in summary["by_kind"].items()]
    return "\n".join(lines)


# ---------------------------------------------------------------- the regression guard, item by item

# Each headline figure as a property of one item's outcome: None = the item is not in that figure's group.
# An outcome is [correct, citation_correct, retrieval_rank] (citation_correct is None for unanswerable items).
FIGURES: dict[str, Callable[[list, bool], bool | None]] = {
    "answer_accuracy": lambda o, followup: o[0] if o[1] is not None else None,
    "refusal_accuracy": lambda o, followup: o[0] if o[1] is None else None,
    "citation_accuracy": lambda o, followup: o[1],
    "followup_accuracy": lambda o, followup: o[0] if followup else None,
    "hit_at_1": lambda o, followup: (o[2] is not None and o[2] <= 1) if o[1] is not None else None,
    "hit_at_5": lambda o, followup: (o[2] is not None and o[2] <= 5) if o[1] is not None else None,
}


def _outcome(row: dict) -> list:
    return [row["correct"], row["citation_correct"], row["retrieval_rank"]]


def outcomes(report: dict) -> dict[str, list]:
    """What the baseline keeps of each item, so that a failing guard can name the items that changed."""
    return {r["id"]: _outcome(r) for r in report["items"]}


def regressions(baseline: dict[str, list], report: dict, tolerance: float) -> dict[str, list[str]]:
    """Per figure, the items that were right in the baseline and are wrong now, when there are more of
    them than the figure's group allows: max(1, tolerance × group size) items. A lost item that another
    gained item offsets still counts: a guard that nets them out would hide a changed answer."""
    failed: dict[str, list[str]] = {}
    for figure, holds in FIGURES.items():
        lost, group = [], 0
        for row in report["items"]:
            now = holds(_outcome(row), bool(row["history"]))
            if now is None:
                continue
            group += 1
            before = holds(baseline[row["id"]], bool(row["history"])) if row["id"] in baseline else None
            if before and not now:
                lost.append(row["id"])
        if len(lost) > max(1, int(tolerance * group)):
            failed[figure] = lost
    return failed


def describe_changes(baseline: dict[str, list], report: dict) -> str:
    """Every item whose outcome differs from the baseline: id, before → after, the question and the reply."""
    lines = []
    for row in report["items"]:
        before, now = baseline.get(row["id"]), _outcome(row)
        if before != now:
            lines.append(f"  {row['id']}: [correct, citation, rank] {before} → {now}  {row['question']!r} → "
                         f"{row['answer'][:80]!r}")
    return "\n".join(lines) or "  (no item changed)"


def run_key(path: Path, plans: tuple[str, ...]) -> str:
    """"questions.jsonl@plan-a+plan-b": a set run on some plans, as eval/baseline.json names it."""
    return f"{path.name}@{'+'.join(plans)}"


def write_report(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def assemble_corpus(folder: Path, stems: tuple[str, ...], spec: dict, root: Path) -> Path:
    """A corpus folder holding the named plans of eval/runs.json (`spec`): copies from corpus/ or
    ../shared/plans/, or, for a stem in `spec["sources"]`, the plan as `plan-qa add` makes it from that
    file, its pictures read through the OCR cache `spec["ocr_cache"]`. FileNotFoundError names a plan
    found nowhere."""
    import shutil

    from .ingest import add_plan

    folder.mkdir(parents=True, exist_ok=True)
    homes = (root / "corpus", root.parent / "shared" / "plans")
    for stem in stems:
        if stem in spec.get("sources", {}):
            source = root / spec["sources"][stem]
            if not source.is_file():
                raise FileNotFoundError(f"{source} (the source of {stem}) is missing")
            add_plan(source, folder, doc_id=stem, ocr_cache=root / spec.get("ocr_cache", "vectorstore/ocr-cache"))
            continue
        home = next((h for h in homes if (h / f"{stem}.txt").exists()), None)
        if home is None:
            raise FileNotFoundError(f"{stem}.txt is not in {' or '.join(map(str, homes))}")
        for suffix in (".txt", ".json"):
            if (home / f"{stem}{suffix}").exists():
                shutil.copy(home / f"{stem}{suffix}", folder / f"{stem}{suffix}")
    return folder

