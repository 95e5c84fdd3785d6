"""The 指标一览 tab in a real browser (Debian's Chromium via Playwright) with 1,000+ indicator rows:
time to open the tab, to filter, to show every row again, and to open a row's quote in the reader.

    .venv/bin/python bench/indicators_tab.py [--rows 1000] [--runs 5]

The corpus: the district plan and the two national outlines (text), the two published outlines as
`plan-qa add` makes them (their pictures through eval/ocr-cache), and copies of the district plan under
other names until there are --rows rows. The chat is a stand-in (no index): only the tab is measured.
Each time is taken inside the page, from the user's click or Enter (a capture-phase listener) to the frame
that shows the result (requestAnimationFrame polling). Medians and maxima over --runs; server-side times too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from assistant.config import Settings  # noqa: E402
from assistant.corpus import document_text, load_corpus  # noqa: E402
from assistant.evaluation import assemble_corpus  # noqa: E402
from assistant.indicators import indicators_for  # noqa: E402
from assistant.web import build_app, serve  # noqa: E402
from support import free_port, launch_chromium  # noqa: E402

TEXT_PLANS = ("haizhou-14th-five-year-plan", "national-12th-five-year-plan", "national-13th-five-year-plan")
PUBLISHED = ("national-12th-published", "national-13th-published")
COPIED = ROOT / "corpus" / "haizhou-14th-five-year-plan.txt"
FEW, MANY = "护理型床位", "亿元"  # a keyword that leaves a handful of rows, one that leaves many

# Installed once per page: marks when the user acted (click or Enter) and polls frames until `done` holds.
WATCH_JS = """([event, done]) => {
  window.__planqaTook = null;
  const test = new Function('return (' + done + ')');
  const started = (e) => {
    if (event === 'keydown' && e.key !== 'Enter') return;
    document.removeEventListener(event, started, true);
    const t0 = performance.now();
    const poll = () => test() ? (window.__planqaTook = performance.now() - t0) : requestAnimationFrame(poll);
    requestAnimationFrame(poll);
  };
  document.addEventListener(event, started, true);
}"""
CELL = "document.querySelector('#ind-table [data-testid=cell-0-2]')"


def shown(count: int) -> str:
    return f"document.querySelector('#ind-count')?.innerText.includes('共 {count} 条') && {CELL}?.offsetParent !== null"


class Plans:
    """What the page reads of a PlanAssistant; the chat is never used here."""

    def __init__(self, folder: Path) -> None:
        self.settings = Settings(corpus_dir=folder, feedback_path=folder.parent / "feedback.jsonl")
        self.documents = load_corpus(folder)
        self.sources = {d.id: document_text(d) for d in self.documents}


def corpus(folder: Path, min_rows: int) -> Plans:
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    assemble_corpus(folder, TEXT_PLANS + PUBLISHED, spec, ROOT)
    copies = 0
    while len(indicators_for((pa := Plans(folder)).documents, pa.sources)) < min_rows:
        copies += 1
        shutil.copy(COPIED, folder / f"copy-{copies}.txt")
        (folder / f"copy-{copies}.json").write_text(json.dumps({"profile": {"short_name": f"副本{copies}"}}),
                                                     encoding="utf-8")
    return pa


def timed(page, event: str, done: str, act) -> float:
    """ms from the user's act (`event` in the page) to the first frame where `done` holds."""
    page.evaluate(WATCH_JS, [event, done])
    act()
    return float(page.wait_for_function("() => window.__planqaTook", timeout=60_000).json_value())


def measure(url: str, rows: int, few: int, many: int, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {k: [] for k in ("open (first)", "open (again)", f"filter → {few} rows",
                                                   f"filter → {many} rows", f"clear → all {rows} rows", "row → reader")}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for _ in range(runs):
            page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
            page.goto(url)
            page.wait_for_selector("#chat", timeout=60_000)
            tab = "#side-tabs [role=tab][data-tab-id=indicators]"
            out["open (first)"].append(timed(page, "click", shown(rows), lambda: page.click(tab)))
            page.click("#side-tabs [role=tab][data-tab-id=toc]")
            out["open (again)"].append(timed(page, "click", shown(rows), lambda: page.click(tab)))
            box = "#ind-keyword textarea, #ind-keyword input"
            for keyword, n in ((FEW, few), (MANY, many), ("", rows)):
                page.fill(box, keyword)
                label = f"clear → all {rows} rows" if not keyword else f"filter → {n} rows"
                out[label].append(timed(page, "keydown", shown(n), lambda: page.keyboard.press("Enter")))
            page.fill(box, FEW)
            page.keyboard.press("Enter")
            page.wait_for_function(shown(few), timeout=60_000)
            out["row → reader"].append(timed(page, "click", "document.querySelector('#reader mark')",
                                             lambda: page.click("#ind-table [data-testid=cell-0-2]")))
            page.context.close()
        browser.close()
    return out


def server_side(pa: Plans) -> dict[str, float]:
    """ms for what the server does per filter: the rows' table, and the two files written after it."""
    from assistant.indicators.table import frame
    from assistant.web.indicators_tab import view

    rows = indicators_for(pa.documents, pa.sources)
    names = {d.id: d.profile.short_name if d.profile else d.id for d in pa.documents}
    t = time.perf_counter()
    view(rows, names)
    table_ms = (time.perf_counter() - t) * 1000
    df = frame(rows, names)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        df.to_csv(Path(tmp) / "a.csv", index=False, encoding="utf-8-sig")
        df.to_excel(Path(tmp) / "a.xlsx", index=False)
        files_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    indicators_for(pa.documents, pa.sources)
    return {"extract all rows": (time.perf_counter() - t) * 1000, "table of all rows": table_ms,
            "CSV + Excel of all rows (after the table)": files_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from assistant.indicators.table import filter_rows

    with tempfile.TemporaryDirectory() as tmp:
        pa = corpus(Path(tmp) / "corpus", args.rows)
        rows = indicators_for(pa.documents, pa.sources)
        few, many = len(filter_rows(rows, grep=FEW)), len(filter_rows(rows, grep=MANY))
        demo = build_app(pa, feedback_path=pa.settings.feedback_path)
        url = serve(demo, pa.settings, block=False, server_name="127.0.0.1", server_port=free_port(), auth=None,
                    quiet=True)
        try:
            times = measure(url, len(rows), few, many, args.runs)
        finally:
            demo.close()
        lines = [f"指标一览 in Chromium: {len(rows)} rows from {len(pa.documents)} plans, {args.runs} runs "
                 f"(ms, median / max; click or Enter → the frame showing it)"]
        lines += [f"  {k:28s} {statistics.median(v):7.0f} / {max(v):5.0f}" for k, v in times.items()]
        lines += ["server side (ms, once):"] + [f"  {k:42s} {v:7.0f}" for k, v in server_side(pa).items()]
    print("\n".join(lines))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "indicators_tab.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
