"""The LLM answerer against the extractive one, side by side, on any question set.

    PLANQA_LLM_BASE_URL=http://127.0.0.1:8080/v1 PLANQA_LLM_MODEL=qwen2.5-1.5b-instruct \\
        .venv/bin/python bench/llm.py eval/questions.jsonl [--stream] [--limit 50] [--json bench/results/llm.json]

Both answerers share one index and one retrieval; only the answer step differs. Prints accuracy,
citation, refusal and latency figures for each, how often the model's reply was used, and why it was not.
Any OpenAI-compatible endpoint works (llama.cpp server, Ollama, vLLM); nothing is downloaded here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.llm import LLMAnswerer  # noqa: E402
from assistant.config import get_settings  # noqa: E402
from assistant.evaluation import evaluate, load_items, write_report  # noqa: E402
from assistant.models import Answer  # noqa: E402
from assistant.service import PlanAssistant  # noqa: E402

FIGURES = ["answer_accuracy", "citation_accuracy", "refusal_accuracy", "followup_accuracy",
           "latency_ms_p50", "latency_ms_p95"]


def streamed_ask(pa: PlanAssistant, first_delta_ms: list[float]) -> Callable[[str, list[str]], Answer]:
    """ask() through the streaming path, noting when the first words arrived (what a user waits for)."""

    def ask(question: str, history: list[str]) -> Answer:
        started = time.perf_counter()
        first: float | None = None
        for event in pa.stream(question, history):
            if isinstance(event, Answer):
                first_delta_ms.append(round(((first or time.perf_counter()) - started) * 1000, 1))
                return event
            first = first or time.perf_counter()
        raise RuntimeError("the stream ended without an Answer")

    return ask


def llm_usage(traces: list[dict]) -> dict:
    llm = [t.get("llm", {}) for t in traces]
    reasons = Counter(x.get("fallback_reason") for x in llm if not x.get("used"))
    return {"used": round(sum(bool(x.get("used")) for x in llm) / max(1, len(llm)), 4),
            "fallback_reasons": dict(reasons.most_common())}


def table(extractive: dict, llm: dict) -> str:
    lines = [f"{'figure':<22}{'extractive':>12}{'llm':>12}"]
    lines += [f"{k:<22}{str(extractive[k]):>12}{str(llm[k]):>12}" for k in FIGURES]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("questions", type=Path, help="eval JSONL (../shared/eval-format.md)")
    ap.add_argument("--stream", action="store_true", help="ask through the streaming path (as the chat does)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions")
    ap.add_argument("--json", type=Path, help="write both reports here")
    args = ap.parse_args()

    settings = get_settings().model_copy(update={"answerer": "extractive"})
    llm_settings = get_settings().model_copy(update={"answerer": "llm"})
    items = load_items(args.questions)[: args.limit or None]
    pa = PlanAssistant.load(settings)
    llm_pa = pa.with_answerer(LLMAnswerer.from_settings(llm_settings, pa.answer_chain.answerer))
    print(f"{len(items)} questions; endpoint {llm_settings.llm_base_url} model {llm_settings.llm_model} "
          f"timeout {llm_settings.llm_timeout}s{' streaming' if args.stream else ''}", flush=True)

    base = evaluate(items, pa.ask)
    traces: list[dict] = []
    first_delta_ms: list[float] = []
    inner = streamed_ask(llm_pa, first_delta_ms) if args.stream else llm_pa.ask

    def traced(question: str, history: list[str]) -> Answer:
        answer = inner(question, history)
        traces.append(answer.trace or {})
        return answer

    llm = evaluate(items, traced, progress=lambda i, n: print(f"\rllm {i}/{n}", end="", file=sys.stderr))
    print(file=sys.stderr)
    usage = llm_usage(traces)
    if first_delta_ms:
        usage["first_words_ms_p50"] = sorted(first_delta_ms)[len(first_delta_ms) // 2]
    print(table(base["summary"], llm["summary"]))
    print(f"model reply used     {usage['used']}")
    for reason, n in usage["fallback_reasons"].items():
        print(f"  fallback: {reason:<60} {n}")
    if "first_words_ms_p50" in usage:
        print(f"first words ms p50   {usage['first_words_ms_p50']}")
    if args.json:
        write_report({"extractive": base, "llm": {**llm, "usage": usage}}, args.json)
        print(f"report: {args.json}")


if __name__ == "__main__":
    main()
