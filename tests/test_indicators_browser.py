"""The 指标一览 and 指标对比 tabs in a real browser (Debian's Chromium, Playwright) around three real plans
and the stand-in chat of test_app_browser: the table's rows, the keyword filter, a row click opening the
reader with the quote marked, and one indicator across plans with its chart. Timings are measured by
bench/indicators_tab.py, not asserted here."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from assistant.config import ROOT, Settings
from assistant.indicators import indicators_for
from assistant.indicators.compare import level_points, rows_named
from assistant.indicators.table import filter_rows
from assistant.web.indicators_tab import VIEW_HEADERS
from test_app_browser import TIMEOUT_MS, KnownAnswers, RunningApp, Visit, browser, start, visiting  # noqa: F401

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                reason="Debian's Chromium is not installed at /usr/bin/chromium")

SHARED = ROOT.parent / "shared" / "plans"
PLANS = [ROOT / "corpus" / "haizhou-14th-five-year-plan.txt",
         *(SHARED / f"national-{n}-five-year-plan.txt" for n in ("12th", "13th"))]
KEYWORD = "护理型床位"


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> KnownAnswers:
    """The stand-in assistant (fixed chat answers) over a corpus of three real plans."""
    if not all(p.exists() for p in PLANS):
        pytest.skip("the national plans are not in ../shared/plans")
    tmp = tmp_path_factory.mktemp("indicator-plans")
    (tmp / "corpus").mkdir()
    for file in (p.with_suffix(suffix) for p in PLANS for suffix in (".txt", ".json")):
        if file.exists():
            shutil.copy(file, tmp / "corpus" / file.name)
    return KnownAnswers(Settings(corpus_dir=tmp / "corpus", feedback_path=tmp / "feedback.jsonl"))


@pytest.fixture(scope="module")
def app(plans: KnownAnswers) -> Iterator[RunningApp]:
    running = start(plans, plans.settings, plans.settings.feedback_path)
    yield running
    running.close()


@pytest.fixture
def page(browser, app: RunningApp) -> Iterator[Page]:  # noqa: F811 (the browser fixture of test_app_browser)
    for run in visiting(browser, app):  # and, after the test, the check that nothing left this machine
        yield run.page


def count(page: Page, selector: str = "#ind-count") -> int:
    return int(re.search(r"共\s*(\d+)\s*条", page.inner_text(selector))[1])  # type: ignore[index]


def open_tab(page: Page, tab_id: str) -> None:
    page.click(f"#side-tabs [role=tab][data-tab-id={tab_id}]")


def cell(table: str, row: int, col: int) -> str:
    return f"{table} [data-testid=cell-{row}-{col}]"


def test_tab_shows_every_row_and_a_keyword_narrows_them(page: Page, plans: KnownAnswers) -> None:
    rows = indicators_for(plans.documents, plans.sources)
    wanted = filter_rows(rows, grep=KEYWORD)
    open_tab(page, "indicators")
    page.wait_for_selector(cell("#ind-table", 0, 2), timeout=TIMEOUT_MS)
    assert count(page) == len(rows) > 300
    # The table takes the page's width, the chat steps aside; 返回对话 brings it back beside the reader.
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.locator("#ind-table").bounding_box()["width"] > 0.85 * width  # type: ignore[index]
    assert not page.locator("#chat-col").is_visible()
    page.click("#ind-year input")  # the 远景 year is among the years to filter by
    assert page.locator("[role=option]", has_text="2035").count() == 1
    page.keyboard.press("Escape")
    page.click("#back-to-chat")
    page.wait_for_selector("#chat-col", state="visible", timeout=TIMEOUT_MS)
    assert page.get_attribute("#side-tabs [role=tab][aria-selected=true]", "data-tab-id") == "reader"
    assert not page.locator("#back-to-chat").is_visible()
    open_tab(page, "indicators")
    page.fill("#ind-keyword textarea, #ind-keyword input", KEYWORD)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelector('#ind-count').innerText.includes('共 {len(wanted)} 条')",
                           timeout=TIMEOUT_MS)
    assert 0 < len(wanted) < 10
    quote = VIEW_HEADERS.index("原文")
    shown = [page.inner_text(cell("#ind-table", i, 2)) + page.inner_text(cell("#ind-table", i, quote))
             for i in range(len(wanted))]
    assert all(KEYWORD in text for text in shown), shown
    assert page.locator(cell("#ind-table", len(wanted), 2)).count() == 0
    # The download follows the filter; it is written just after the table is shown, so it may take a moment.
    for _ in range(10):
        with page.expect_download(timeout=TIMEOUT_MS) as download:
            page.click("#ind-csv")
        table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        if len(table) == len(wanted) + 1:
            break
        page.wait_for_timeout(300)
    rows = [dict(zip(table[0], r)) for r in table[1:]]
    assert len(table) == len(wanted) + 1 and all(KEYWORD in r["指标"] + r["原文"] for r in rows), len(table)


def test_row_click_opens_the_reader_with_the_quote_marked(page: Page, plans: KnownAnswers) -> None:
    row = filter_rows(indicators_for(plans.documents, plans.sources), grep=KEYWORD)[0]
    open_tab(page, "indicators")
    page.fill("#ind-keyword textarea, #ind-keyword input", KEYWORD)
    page.keyboard.press("Enter")
    page.wait_for_function("() => /共 [0-9] 条/.test(document.querySelector('#ind-count').innerText)",
                           timeout=TIMEOUT_MS)
    page.click(cell("#ind-table", 0, 2))
    page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)
    assert page.get_attribute("#side-tabs [role=tab][aria-selected=true]", "data-tab-id") == "reader"
    mark = page.inner_text("#reader mark").replace(" ", "")
    assert KEYWORD in mark and row.value.replace(" ", "") in mark, mark
    assert "第三节 着力提升民生保障水平" in page.inner_text("#reader .reader-head")
    page.wait_for_function(  # scrolled into the reader's view, as for a citation chip
        """() => { const b = document.querySelector('#reader .reader-body'), m = b && b.querySelector('mark');
                   if (!m) return false; const r = m.getBoundingClientRect(), v = b.getBoundingClientRect();
                   return r.top >= v.top && r.bottom <= v.bottom; }""", timeout=5_000)


def test_one_indicator_across_plans_with_its_chart(page: Page, plans: KnownAnswers) -> None:
    rows = indicators_for(plans.documents, plans.sources)
    urban = rows_named(rows, "城镇化率")
    assert len({r.doc for r in urban}) == 2
    open_tab(page, "compare")
    page.wait_for_selector("#cmp-name input", timeout=TIMEOUT_MS)
    page.fill("#cmp-name input", "城镇化率")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#cmp-note').innerText.includes('城镇化率')",
                           timeout=TIMEOUT_MS)
    assert "2 部规划" in page.inner_text("#cmp-note") and f"{len(urban)} 条" in page.inner_text("#cmp-note")
    plans_shown = {page.inner_text(cell("#cmp-table", i, 0)) for i in range(len(urban))}
    assert plans_shown == {"国家十二五", "国家十三五"}, plans_shown
    assert page.inner_text(cell("#cmp-table", 0, 0)) == "国家十二五"  # the earlier period first
    # The chart draws the levels (the 12th plan says only "提高4个百分点", a change): one point each.
    drawn = level_points(urban)
    assert {r.doc for r in drawn} == {plans.documents[2].id}
    page.wait_for_function(f"() => document.querySelectorAll('#cmp-plot g.mark-symbol.role-mark path').length === {len(drawn)}",
                           timeout=TIMEOUT_MS)
    assert "国家十三五" in page.inner_text("#cmp-plot")
    page.click(cell("#cmp-table", len(urban) - 1, 3))
    page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)
    assert "城镇化率" in page.inner_text("#reader mark")
