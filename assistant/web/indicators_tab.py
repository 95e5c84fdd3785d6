"""The 指标一览 tab: every quantified target of every loaded plan as a filterable, downloadable table.
A click on a row opens its quote, marked, in the reader (原文)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from ..indicators import Indicator
from ..indicators.table import COMPARATOR_LABELS, KIND_LABELS, filter_rows, write_files
from ..library import Corpus
from ..models import box_label, chapter_label, section_label
from .protocol import PlanService
from .rows import open_quote, picked_row

ALL = "全部"
# The page shows fewer columns: the side panel is narrow, and Gradio's table takes longer to show with
# every column (1,000 rows: ~30% longer with 11 columns than with 8). A value reads with its comparison
# ("60% · 不低于/以上") and a year with its kind ("2025 · 目标"): 6 cells a row opened ~15% faster than 8.
VIEW_HEADERS = ["规划", "位置", "指标", "数值", "年份", "原文"]
VIEW_WIDTHS = ["10%", "14%", "19%", "13%", "10%", "34%"]


def place(r: Indicator) -> str:
    """"第七章 第三节 · 专栏:…": where the row stands, in one cell."""
    parts = [chapter_label(r.chapter) if r.chapter is not None else "",
             section_label(r.section) if r.section is not None else ""]
    where = " ".join(p for p in parts if p)
    return " · ".join(p for p in (where, box_label(r.box) if r.box else "") if p)


def view(rows: list[Indicator], names: dict[str, str]) -> pd.DataFrame:
    """Rows as the page shows them (VIEW_HEADERS); the downloads have every column (frame)."""
    def when(r: Indicator) -> str:
        return f"{r.year} · {KIND_LABELS[r.kind]}" if r.year is not None else KIND_LABELS[r.kind]

    return pd.DataFrame([[names.get(r.doc, r.doc), place(r), r.indicator, f"{r.value} · {COMPARATOR_LABELS[r.comparator]}",
                          when(r), r.quote.replace(" ", "")] for r in rows], columns=VIEW_HEADERS)


def _choice(value: Any) -> str | None:
    return None if value in (None, "", ALL) else str(value)


def _choices(corpus: Corpus) -> tuple[list[str], list[str], list[str]]:
    """The plan, chapter and year filters' choices: every plan, the chapters its rows stand in, and every
    year a row or a plan names (a plan's target and 远景 years, even before a row is read for them)."""
    rows = corpus.indicators
    chapters = sorted({r.chapter for r in rows if r.chapter})
    years = {r.year for r in rows if r.year is not None}
    years |= {y for d in corpus.documents if d.profile for y in (d.profile.target_year, d.profile.vision_year) if y}
    return [ALL, *corpus.names.values()], [ALL, *map(str, chapters)], [ALL, *map(str, sorted(years))]


def indicators_tab(svc: PlanService, reader: gr.HTML | None = None, tabs: gr.Tabs | None = None) -> gr.Tab:
    """Builds the tab inside the caller's gr.Blocks / gr.Tabs. Every event reads the plans loaded at that
    moment (svc.current(): its rows are computed once per corpus); opening the tab after a plan was added
    or removed shows the new corpus. Given the reader and the tabs around it, a click on a row opens the
    row's quote there."""
    out_dir = Path(tempfile.mkdtemp(prefix="planqa-indicators-"))

    def select(corpus: Corpus, plan: str, chapter: str, year: str, keyword: str) -> list[int]:
        ids = {v: k for k, v in corpus.names.items()}
        ch, yr = _choice(chapter), _choice(year)
        chosen = filter_rows(corpus.indicators, ids.get(_choice(plan) or ""), int(ch) if ch else None,
                             int(yr) if yr else None, keyword)
        keep = {id(r) for r in chosen}
        return [i for i, r in enumerate(corpus.indicators) if id(r) in keep]

    def table_of(corpus: Corpus, plan: str, chapter: str, year: str,
                 keyword: str) -> tuple[pd.DataFrame, str, list[int]]:
        shown = select(corpus, plan, chapter, year, keyword)
        return view([corpus.indicators[i] for i in shown], corpus.names), f"共 {len(shown)} 条", shown

    def update(plan: str, chapter: str, year: str, keyword: str) -> tuple[pd.DataFrame, str, list[int]]:
        # The corpus is read once: the shown places index its rows, even if a reload comes between.
        return table_of(svc.current(), plan, chapter, year, keyword)

    def files(shown: list[int]) -> tuple[str, str]:
        # Written after the table is shown: Excel alone takes ~0.3 s for 1,000 rows, longer than the filter.
        # One folder per corpus and set of rows: two users' filters never share a file, a set asked again is
        # reused, and rows of a corpus since changed are never served.
        corpus = svc.current()
        key = corpus.version + "|" + ",".join(map(str, shown or []))
        folder = out_dir / hashlib.sha1(key.encode()).hexdigest()[:16]
        if not folder.exists():
            draft = Path(tempfile.mkdtemp(dir=out_dir))
            rows = [corpus.indicators[i] for i in shown or [] if i < len(corpus.indicators)]
            write_files(rows, corpus.names, draft)
            try:
                draft.rename(folder)  # whole or not at all: another user asking the same rows never sees half
            except OSError:  # that user was first
                shutil.rmtree(draft, ignore_errors=True)
        return str(folder / "indicators.csv"), str(folder / "indicators.xlsx")

    def reopened(seen: str) -> tuple[Any, ...]:
        """Opening the tab after a plan was added or removed shows the new corpus, filters cleared;
        otherwise nothing is sent (the table stays as the user left it)."""
        corpus = svc.current()  # once: the filters' choices and the table are of one corpus
        if seen == corpus.version:
            return (gr.update(),) * 7 + (seen,)
        plans, chapters, years = _choices(corpus)
        df, count, shown = table_of(corpus, ALL, ALL, ALL, "")
        return (gr.Dropdown(choices=plans, value=ALL), gr.Dropdown(choices=chapters, value=ALL),
                gr.Dropdown(choices=years, value=ALL), "", df, count, shown, corpus.version)

    corpus0 = svc.current()
    plans0, chapters0, years0 = _choices(corpus0)
    df0, count0, shown0 = table_of(corpus0, ALL, ALL, ALL, "")  # the full table, before any filter
    csv0, xlsx0 = files(shown0)
    with gr.Tab("指标一览", id="indicators") as tab:
        with gr.Row(equal_height=True):
            plan = gr.Dropdown(plans0, value=ALL, label="规划", min_width=120, elem_id="ind-plan")
            chapter = gr.Dropdown(chapters0, value=ALL, label="章", min_width=80, elem_id="ind-chapter")
            year = gr.Dropdown(years0, value=ALL, label="年份", min_width=80, elem_id="ind-year")
            keyword = gr.Textbox(label="关键词", placeholder="如：养老", min_width=120, elem_id="ind-keyword")
        count = gr.Markdown(count0, elem_id="ind-count")
        shown = gr.State(shown0)
        seen = gr.State(corpus0.version)  # the corpus this page's table shows
        hint = "点击任一行，在「原文」中打开该句所在章节并高亮。" if reader is not None else ""
        table = gr.Dataframe(df0, headers=VIEW_HEADERS, interactive=False, wrap=True, max_height=560,
                             elem_id="ind-table", label=hint or None, show_label=bool(hint),
                             buttons=["fullscreen", "copy"], column_widths=VIEW_WIDTHS)
        with gr.Row():
            csv_btn = gr.DownloadButton("下载 CSV", csv0, size="sm", elem_id="ind-csv")
            xlsx_btn = gr.DownloadButton("下载 Excel", xlsx0, size="sm", elem_id="ind-xlsx")
    inputs = [plan, chapter, year, keyword]
    for control in (plan.change, chapter.change, year.change, keyword.submit):
        control(update, inputs, [table, count, shown], api_visibility="private", queue=False).then(
            files, [shown], [csv_btn, xlsx_btn], api_visibility="private", queue=False)
    tab.select(reopened, [seen], [plan, chapter, year, keyword, table, count, shown, seen],
               api_visibility="private", queue=False).then(
        files, [shown], [csv_btn, xlsx_btn], api_visibility="private", queue=False)
    if reader is not None and tabs is not None:
        def open_row(picked: list[int], event: gr.SelectData) -> tuple[Any, Any]:
            corpus = svc.current()
            return open_quote(corpus, picked_row(corpus.indicators, picked, event))

        table.select(open_row, [shown], [reader, tabs], api_visibility="private", queue=False)
    return tab
