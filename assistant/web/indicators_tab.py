"""The 指标一览 tab: every quantified target of every loaded plan as a filterable, downloadable table.
A click on a row opens its quote, marked, in the reader (原文)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from ..indicators import Indicator, loaded_indicators
from ..indicators.table import filter_rows
from ..models import box_label, chapter_label, section_label
from .links import Target
from .reader import render_target

if TYPE_CHECKING:
    from ..service import PlanAssistant

ALL = "全部"
COMPARATOR_LABELS = {"reach": "达到", "at_least": "不低于/以上", "at_most": "不高于/以内", "about": "左右",
                     "increase": "增长", "decrease": "下降", "multiple": "倍数", "range": "区间"}
KIND_LABELS = {"target": "目标", "achieved": "已实现"}
HEADERS = ["规划", "章", "节", "专栏", "指标", "数值", "比较", "年份", "基期", "类型", "原文"]  # the downloads
# The page shows fewer columns: the side panel is narrow, and Gradio's table takes longer to show with
# every column (1,000 rows: ~30% longer with 11 columns than with 8). A value reads with its comparison
# ("60% · 不低于/以上") and a year with its kind ("2025 · 目标"): 6 cells a row opened ~15% faster than 8.
VIEW_HEADERS = ["规划", "位置", "指标", "数值", "年份", "原文"]
VIEW_WIDTHS = ["10%", "14%", "19%", "13%", "10%", "34%"]
READER_TAB = "reader"


def plan_names(pa: Any) -> dict[str, str]:
    return {d.id: (d.profile.short_name if d.profile else d.id) for d in pa.documents}


def frame(rows: list[Indicator], names: dict[str, str]) -> pd.DataFrame:
    """Rows as the downloads give them, every column: Chinese labels, the quote without the PDF's spaces."""
    return pd.DataFrame(
        [[names.get(r.doc, r.doc), chapter_label(r.chapter) if r.chapter is not None else "",
          section_label(r.section) if r.section is not None else "", r.box or "", r.indicator, r.value,
          COMPARATOR_LABELS[r.comparator], r.year, r.base_year or "", KIND_LABELS[r.kind], r.quote.replace(" ", "")]
         for r in rows],
        columns=HEADERS,
    )


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


def picked_row(rows: list[Indicator], shown: list[int], event: gr.SelectData) -> Indicator | None:
    """The row a click on the table chose; `shown` holds the shown rows' places in `rows`. The index is
    the row's place in the value the server sent; the clicked row's cells must agree with it, else (a
    table and a state that no longer match) the shown row with those cells is taken."""
    shown = shown or []
    index = event.index[0] if isinstance(event.index, (list, tuple)) and event.index else None
    cells = [str(c) for c in event.row_value or []]

    def same(row: Indicator) -> bool:
        return not cells or (any(c.startswith(row.value) for c in cells) and row.quote.replace(" ", "") in cells)

    if isinstance(index, int) and 0 <= index < len(shown) and same(rows[shown[index]]):
        return rows[shown[index]]
    return next((rows[i] for i in shown if cells and same(rows[i])), None)


def open_quote(pa: Any, row: Indicator | None) -> tuple[Any, Any]:
    """(reader, side tabs) updates that show a row's quote marked in its section, or change nothing."""
    if row is None:
        return gr.update(), gr.update()
    target = Target(row.doc, row.chapter, row.section, start=row.start, end=row.end, part=row.part)
    return render_target(pa, target), gr.Tabs(selected=READER_TAB)


def _choice(value: Any) -> str | None:
    return None if value in (None, "", ALL) else str(value)


def _choices(rows: list[Indicator], names: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """The plan, chapter and year filters' choices for these rows."""
    chapters = sorted({r.chapter for r in rows if r.chapter})
    years = sorted({r.year for r in rows if r.year is not None})
    return [ALL, *names.values()], [ALL, *map(str, chapters)], [ALL, *map(str, years)]


def indicators_tab(pa: PlanAssistant, reader: gr.HTML | None = None, tabs: gr.Tabs | None = None) -> gr.Tab:
    """Builds the tab inside the caller's gr.Blocks / gr.Tabs. Rows are computed once per corpus, in memory.
    Given the reader and the tabs around it, a click on a row opens the row's quote there; with several
    plans a 指标对比 tab follows (web/compare_tab.py)."""
    out_dir = Path(tempfile.mkdtemp(prefix="planqa-indicators-"))

    def now() -> tuple[list[Indicator], dict[str, str]]:
        """The rows of the plans loaded now: 规划管理 adds and removes plans under a running page."""
        return loaded_indicators(pa.documents, pa.sources), plan_names(pa)

    def corpus_key() -> str:
        return ",".join(f"{d.id}:{len(pa.sources.get(d.id, ''))}" for d in pa.documents)

    def select(rows: list[Indicator], names: dict[str, str], plan: str, chapter: str, year: str,
               keyword: str) -> list[int]:
        ids = {v: k for k, v in names.items()}
        ch, yr = _choice(chapter), _choice(year)
        chosen = filter_rows(rows, ids.get(_choice(plan) or ""), int(ch) if ch else None, int(yr) if yr else None,
                             keyword)
        keep = {id(r) for r in chosen}
        return [i for i, r in enumerate(rows) if id(r) in keep]

    def table_of(rows: list[Indicator], names: dict[str, str], plan: str, chapter: str, year: str,
                 keyword: str) -> tuple[pd.DataFrame, str, list[int]]:
        shown = select(rows, names, plan, chapter, year, keyword)
        return view([rows[i] for i in shown], names), f"共 {len(shown)} 条", shown

    def update(plan: str, chapter: str, year: str, keyword: str) -> tuple[pd.DataFrame, str, list[int]]:
        # The rows are read once: the shown places index these rows, even if a reload comes between.
        return table_of(*now(), plan, chapter, year, keyword)

    def files(shown: list[int]) -> tuple[str, str]:
        # Written after the table is shown: Excel alone takes ~0.3 s for 1,000 rows, longer than the filter.
        # One folder per corpus and set of rows: two users' filters never share a file, a set asked again is
        # reused, and rows of a corpus since changed are never served.
        rows, names = now()
        key = corpus_key() + "|" + ",".join(map(str, shown or []))
        folder = out_dir / hashlib.sha1(key.encode()).hexdigest()[:16]
        if not folder.exists():
            draft = Path(tempfile.mkdtemp(dir=out_dir))
            df = frame([rows[i] for i in shown or []], names)
            df.to_csv(draft / "indicators.csv", index=False, encoding="utf-8-sig")  # the BOM: Excel reads UTF-8
            df.to_excel(draft / "indicators.xlsx", index=False, sheet_name="指标一览")
            try:
                draft.rename(folder)  # whole or not at all: another user asking the same rows never sees half
            except OSError:  # that user was first
                shutil.rmtree(draft, ignore_errors=True)
        return str(folder / "indicators.csv"), str(folder / "indicators.xlsx")

    def reopened(seen: str) -> tuple[Any, ...]:
        """Opening the tab after a plan was added or removed shows the new corpus, filters cleared;
        otherwise nothing is sent (the table stays as the user left it)."""
        key = corpus_key()
        if seen == key:
            return (gr.update(),) * 7 + (seen,)
        rows, names = now()  # once: the filters' choices and the table are of one corpus
        plans, chapters, years = _choices(rows, names)
        df, count, shown = table_of(rows, names, ALL, ALL, ALL, "")
        return (gr.Dropdown(choices=plans, value=ALL), gr.Dropdown(choices=chapters, value=ALL),
                gr.Dropdown(choices=years, value=ALL), "", df, count, shown, key)

    rows, names = now()
    plans0, chapters0, years0 = _choices(rows, names)
    df0, count0, shown0 = table_of(rows, names, ALL, ALL, ALL, "")  # the full table, before any filter
    csv0, xlsx0 = files(shown0)
    with gr.Tab("指标一览", id="indicators") as tab:
        with gr.Row(equal_height=True):
            plan = gr.Dropdown(plans0, value=ALL, label="规划", min_width=120, elem_id="ind-plan")
            chapter = gr.Dropdown(chapters0, value=ALL, label="章", min_width=80, elem_id="ind-chapter")
            year = gr.Dropdown(years0, value=ALL, label="年份", min_width=80, elem_id="ind-year")
            keyword = gr.Textbox(label="关键词", placeholder="如：养老", min_width=120, elem_id="ind-keyword")
        count = gr.Markdown(count0, elem_id="ind-count")
        shown = gr.State(shown0)
        seen = gr.State(corpus_key())  # the corpus this page's table shows
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
            return open_quote(pa, picked_row(now()[0], picked, event))

        table.select(open_row, [shown], [reader, tabs], api_visibility="private", queue=False)
        if len(pa.documents) > 1:
            from .compare_tab import compare_tab

            compare_tab(pa, rows, names, reader, tabs)
    return tab
