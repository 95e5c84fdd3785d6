"""Benchmarks: fresh index build, warm search latency, retrieval quality, peak memory.

    .venv/bin/python bench/bench.py [--questions eval/questions.jsonl] [--out bench/results/bench.json]

Numbers are printed and written as JSON. Each measurement is one function `measure_<name>(ctx) -> dict`
listed in SECTIONS; to add one (e.g. `ask` latency), write the function and append it there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation import assemble_corpus, gold_matches  # noqa: E402
from assistant.indexing import PlanIndex, open_index  # noqa: E402
from assistant.retrieval import HybridRetriever, distinct_sections  # noqa: E402

# Used only when eval/questions.jsonl does not exist yet: a mix of figures, paraphrase and English.
BUILTIN_QUESTIONS = [
    "2025年地区生产总值目标是多少?",
    "养老服务有什么安排",
    "垃圾分类怎么搞",
    "5G基站建设",
    "What is the GDP target for 2025?",
    "How will the district improve elderly care?",
    "老旧小区改造",
    "高新技术企业要达到多少家",
]


@dataclass
class Context:
    settings: Settings
    questions: list[dict[str, Any]]
    index: PlanIndex | None = None
    scratch: dict[str, Any] = field(default_factory=dict)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_build(ctx: Context) -> dict[str, Any]:
    """A fresh build (empty temp folder, nothing to reuse): parse, chunk, embed every sentence, store."""
    t0, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_utime
    ctx.index = open_index(ctx.settings, rebuild=True, progress=True)
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        # CPU time is what a busy machine cannot inflate: wall ≈ cpu / 2 on two idle cores.
        "cpu_seconds": round(resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0, 2),
        "embed_and_store_seconds": round(ctx.index.build_seconds or 0.0, 2),
        "chunks": len(ctx.index.chunks),
        "vectors": len(ctx.index.vectorstore.get(include=[])["ids"]),
    }


def measure_search(ctx: Context, rounds: int = 3) -> dict[str, Any]:
    """Warm hybrid search latency (BM25 + dense + fusion), each question `rounds` times."""
    assert ctx.index is not None
    retriever = HybridRetriever.from_index(ctx.index)
    queries = [q["question"] for q in ctx.questions]
    retriever.search(queries[0], k=8)  # warm-up: jieba, model caches
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            retriever.search(q, k=8)
            times.append((time.perf_counter() - t) * 1000)
    return {
        "queries": len(queries),
        "samples": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def _gold_rank(sections: list[tuple[int, int | None]], gold: list[str]) -> int | None:
    return next((i for i, s in enumerate(sections, 1) if any(gold_matches(g, s[2], s[3], s[1]) for g in gold)), None)


def measure_retrieval(ctx: Context, k: int = 20) -> dict[str, Any]:
    """Section hit@1 / hit@5 / MRR of retrieval alone, as eval counts them (first distinct (章, 节)).

    Follow-ups are left out: their question needs the chat history, which the answer chain rewrites.
    """
    assert ctx.index is not None
    retriever = HybridRetriever.from_index(ctx.index)
    items = [q for q in ctx.questions if q.get("answerable", True) and q.get("sections") and not q.get("history")]
    if not items:
        return {"n": 0}
    ranks = [_gold_rank(distinct_sections(retriever.search(q["question"], k=k)), q["sections"]) for q in items]
    by_kind: dict[str, list[int | None]] = {}
    for q, r in zip(items, ranks):
        by_kind.setdefault(q.get("kind", "?"), []).append(r)

    def summary(rs: list[int | None]) -> dict[str, float]:
        return {"n": len(rs), "hit_at_1": round(sum(r == 1 for r in rs) / len(rs), 3),
                "hit_at_5": round(sum(bool(r and r <= 5) for r in rs) / len(rs), 3),
                "mrr": round(sum(1 / r for r in rs if r) / len(rs), 3)}

    return {**summary(ranks), "by_kind": {kind: summary(rs) for kind, rs in sorted(by_kind.items())}}


def measure_memory(ctx: Context) -> dict[str, Any]:
    """Peak resident memory of this process so far (model, index, BM25, Chroma), in MB."""
    import psutil

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    return {"peak_rss_mb": round(peak_kb / 1024, 1),
            "current_rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1)}


def measure_ask(ctx: Context) -> dict[str, Any]:
    """Warm `ask` latency over the question file: the whole chain (rewrite, retrieve, answer)."""
    from assistant.corpus import load_corpus
    from assistant.service import PlanAssistant

    index = ctx.index or open_index(ctx.settings, progress=False)
    pa = PlanAssistant(ctx.settings, load_corpus(ctx.settings.corpus_dir), index)
    pa.ask("预热")  # jieba's dictionary and the first query embedding load lazily
    latencies = [pa.ask(q["question"], q.get("history", [])).latency_ms for q in ctx.questions]
    return {"n": len(latencies), "p50_ms": round(_percentile(latencies, 0.5), 1),
            "p95_ms": round(_percentile(latencies, 0.95), 1), "max_ms": round(max(latencies), 1)}


SECTIONS: list[tuple[str, Callable[[Context], dict[str, Any]]]] = [
    ("build", measure_build),
    ("search", measure_search),
    ("retrieval", measure_retrieval),
    ("ask", measure_ask),
    ("memory", measure_memory),  # last: the peak covers everything above
]


def load_questions(path: Path) -> tuple[list[dict[str, Any]], str]:
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return rows, str(path)
    return [{"question": q} for q in BUILTIN_QUESTIONS], "built-in"


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "bench.json")
    parser.add_argument("--plans", nargs="+", metavar="STEM",
                        help="plans to load (corpus/ or ../shared/plans/ file stems); default: corpus/ as it is")
    args = parser.parse_args()

    questions, source = load_questions(args.questions)
    results: dict[str, Any] = {"machine": machine(), "questions": source}
    with tempfile.TemporaryDirectory(prefix="planqa-bench-") as tmp:
        spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
        where = {"corpus_dir": assemble_corpus(Path(tmp) / "corpus", tuple(args.plans), spec, ROOT)} if args.plans else {}
        results["plans"] = args.plans or "corpus/"
        ctx = Context(settings=Settings(vectorstore_dir=Path(tmp) / "vectorstore", chroma_url=None, **where),
                      questions=questions)
        try:
            for name, measure in SECTIONS:
                results[name] = measure(ctx)
                print(f"{name:10s} {json.dumps(results[name], ensure_ascii=False)}", flush=True)
        finally:
            if ctx.index is not None:
                ctx.index.close()
    results["machine"]["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
