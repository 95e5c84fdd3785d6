"""The 指标对比 tab: one indicator in every loaded plan side by side (plan, period, year, value), with a
chart of its levels over the periods. Names are matched by indicators/compare.py; a click on a row opens
its quote in the reader, as in 指标一览."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from ..indicators import Indicator
from ..indicators.compare import display_name, level_points, rows_named, shared_names
from ..indicators.table import COMPARATOR_LABELS, KIND_LABELS
from ..library import Corpus
from ..models import Document
from .protocol import PlanService
from .rows import open_quote, picked_row

HEADERS = ["规划", "时期", "年份", "指标", "数值", "比较", "类型", "原文"]
PLOT_COLUMNS = ["年份", "数值", "系列", "类型"]


def period_label(doc: Document | None) -> str:
    """The period with its years ("十N五（start—end）"), or what of it the plan's profile knows."""
    p = doc.profile if doc else None
    if p is None:
        return ""
    years = f"{p.start_year}—{p.target_year}" if p.start_year and p.target_year else ""
    return f"{p.period or ''}（{years}）" if p.period and years else p.period or years


def plan_order(docs: list[Document]) -> dict[str, int]:
    """Plans by period: the earlier plan's column (and line) first."""
    def start(d: Document) -> int:
        return d.profile.start_year or 0 if d.profile else 0

    return {d.id: i for i, d in enumerate(sorted(docs, key=start))}


def compare_frame(rows: list[Indicator], names: dict[str, str], periods: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([[names.get(r.doc, r.doc), periods.get(r.doc, ""), r.year or "", display_name(r.indicator),
                          r.value, COMPARATOR_LABELS[r.comparator], KIND_LABELS[r.kind], r.quote.replace(" ", "")]
                         for r in rows], columns=HEADERS)


def plot_frame(rows: list[Indicator], names: dict[str, str]) -> tuple[pd.DataFrame, str]:
    """The chart's points (a series per plan, or per plan and name when the rows carry several names) and
    their unit. A scatter, not a line: Gradio's line sums the points of a series that share a year, and a
    plan may state one year's level twice (its review table and its target table)."""
    points = level_points(rows)
    several = len({display_name(r.indicator) for r in points}) > 1

    def series(r: Indicator) -> str:
        plan = names.get(r.doc, r.doc)
        return f"{plan} · {display_name(r.indicator)}" if several else plan

    # Years as names, not numbers: a numeric axis over a few years ticks half years (a year printed twice, "N, N, N+1").
    df = pd.DataFrame([[str(r.year), r.number, series(r), KIND_LABELS[r.kind]] for r in points], columns=PLOT_COLUMNS)
    return df, points[0].unit if points else ""


def chart(points: pd.DataFrame, unit: str) -> dict[str, Any]:
    """The chart's value and the settings that follow it; the value axis gets a margin (Gradio fits it to
    the points and clips the outer ones in half)."""
    if points.empty:
        return dict(value=points, visible=False)
    lo, hi = float(points["数值"].min()), float(points["数值"].max())
    pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
    return dict(value=points, visible=True, y_lim=[lo - pad, hi + pad], y_title=f"数值（{unit}）" if unit else "数值")


def _shown(corpus: Corpus, name: str | None) -> tuple[pd.DataFrame, dict[str, Any], str, list[Indicator]]:
    """(table, the chart's value and settings, the note above, the rows) for a chosen or typed name."""
    names, shared = corpus.names, shared_names(corpus.indicators)
    periods = {d.id: period_label(d) for d in corpus.documents}
    found = rows_named(corpus.indicators, name or "", plan_order(corpus.documents))
    points, unit = plot_frame(found, names)
    label = next((s.label for s in shared if s.key == name), name)
    drawn = "" if points.empty else f"图中为各规划所列各年份的水平值（{unit or '无单位'}），增减幅度只在表中。"
    note = (f"「{label}」：{len({r.doc for r in found})} 部规划，{len(found)} 条。{drawn}" if found
            else "没有找到这个指标，可输入更短的名称，如“覆盖率”。" if name else "")
    return compare_frame(found, names, periods), chart(points, unit), note, found


def _name_choices(corpus: Corpus) -> list[tuple[str, str]]:
    return [(f"{s.label}（{s.plans} 部规划）", s.key) for s in shared_names(corpus.indicators)]


def compare_tab(svc: PlanService, reader: gr.HTML, tabs: gr.Tabs) -> gr.Tab:
    """Builds the tab inside the caller's gr.Tabs, shown while two or more plans are loaded (the page's
    refresh sets its visibility); opening it after a plan was added or removed shows the new corpus."""
    corpus0 = svc.current()
    choices0 = _name_choices(corpus0)
    first = choices0[0][1] if choices0 else None
    df0, _, note0, found0 = _shown(corpus0, first)

    def update(name: str | None) -> tuple[pd.DataFrame, str, list[Indicator]]:
        df, _, note, found = _shown(svc.current(), name)
        return df, note, found

    def reopened(seen: str) -> tuple[Any, ...]:
        corpus = svc.current()
        if seen == corpus.version:
            return (gr.update(),) * 4 + (seen,)
        choices = _name_choices(corpus)
        chosen = choices[0][1] if choices else None
        df, _, note, found = _shown(corpus, chosen)
        return gr.Dropdown(choices=choices, value=chosen), df, note, found, corpus.version

    # Shown for two plans or more: one plan has nothing to compare with.
    with gr.Tab("指标对比", id="compare", visible=corpus0.several) as tab:
        name = gr.Dropdown(choices0, value=first, label="指标（在多部规划中出现的；也可输入名称后回车）",
                           allow_custom_value=True, filterable=True, elem_id="cmp-name")
        note = gr.Markdown(note0, elem_id="cmp-note")

        # Made anew for each name (gr.render): updated in place, Gradio keeps the first name's series in the
        # legend and draws the points of any other series in no colour, i.e. not at all.
        @gr.render(inputs=name)
        def plot(chosen: str | None) -> None:
            gr.ScatterPlot(x="年份", y="数值", color="系列", x_title="年份", color_title="规划",
                           height=260, tooltip="all", show_label=False, elem_id="cmp-plot",
                           **_shown(svc.current(), chosen)[1])
        found = gr.State(found0)
        seen = gr.State(corpus0.version)
        table = gr.Dataframe(df0, headers=HEADERS, interactive=False, wrap=True, max_height=420, elem_id="cmp-table",
                             label="点击任一行，在「原文」中打开该句",
                             column_widths=["11%", "13%", "7%", "17%", "9%", "9%", "8%", "26%"])
    name.change(update, [name], [table, note, found], api_visibility="private", queue=False)
    tab.select(reopened, [seen], [name, table, note, found, seen], api_visibility="private", queue=False)

    def open_row(picked: list[Indicator], event: gr.SelectData) -> tuple[Any, Any]:
        return open_quote(svc.current(), picked_row(picked, list(range(len(picked or []))), event))

    table.select(open_row, [found], [reader, tabs], api_visibility="private", queue=False)
    return tab
