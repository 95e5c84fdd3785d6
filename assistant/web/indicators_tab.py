"""The 指标一览 tab: every quantified target of every loaded plan as a filterable, downloadable table."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from ..indicators import Indicator, indicators_for
from ..indicators.table import filter_rows
from ..models import chapter_label, section_label

if TYPE_CHECKING:
    from ..service import PlanAssistant

ALL = "全部"
COMPARATOR_LABELS = {"reach": "达到", "at_least": "不低于/以上", "at_most": "不高于/以内", "about": "左右",
                     "increase": "增长", "decrease": "下降", "multiple": "倍数", "range": "区间"}
KIND_LABELS = {"target": "目标", "achieved": "已实现"}
HEADERS = ["规划", "章", "节", "专栏", "指标", "数值", "比较", "年份", "基期", "类型", "原文"]


def frame(rows: list[Indicator], names: dict[str, str]) -> pd.DataFrame:
    """Rows as the table shows them: Chinese labels, the quote without the PDF's spaces."""
    return pd.DataFrame(
        [[names.get(r.doc, r.doc), chapter_label(r.chapter) if r.chapter is not None else "",
          section_label(r.section) if r.section is not None else "", r.box or "", r.indicator, r.value,
          COMPARATOR_LABELS[r.comparator], r.year, r.base_year or "", KIND_LABELS[r.kind], r.quote.replace(" ", "")]
         for r in rows],
        columns=HEADERS,
    )


def _choice(value: Any) -> str | None:
    return None if value in (None, "", ALL) else str(value)


def indicators_tab(pa: PlanAssistant) -> gr.Tab:
    """Builds the tab inside the caller's gr.Blocks / gr.Tabs. Rows are computed once, here, in memory."""
    rows = indicators_for(pa.documents, pa.sources)
    names = {d.id: (d.profile.short_name if d.profile else d.id) for d in pa.documents}
    ids = {v: k for k, v in names.items()}
    out_dir = Path(tempfile.mkdtemp(prefix="planqa-indicators-"))

    def select(plan: str, chapter: str, year: str, keyword: str) -> list[Indicator]:
        ch, yr = _choice(chapter), _choice(year)
        return filter_rows(rows, ids.get(_choice(plan) or ""), int(ch) if ch else None, int(yr) if yr else None,
                           keyword)

    def update(plan: str, chapter: str, year: str, keyword: str) -> tuple[pd.DataFrame, str, str, str]:
        df = frame(select(plan, chapter, year, keyword), names)
        csv_path, xlsx_path = out_dir / "indicators.csv", out_dir / "indicators.xlsx"
        df.to_csv(csv_path, index=False, encoding="utf-8-sig")  # the BOM makes Excel read the CSV as UTF-8
        df.to_excel(xlsx_path, index=False, sheet_name="指标一览")
        return df, str(csv_path), str(xlsx_path), f"共 {len(df)} 条"

    years = sorted({r.year for r in rows if r.year is not None})
    chapters = sorted({r.chapter for r in rows if r.chapter})
    df0, csv0, xlsx0, count0 = update(ALL, ALL, ALL, "")  # the full table, shown before any filter is touched
    with gr.Tab("指标一览", id="indicators") as tab:
        with gr.Row(equal_height=True):
            plan = gr.Dropdown([ALL, *names.values()], value=ALL, label="规划", min_width=120, elem_id="ind-plan")
            chapter = gr.Dropdown([ALL, *map(str, chapters)], value=ALL, label="章", min_width=80, elem_id="ind-chapter")
            year = gr.Dropdown([ALL, *map(str, years)], value=ALL, label="年份", min_width=80, elem_id="ind-year")
            keyword = gr.Textbox(label="关键词", placeholder="如：养老", min_width=120, elem_id="ind-keyword")
        count = gr.Markdown(count0, elem_id="ind-count")
        table = gr.Dataframe(df0, headers=HEADERS, interactive=False, wrap=True, max_height=560, elem_id="ind-table",
                             buttons=["fullscreen", "copy"], column_widths=["8%", "7%", "7%", "8%", "16%", "8%",
                                                                            "8%", "6%", "6%", "6%", "20%"])
        with gr.Row():
            csv_btn = gr.DownloadButton("下载 CSV", csv0, size="sm", elem_id="ind-csv")
            xlsx_btn = gr.DownloadButton("下载 Excel", xlsx0, size="sm", elem_id="ind-xlsx")
    inputs = [plan, chapter, year, keyword]
    outputs = [table, csv_btn, xlsx_btn, count]
    for control in (plan.change, chapter.change, year.change, keyword.submit):
        control(update, inputs, outputs, api_visibility="private", queue=False)
    return tab
