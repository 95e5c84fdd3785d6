"""Real plans as staff receive them: for each file of ../shared/plans/real/ and a one-line gazette page
(made from the 12th outline as tests/test_real_plans.py makes it), the time `plan-qa add` takes, the
index build, and ask latency p50/p95 over the plan's question set (or 30 questions on its own headings
when it has none). Each plan alone, in a temporary corpus. Prints a table; writes
bench/results/real_plans.txt.

Run: .venv/bin/python bench/real_plans.py   (four to five indexes: ~10 min on 2 cores)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation import load_items  # noqa: E402
from assistant.ingest import add_plan  # noqa: E402
from assistant.service import PlanAssistant  # noqa: E402
from support import gazette_page  # noqa: E402

SHARED = ROOT.parent / "shared" / "plans"
SETS = {"nanjing-15th": "nanjing-15th.jsonl", "guangzhou-15th": "guangzhou-15th.jsonl"}


def questions(pa: PlanAssistant, doc_id: str) -> list[tuple[str, list[str]]]:
    if doc_id in SETS:
        return [(i.question, i.history) for i in load_items(ROOT / "eval" / SETS[doc_id])]
    doc = pa.documents[0]
    titles = [s.title for c in doc.chapters for s in c.sections if s.title][:30] or [c.title for c in doc.chapters][:30]
    return [(f"{t}的主要目标是什么？", []) for t in titles]


def measure(source: Path, tmp: Path) -> str:
    corpus = tmp / "corpus"
    t0 = time.perf_counter()
    added = add_plan(source, corpus)
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pa = PlanAssistant.load(Settings(corpus_dir=corpus, vectorstore_dir=tmp / "vs"), progress=False)
    index_s = time.perf_counter() - t0
    lat = []
    for q, history in questions(pa, added.id):
        t = time.perf_counter()
        pa.ask(q, history)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    r = added.report
    pa.index.close()
    return (f"{source.name:32} add {add_s:5.2f} s  index {index_s:6.1f} s  {r.parts:>2} 篇 {r.chapters:>3} 章 "
            f"{r.sections:>3} 节  ask p50 {statistics.median(lat):5.0f} ms  p95 {p95:5.0f} ms  (n={len(lat)})")


def main() -> None:
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "gazette-one-line.html"
        page.write_text(gazette_page(SHARED / "national-12th-five-year-plan.txt", "附录　名词解释"), encoding="utf-8")
        for i, source in enumerate([*sorted((SHARED / "real").iterdir()), page]):
            line = measure(source, Path(tmp) / str(i))
            print(line, flush=True)
            lines.append(line)
    out = ROOT / "bench" / "results" / "real_plans.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
