"""Time to a finished answer in a real browser (Debian's Chromium via Playwright), alone and under load.

    .venv/bin/python bench/browser_load.py [--users 1 3 20] [--url http://127.0.0.1:7860/]

For each user count, QUESTIONS (20) are shared out round-robin among that many browser sessions, which all
start together; each session asks its questions one after the other. Latency = Enter pressed → the bubble
is final (a reply with its chips, no cursor). Reports p50/p95 per user count into bench/results/.
Only this machine is contacted; the browser is never downloaded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_test import loopback_only, percentile, start_local_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUESTIONS = [
    "2025年养老机构护理型床位占比?", "到2025年高新技术企业要增至多少家?", "省级以上研发机构总量要达到多少家?",
    "第二章讲什么?", "规划对火星基地建设有什么安排?", "城镇化率目标是多少?", "第七章第三节讲什么?",
    "5星级养老机构要达到几家?", "科技服务业产业规模目标?", "居民人均可支配收入增长目标?",
    "What is the 2025 target for the share of nursing beds?", "民生保障重点项目有哪些?", "第五章讲什么?",
    "城市社区嵌入式养老服务机构覆盖率目标是多少?", "精准救助率目标是多少?", "规划的指导思想是什么?",
    "十四五时期的主要目标有哪些?", "生态环境方面有什么目标?", "交通基础设施有哪些重点项目?", "教育方面有什么安排?",
]
DONE_JS = """(before) => {
  const bots = document.querySelectorAll('#chat [data-testid="bot"]');
  const last = bots[bots.length - 1];
  return bots.length > before && !!last.querySelector('.reply-found, .reply-notfound, .reply-notice')
    && !last.querySelector('.cursor, .reply-pending');
}"""


async def session(browser, url: str, questions: list[str], ready: asyncio.Event, start: asyncio.Event,
                  timeout_ms: int) -> list[float]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    try:
        await page.goto(url, timeout=timeout_ms)
        await page.wait_for_selector("#question textarea", timeout=timeout_ms)
    finally:
        ready.set()  # loaded (or failed): either way the others need not wait for it
    await start.wait()
    times = []
    try:
        for q in questions:
            before = await page.locator('#chat [data-testid="bot"]').count()
            await page.fill("#question textarea", q)
            began = time.perf_counter()
            await page.keyboard.press("Enter")
            await page.wait_for_function(DONE_JS, arg=before, timeout=timeout_ms)
            times.append(round((time.perf_counter() - began) * 1000, 1))
    finally:
        await context.close()
    return times


async def run(url: str, users_list: list[int], timeout_ms: int) -> dict:
    from playwright.async_api import async_playwright

    out = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for users in users_list:
            shares = [QUESTIONS[i::users] for i in range(users)]
            start, ready = asyncio.Event(), [asyncio.Event() for _ in shares]
            tasks = [asyncio.create_task(session(browser, url, s, r, start, timeout_ms)) for s, r in zip(shares, ready)]
            await asyncio.gather(*(r.wait() for r in ready))  # every page loaded before the clock starts
            await asyncio.sleep(1)
            began = time.perf_counter()
            start.set()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            times = [t for r in results if isinstance(r, list) for t in r]
            out[str(users)] = {"answers": len(times), "errors": [repr(r)[:200] for r in results if not isinstance(r, list)],
                               "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
                               "max_ms": max(times, default=None), "wall_s": round(time.perf_counter() - began, 1)}
            print(f"{users:>2} users: {len(times)} answers · p50 {out[str(users)]['p50_ms']} ms · "
                  f"p95 {out[str(users)]['p95_ms']} ms · max {out[str(users)]['max_ms']} ms", flush=True)
        await browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app on this machine (default: start one in-process)")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 3, 20])
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds allowed per answer")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "browser_load.json")
    args = parser.parse_args(argv)
    demo = None
    url = loopback_only(args.url) if args.url else None
    if url is None:
        url, demo = start_local_app()
    try:
        summary = asyncio.run(run(url, [max(1, min(u, len(QUESTIONS))) for u in args.users], int(args.timeout * 1000)))
    finally:
        if demo is not None:
            demo.close()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(not s["errors"] for s in summary.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
