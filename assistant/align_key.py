"""An alignment scored against an answer key written from the two documents alone (eval/align/*.json):
pairing accuracy (the same lower row, or none, for each upper row of the key) and verdict agreement."""

from __future__ import annotations

import re

from .align import Alignment


def _bare(name: str | None) -> str:
    return re.sub(r"^\d+\s*[.．、]|[（(][^（）()]*[）)]|[\s*·]", "", name or "")


def _same(a: str | None, b: str | None) -> bool:
    a, b = _bare(a), _bare(b)
    return bool(a) and bool(b) and (a in b or b in a)


def score(result: Alignment, key: dict) -> dict:
    """Each key row is found among the result's rows by its upper indicator (an OCR-split row may be
    missing: it then counts as wrong on both)."""
    paired = agreed = 0
    misses = []
    for k in key["rows"]:
        # "每千人口拥有医护人员数：注册护士数（人）": a sub-row is known by its own name.
        asked = k["upper_indicator"].split("：")[-1]
        row = next((r for r in result.rows if _same(r.upper.indicator, asked)), None)
        same_pair = row is not None and ((row.lower is None and not k["lower_indicator"])
                                         or (row.lower is not None and _same(row.lower.indicator, k["lower_indicator"])))
        same_verdict = row is not None and row.verdict == k["verdict"]
        paired += same_pair
        agreed += same_verdict
        if not (same_pair and same_verdict):
            misses.append(f"{k['upper_indicator']}: key {k['lower_indicator'] or '—'} [{k['verdict']}], "
                          f"got {(row.lower.indicator if row and row.lower else '—')} [{row.verdict if row else 'no row'}]")
    n = len(key["rows"])
    return {"n": n, "pairing_accuracy": round(paired / n, 3), "verdict_agreement": round(agreed / n, 3),
            "misses": misses}
