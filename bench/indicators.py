"""Indicator extraction against the checked lists in eval/indicators/ (written by reading the plans).

A checked row matches an extracted one of the same plan and section with the same value whose indicator or
quote shares most of the checked indicator's character bigrams; rows are matched one to one. Precision
counts only extracted rows inside the checked sections. Run: python bench/indicators.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.corpus import document_text, load_document  # noqa: E402
from assistant.indicators import Indicator, indicators_for  # noqa: E402

PLANS = {  # checked list → plan file
    "haizhou": ROOT / "corpus/haizhou-14th-five-year-plan.txt",
    "national-12th": Path("/work/shared/plans/national-12th-five-year-plan.txt"),
    "national-13th": Path("/work/shared/plans/national-13th-five-year-plan.txt"),
}


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\s+", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def _overlap(gold: str, row: Indicator) -> float:
    g = _bigrams(gold)
    return len(g & (_bigrams(row.indicator) | _bigrams(row.quote))) / len(g)


def _sec(row: Indicator) -> str:
    return f"{row.chapter}.{row.section}"


def score(gold: list[dict], rows: list[Indicator]) -> dict:
    sections = {g["section"] for g in gold}
    pool = [r for r in rows if _sec(r) in sections]
    used: set[int] = set()
    matched: list[tuple[dict, Indicator]] = []
    missed: list[dict] = []
    for g in gold:
        best, best_i = 0.0, None
        for i, r in enumerate(pool):
            if i in used or _sec(r) != g["section"] or r.value != g["value"]:
                continue
            o = _overlap(g["indicator"], r)
            if o > best:
                best, best_i = o, i
        if best_i is not None and best >= 0.5:
            used.add(best_i)
            matched.append((g, pool[best_i]))
        else:
            missed.append(g)
    n = max(len(matched), 1)
    return {
        "gold": len(gold), "extracted": len(pool), "matched": len(matched),
        "recall": round(len(matched) / len(gold), 3),
        "precision": round(len(matched) / max(len(pool), 1), 3),
        "year": round(sum(g["year"] == r.year for g, r in matched) / n, 3),
        "comparator": round(sum(g["comparator"] == r.comparator for g, r in matched) / n, 3),
        "missed": missed,
        "spurious": [r for i, r in enumerate(pool) if i not in used],
        "wrong": [(g, r) for g, r in matched if g["year"] != r.year or g["comparator"] != r.comparator],
    }


def measure(verbose: bool = False) -> dict[str, dict]:
    out = {}
    for name, path in PLANS.items():
        doc = load_document(path)
        rows = indicators_for([doc], {doc.id: document_text(doc)})
        gold = [json.loads(l) for l in (ROOT / f"eval/indicators/{name}.jsonl").read_text().splitlines() if l.strip()]
        out[name] = score(gold, rows)
    return out


if __name__ == "__main__":
    verbose = "-v" in sys.argv
    for name, s in measure().items():
        print(f"{name:14s} gold {s['gold']:3d} extracted {s['extracted']:3d} recall {s['recall']:.3f} "
              f"precision {s['precision']:.3f} year {s['year']:.3f} comparator {s['comparator']:.3f}")
        if verbose:
            for g in s["missed"]:
                print("   missed  ", g)
            for r in s["spurious"]:
                print("   spurious", _sec(r), r.indicator, r.value, r.comparator, r.year, "|", r.quote[:60])
            for g, r in s["wrong"]:
                print("   wrong   ", g["indicator"], g["value"], "gold", g["year"], g["comparator"], "got", r.year, r.comparator)
