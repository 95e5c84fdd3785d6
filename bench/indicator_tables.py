"""Where the 指标一览 rows of each real plan come from: a table row (a row sentence written at ingest from a
text table, or a picture's table row), a table line ingest could not read, or prose. Each file of
../shared/plans/real/ is added to a temporary corpus as found; a plan with a picture table can be given
as an already ingested corpus folder (--corpus DIR, e.g. /tmp/al/corpus for national-15th-published).

It reads only `indicators_for` and the plan's text, so the same script measures an older checkout:
PYTHONPATH=<old tree> python bench/indicator_tables.py. Prints one line per plan and, with --rows, every
row that stands in a table line (indicator | value | unit | comparator | year | kind | 属性).

Run: .venv/bin/python bench/indicator_tables.py [--rows] [--corpus DIR]   (seconds)
"""

from __future__ import annotations

import argparse
import bisect
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: an older tree given there is the one measured

from assistant.corpus import document_text, load_corpus  # noqa: E402
from assistant.indicators import indicators_for  # noqa: E402
from assistant.ingest import add_plan  # noqa: E402
from assistant.tables import cells, is_row_sentence  # noqa: E402

REAL = ROOT.parent / "shared" / "plans" / "real"


def line_kind(line: str) -> str:
    if is_row_sentence(line):
        return "table row"
    if "。" not in line and len([c for c in cells(line.strip()) if c]) >= 3:
        return "unread table line"
    return "prose"


def measure(docs, show: bool) -> None:
    for doc in docs:
        text = document_text(doc)
        starts = [0]
        for line in text.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        lines = text.splitlines()
        rows = indicators_for([doc], {doc.id: text})
        counts = {"table row": 0, "unread table line": 0, "prose": 0}
        shown = []
        for r in rows:
            n = bisect.bisect_right(starts, r.start) - 1
            kind = line_kind(lines[n]) if 0 <= n < len(lines) else "prose"
            counts[kind] += 1
            if kind != "prose":
                shown.append(f"    {n:4d} {r.indicator} | {r.value} | {r.unit} | {r.comparator} | {r.year} | {r.kind}"
                             f" | {r.attribute}")
        sentences = sum(line_kind(line) == "table row" for line in lines)
        print(f"{doc.id:28s} rows {len(rows):4d}  from table rows {counts['table row']:3d} (of {sentences} row "
              f"sentences)  from unread table lines {counts['unread table line']:3d}  prose {counts['prose']:4d}")
        if show and shown:
            print("\n".join(shown))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", action="store_true")
    ap.add_argument("--corpus", type=Path, action="append", default=[])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        for source in sorted(REAL.glob("*")):
            add_plan(source, corpus)
        docs = load_corpus(corpus)
        for folder in args.corpus:  # its plans with pictures (<id>.images/)
            docs += [d for d in load_corpus(folder) if (folder / f"{d.id}.images").is_dir()]
        measure(docs, args.rows)


if __name__ == "__main__":
    main()
