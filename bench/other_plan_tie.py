"""OTHER_PLAN_TIE (assistant/answer/params.py), chosen leaving one set out: with every plan loaded at once,
each set's answer accuracy at each value; for each set, the value with the best total over the other sets
(a tie goes to the larger value, which shows fewer other plans), judged on the left-out set.

    nice -n 5 .venv/bin/python bench/other_plan_tie.py [--values 0.7 0.75 0.8 0.85 0.9] [--store DIR]

The library and sets are bench/library_eval.py's (8 plans). Only this number changes between runs: the
same loaded assistant answers every set at every value. `--store` keeps the library's index there between
runs (built on first use); by default a temp folder. ~3 minutes a value on the 2-core box once the index is
built. Writes bench/results/other_plan_tie.txt.
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
sys.path.insert(0, str(ROOT / "bench"))

from library_eval import SETS, assistant, library_plans, report  # noqa: E402

from assistant.answer import params  # noqa: E402
from assistant.evaluation import evaluate, load_items  # noqa: E402


def leave_one_out(scores: dict[str, dict[float, float]], values: list[float]) -> dict[str, float]:
    """For each set, the value with the best total accuracy over the other sets (ties: the larger value)."""
    return {left: max(values, key=lambda v: (sum(s[v] for name, s in scores.items() if name != left), v))
            for left in scores}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=float, nargs="+", default=[0.7, 0.75, 0.8, 0.85, 0.9])
    parser.add_argument("--store", type=Path, help="keep the library's index here between runs")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "other_plan_tie.txt")
    args = parser.parse_args(argv)
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    stems = library_plans()
    values = sorted(args.values)
    chosen_now = params.OTHER_PLAN_TIE
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planqa-tie-") as tmp:
        folder = args.store or Path(tmp)
        library = assistant(folder, stems, spec)
        scores: dict[str, dict[float, float]] = {}
        try:
            for value in values:
                params.OTHER_PLAN_TIE = value
                for name, plan in SETS:
                    summary = evaluate(load_items(ROOT / "eval" / name, own_plan=plan), library.ask)["summary"]
                    scores.setdefault(name, {})[value] = summary["answer_accuracy"]
                print(f"{value}: " + " ".join(f"{scores[n][value]:.3f}" for n, _ in SETS), flush=True)
        finally:
            params.OTHER_PLAN_TIE = chosen_now
    choice = leave_one_out(scores, values)
    lines = ["OTHER_PLAN_TIE (assistant/answer/params.py) chosen leaving one set out (bench/other_plan_tie.py).",
             f"{time.strftime('%Y-%m-%d %H:%M')} · {time.perf_counter() - began:.0f} s · "
             f"{len(library.current().documents)} plans loaded (bench/library_eval.py's library) · "
             f"the value in params.py: {chosen_now}", "",
             f"{'set':24s}" + "".join(f"{v:>8}" for v in values)]
    lines += [f"{name:24s}" + "".join(f"{scores[name][v]:8.3f}" for v in values) for name, _ in SETS]
    lines += ["", "Leave one set out: the value with the best total over the other sets (a tie goes to the larger "
              "value), judged on the left-out set."]
    lines += [f"  {name:24s} chosen {choice[name]:<5}  left-out {scores[name][choice[name]]:.3f}"
              + (f"  (at {chosen_now}: {scores[name][chosen_now]:.3f})" if chosen_now in scores[name] else "")
              for name, _ in SETS]
    report(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
