"""Load test: concurrent chats against the web app on loopback, through gradio_client like any API user.

    .venv/bin/python bench/load_test.py                 # starts the app in this process on a free port
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:7860/ [--auth user:password]

Every chat is its own client session: a question, then (for most) a follow-up that relies on the chat's
history. All chats start together. Reports how many chats got every answer, and answer latency p50/p95
(submit → final streamed message). Bounded: at most MAX_CHATS chats, a timeout per answer and an overall
deadline. Traffic only ever goes to this machine.
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_CHATS = 100
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# (question, follow-up or None): answerable, follow-up, English and out-of-plan questions mixed.
CHATS = [
    ("2025年养老机构护理型床位占比?", "那5星级养老机构要达到几家?"),
    ("到2025年高新技术企业要增至多少家?", "国家科技型中小企业呢?"),
    ("What is the 2025 target for the share of nursing beds in elderly care institutions?", None),
    ("省级以上研发机构总量要达到多少家?", "科技服务业产业规模呢?"),
    ("规划对火星基地建设有什么安排?", None),
]


@dataclass
class ChatResult:
    chat: int
    ok: bool = False
    answers: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    error: str | None = None


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to load-test {url!r}: only 127.0.0.1 / localhost is allowed")
    return url


def final_reply(chat: list[dict]) -> str:
    last = chat[-1] if chat else {}
    if last.get("role") != "assistant":
        return ""
    return "".join(part.get("text", "") for part in last.get("content", []))


def run_chat(n: int, url: str, auth: tuple[str, str] | None, start: threading.Barrier, timeout: float) -> ChatResult:
    from gradio_client import Client

    result = ChatResult(chat=n)
    question, follow_up = CHATS[n % len(CHATS)]
    client = None
    try:
        client = Client(url, auth=auth, verbose=False)
    except Exception as e:
        result.error = f"connect: {type(e).__name__}: {e}"[:300]
    try:
        start.wait(timeout=timeout)  # all sessions fire together, not as they finish connecting
    except threading.BrokenBarrierError:
        pass
    if client is None:
        return result
    try:
        chat: list[dict] = []
        for message in filter(None, (question, follow_up)):
            began = time.perf_counter()
            _, chat = client.submit(message, chat, api_name="/chat").result(timeout=timeout)
            result.latencies_ms.append(round((time.perf_counter() - began) * 1000, 1))
            reply = final_reply(chat)
            if "reply-found" not in reply and "reply-notfound" not in reply:
                raise RuntimeError(f"no answer bubble for {message!r}: {reply[:120]!r}")
            result.answers += 1
        result.ok = True
    except Exception as e:  # a load test reports failures, it does not stop at the first
        result.error = f"{type(e).__name__}: {e}"[:300]
    return result


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: with 20–40 samples, interpolation would only pretend to precision."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def start_local_app() -> tuple[str, object]:
    from assistant.config import get_settings
    from assistant.service import PlanAssistant
    from assistant.web import build_app, serve

    settings = get_settings()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    loaded = time.perf_counter()
    demo = build_app(PlanAssistant.load(settings))
    print(f"app loaded in {time.perf_counter() - loaded:.1f}s", flush=True)
    url = serve(demo, settings, block=False, server_name="127.0.0.1", server_port=port, auth=None, quiet=True)
    return url, demo


def summarise(results: list[ChatResult], wall_s: float, chats: int) -> dict:
    latencies = [ms for r in results for ms in r.latencies_ms]
    return {
        "chats": chats,
        "chats_ok": sum(r.ok for r in results),
        "answers_ok": sum(r.answers for r in results),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "latency_ms_max": max(latencies, default=None),
        "wall_s": round(wall_s, 1),
        "errors": [r.error for r in results if r.error],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app on this machine (default: start one in-process)")
    parser.add_argument("--auth", help="user:password when the app has basic auth")
    parser.add_argument("--chats", type=int, default=20, help=f"concurrent chats (1..{MAX_CHATS})")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per answer")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds allowed for the whole run")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "load_test.json")
    args = parser.parse_args(argv)
    chats = max(1, min(args.chats, MAX_CHATS))
    auth = tuple(args.auth.split(":", 1)) if args.auth else None

    demo = None
    url = loopback_only(args.url) if args.url else None
    if url is None:
        url, demo = start_local_app()
    try:
        barrier = threading.Barrier(chats)
        began = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=chats)
        futures = [pool.submit(run_chat, i, url, auth, barrier, args.timeout) for i in range(chats)]
        done, late = wait(futures, timeout=args.deadline)
        barrier.abort()  # release any session still waiting for the others
        pool.shutdown(wait=False, cancel_futures=True)  # stragglers end at their own per-answer timeout
        results = [f.result() for f in done] + [ChatResult(chat=-1, error="deadline passed") for _ in late]
        summary = summarise(results, time.perf_counter() - began, chats)
    finally:
        if demo is not None:
            demo.close()

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"url": url, "summary": summary,
                                     "chats": [asdict(r) for r in results]}, ensure_ascii=False, indent=2),
                         encoding="utf-8")
    print(f"{summary['chats_ok']}/{chats} chats answered in full ({summary['answers_ok']} answers) "
          f"· latency p50 {summary['latency_ms_p50']} ms · p95 {summary['latency_ms_p95']} ms "
          f"· max {summary['latency_ms_max']} ms · wall {summary['wall_s']} s → {args.json}")
    for error in summary["errors"]:
        print("  error:", error)
    return 0 if summary["chats_ok"] == chats else 1


if __name__ == "__main__":
    raise SystemExit(main())
