"""`make eval`: every run of eval/runs.json (a question set on some plans), each plan set indexed once in a
temporary store; prints each summary and writes eval/report-<run>.json. With --baseline, also writes
their summaries to eval/baseline.json (commit that only with a message that says why)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation import (assemble_corpus, evaluate, format_summary, load_items, outcomes,  # noqa: E402
                                  run_key, write_report)
from assistant.service import PlanAssistant  # noqa: E402

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", action="store_true", help="write the summaries to eval/baseline.json")
    ap.add_argument("--all", action="store_true", help="also the bench-only runs")
    ap.add_argument("--set", action="append", default=[], help="only the runs of this question set (repeatable)")
    args = ap.parse_args()
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    runs = spec["runs"] + (spec["bench_only"] if args.all else [])
    runs = [r for r in runs if not args.set or r["set"] in args.set]
    assistants: dict[tuple[str, ...], PlanAssistant] = {}
    baseline_path = ROOT / "eval" / "baseline.json"
    baseline = json.loads(baseline_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        for run in runs:
            plans = tuple(run["plans"])
            if plans not in assistants:
                where = Path(tmp) / str(len(assistants))
                settings = Settings(corpus_dir=assemble_corpus(where / "corpus", plans, spec, ROOT),
                                    vectorstore_dir=where / "vectorstore")
                assistants[plans] = PlanAssistant.load(settings)
            path = ROOT / "eval" / run["set"]
            items = load_items(path, own_plan=plans[0])
            report = evaluate(items, assistants[plans].ask)
            key = run_key(path, plans)
            print(f"\n== {key}\n{format_summary(report['summary'])}", flush=True)
            write_report(report, ROOT / "eval" / f"report-{key.replace('.jsonl', '').replace('+', '_')}.json")
            if args.baseline and run in spec["runs"]:
                baseline[key] = {"summary": report["summary"], "items": outcomes(report)}
    if args.baseline:
        text = json.dumps(baseline, ensure_ascii=False, indent=1)
        # One line per item outcome ([correct, citation, rank]), not four.
        text = re.sub(r"\[\s*(true|false|null),\s*(true|false|null),\s*(null|\d+)\s*\]", r"[\1, \2, \3]", text)
        baseline_path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
