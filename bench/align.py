"""规划衔接 against an answer key: each key of eval/align/ (written from the two documents alone, never
read by the rules) scored for pairing accuracy and verdict agreement, with the time of one alignment.
Prints the figures and every miss; writes bench/results/align.txt.

Run: .venv/bin/python bench/align.py   (adds the two plans to a temporary corpus; no index needed)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.align import align  # noqa: E402
from assistant.align_key import score  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.corpus import document_text, load_corpus  # noqa: E402
from assistant.embeddings import make_embeddings  # noqa: E402
from assistant.evaluation import assemble_corpus  # noqa: E402


def main() -> None:
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    lines = []
    for key_file in sorted((ROOT / "eval" / "align").glob("*.json")):
        key = json.loads(key_file.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            corpus = assemble_corpus(Path(tmp) / "corpus", (key["lower"], key["upper"]), spec, ROOT)
            docs = {d.id: d for d in load_corpus(corpus)}
            sources = {d: document_text(docs[d]) for d in docs}
            embeddings = make_embeddings(Settings(corpus_dir=corpus))
            align(docs[key["lower"]], docs[key["upper"]], sources, embeddings)  # models loaded, names embedded
            t0 = time.perf_counter()
            result = align(docs[key["lower"]], docs[key["upper"]], sources, embeddings)
            seconds = time.perf_counter() - t0
        s = score(result, key)
        lines.append(f"{key_file.name}: {s['n']} rows, pairing {s['pairing_accuracy']}, verdicts "
                     f"{s['verdict_agreement']}, one alignment {seconds:.2f} s (warm)")
        lines += [f"  miss: {m}" for m in s["misses"]]
    print("\n".join(lines))
    out = ROOT / "bench" / "results" / "align.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
