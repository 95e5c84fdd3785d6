"""Each question set asked of its own plan alone and of every plan loaded at once (issue 25: each set keeps its
answer figure within 0.03 of its figure alone).

    nice -n 5 .venv/bin/python bench/library_eval.py [--set nanjing-15th.jsonl ...]

The library: 海州 十四五 (corpus/), the national 十二五 / 十三五 / 十五五 outlines as text, and the four real city
documents (南京, 北京, 广州 十五五 纲要 and 合肥's 十五五 建议, each as `plan-qa add` reads it): 8 plans, each
with its set. With --pictures, the picture sets on the same library with each national outline as published
(its 专栏 and tables read from pictures) in place of its text: loading both would hold each outline twice.
As in `make eval`, an item without `doc` is held to its set's own plan. Indexes go to a temp folder; the
embedder's in-process memo makes the one-plan indexes cheap once the library is built. ~8 minutes on the
2-core box (~13 with --pictures). Writes bench/results/library_eval.txt (library_eval_pictures.txt).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation import assemble_corpus, evaluate, load_items  # noqa: E402
from assistant.service import PlanAssistant  # noqa: E402

# Each set and the plan it was written for.
SETS = [("questions.jsonl", "haizhou-14th-five-year-plan"), ("heldout.jsonl", "haizhou-14th-five-year-plan"),
        ("dev.jsonl", "haizhou-14th-five-year-plan"), ("unseen.jsonl", "haizhou-14th-five-year-plan"),
        ("national-12th.jsonl", "national-12th-five-year-plan"),
        ("national-13th.jsonl", "national-13th-five-year-plan"),
        ("national-15th.jsonl", "national-15th-five-year-plan"), ("nanjing-15th.jsonl", "nanjing-15th"),
        ("guangzhou-15th.jsonl", "guangzhou-15th"), ("beijing-15th.jsonl", "beijing-15th"),
        ("hefei-15th.jsonl", "hefei-15th-suggestion")]
# The picture sets, each on its outline as published; that outline takes its text's place in the library.
PICTURE_SETS = [("images-12th.jsonl", "national-12th-published"), ("images-13th.jsonl", "national-13th-published"),
                ("images-15th.jsonl", "national-15th-published")]
AS_PUBLISHED = {"national-12th-five-year-plan": "national-12th-published",
                "national-13th-five-year-plan": "national-13th-published",
                "national-15th-five-year-plan": "national-15th-published"}
WITHIN = 0.03  # the bound on an answer figure's drop with every plan loaded


def library_plans(pictures: bool = False) -> tuple[str, ...]:
    """The plans loaded at once: every set's plan; `pictures`, the national outlines as published."""
    return tuple(dict.fromkeys(AS_PUBLISHED.get(p, p) if pictures else p for _, p in SETS))


def assistant(folder: Path, stems: tuple[str, ...], spec: dict) -> PlanAssistant:
    """The plans in `folder` (a corpus and its index), assembled on first use and reused after (a kept store)."""
    corpus = folder / "corpus"
    if not corpus.exists():
        assemble_corpus(corpus, stems, spec, ROOT)
    return PlanAssistant.load(Settings(corpus_dir=corpus, vectorstore_dir=folder / "vectorstore"), progress=False)


def answered_elsewhere(items: list, alone: list[dict], together: list[dict]) -> int:
    """Traps (the set's plan does not say) refused alone and answered in the library from other plans only:
    a question that names no plan is then answered by design, though the set counts it a miss."""
    return sum(1 for item, one, all_ in zip(items, alone, together)
               if not item.answerable and one["correct"] and all_["found"]
               and all_["citations"] and all(c["doc"] != item.doc for c in all_["citations"]))


def report(lines: list[str], out: Path) -> None:
    """Prints the report and writes it to `out` (bench/results/)."""
    text = "\n".join(lines) + "\n"
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", default=[], help="only this set (repeatable)")
    parser.add_argument("--pictures", action="store_true", help="the picture sets, the outlines as published")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or ROOT / "bench" / "results" / f"library_eval{'_pictures' if args.pictures else ''}.txt"
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    sets = [(s, p) for s, p in (PICTURE_SETS if args.pictures else SETS) if not args.set or s in args.set]
    stems = library_plans(args.pictures)
    rows = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planqa-libeval-") as tmp:
        library = assistant(Path(tmp) / "library", stems, spec)
        plans = len(library.current().documents)
        alone: dict[str, PlanAssistant] = {}
        for name, plan in sets:
            if plan not in alone:
                alone[plan] = assistant(Path(tmp) / plan, (plan,), spec)
            items = load_items(ROOT / "eval" / name, own_plan=plan)
            one_report, all_report = evaluate(items, alone[plan].ask), evaluate(items, library.ask)
            one, all_ = one_report["summary"], all_report["summary"]
            drop = round(one["answer_accuracy"] - all_["answer_accuracy"], 4)
            rows.append((name, plan, len(items), one, all_, drop,
                         answered_elsewhere(items, one_report["items"], all_report["items"])))
            print(f"{name}: alone {one['answer_accuracy']} / with {plans} plans {all_['answer_accuracy']}", flush=True)
    lines = [f"Each set on its plan alone and with {plans} plans loaded (bench/library_eval.py) · "
             f"{time.strftime('%Y-%m-%d %H:%M')} · {time.perf_counter() - began:.0f} s", "",
             f"{'set':24s} {'n':>4s}  {'answer alone':>12s}  {'answer all':>10s}  {'drop':>6s}  "
             f"{'citation alone':>14s}  {'citation all':>12s}  {'refusal alone':>13s}  {'refusal all':>11s}  "
             f"within {WITHIN}  traps answered by other plans"]
    for name, _, n, one, all_, drop, elsewhere in rows:
        lines.append(f"{name:24s} {n:4d}  {one['answer_accuracy']:12.3f}  {all_['answer_accuracy']:10.3f}  "
                     f"{drop:6.3f}  {one['citation_accuracy']:14.3f}  {all_['citation_accuracy']:12.3f}  "
                     f"{_rate(one['refusal_accuracy']):>13s}  {_rate(all_['refusal_accuracy']):>11s}  "
                     f"{'yes' if drop <= WITHIN else 'NO':>11s}  {elsewhere:>29d}")
    report(lines, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
