"""The 规划衔接 tab: a lower plan's targets checked against its superior plan's 主要指标 (assistant/align.py),
problems first, with both quotes; a click on a quote opens it in the reader; filters by verdict and 属性;
the 衔接情况表 as Excel and Word (align_export.py, the same files as `plan-qa align`)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from ..align import VERDICTS, AlignRow, AlignSide, Alignment, problems_first
from ..align_export import write_docx, write_xlsx
from ..library import Corpus, PlanEntry
from ..tables import ATTRIBUTES
from .protocol import PlanService
from .reader import section_at
from .rows import open_span, plan_choices

ALL = "全部"
HEADERS = ["序号", "衔接情况", "上位指标", "上位目标", "本规划指标", "本规划目标", "说明", "上位原文", "本规划原文"]
UPPER_COLUMNS = {2, 3, 7}  # a click on these opens the upper plan's quote; on the others, the lower plan's
WIDTHS = ["5%", "8%", "13%", "9%", "13%", "9%", "19%", "12%", "12%"]
CACHED = 16  # alignments kept per server (a pair is asked again as filters change)


def default_pair(plans: list[PlanEntry]) -> tuple[str | None, str | None]:
    """(lower, upper): the superior plan is the first of the highest level; the lower, the first plan of
    a lower level (plans are listed superior level first), else the next plan."""
    if len(plans) < 2:
        return None, None
    upper = plans[0]
    lower = next((p for p in plans if p.level != upper.level), plans[1])
    return lower.id, upper.id


def _cells(n: int, r: AlignRow) -> list[Any]:
    low = r.lower
    return [n, r.verdict, r.upper.indicator, r.upper.value or "", low.indicator if low else "",
            (low.value or "") if low else "", r.reason, r.upper.quote, low.quote if low else ""]


def visible_rows(result: Alignment | None, verdict: str, attribute: str) -> list[AlignRow]:
    if result is None:
        return []
    return [r for r in problems_first(result.rows)
            if verdict in (None, "", ALL) or r.verdict == verdict
            if attribute in (None, "", ALL) or r.upper.attribute == attribute]


class AlignViews:
    """Alignments by (corpus version, lower, upper), computed once each, and the files written from them."""

    def __init__(self, svc: PlanService) -> None:
        self.svc = svc
        self.out = Path(tempfile.mkdtemp(prefix="planqa-align-"))
        self._cache: dict[tuple[str, str, str], Alignment] = {}
        self._lock = threading.Lock()

    def get(self, lower: str | None, upper: str | None) -> tuple[Alignment | None, str]:
        """(the alignment, a note): None with the reason when there is nothing to align."""
        corpus = self.svc.current()
        ids = {p.id for p in corpus.plans}
        if not lower or not upper or lower not in ids or upper not in ids:
            return None, "请选择本规划和上位规划（需要至少两部规划）。"
        if lower == upper:
            return None, "本规划和上位规划不能是同一部。"
        key = (corpus.version, lower, upper)
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            found = self.svc.align(lower, upper)
            with self._lock:
                if len(self._cache) >= CACHED:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = found
        if not found.rows:
            return found, "上位规划没有读成行的主要指标表（一个各行为指标的专栏），无法逐项对照。"
        counts = "，".join(f"{v} {n}" for v in VERDICTS if (n := sum(r.verdict == v for r in found.rows)))
        return found, f"上位指标 {len(found.rows)} 项：{counts}；本规划特色指标 {len(found.lower_only)} 项。"

    def files(self, result: Alignment | None) -> tuple[str | None, str | None]:
        if result is None or not result.rows:
            return None, None
        corpus = self.svc.current()
        titles = {d.id: d.title for d in corpus.documents}
        folder = self.out / f"{corpus.version}-{result.lower}-{result.upper}"
        if not folder.exists():
            draft = Path(tempfile.mkdtemp(dir=self.out))
            write_xlsx(result, draft / "衔接情况表.xlsx")
            write_docx(result, draft / "衔接情况表.docx", titles.get(result.lower, result.lower),
                       titles.get(result.upper, result.upper))
            try:
                draft.rename(folder)  # whole or not at all, as 指标一览's files
            except OSError:
                pass
        return str(folder / "衔接情况表.xlsx"), str(folder / "衔接情况表.docx")


def quote_place(corpus: Corpus, side: AlignSide) -> tuple[Any, Any]:
    """Open a row's quote in the reader: the quote is the plan's own text, found in its source."""
    doc = corpus.document(side.doc)
    start = corpus.sources.get(side.doc, "").find(side.quote) if doc else -1
    found = section_at(doc, start) if doc and start >= 0 else None
    if found is None:
        return gr.update(), gr.update()
    ch, sec = found
    return open_span(corpus, side.doc, ch.number, sec.number, start, start + len(side.quote), ch.part)


def align_tab(svc: PlanService, reader: gr.HTML, tabs: gr.Tabs) -> gr.Tab:
    """Builds the tab inside the caller's gr.Tabs; nothing is aligned until the tab is opened."""
    views = AlignViews(svc)
    corpus0 = svc.current()
    plans0 = corpus0.plans

    def table(result: Alignment | None, verdict: str, attribute: str) -> tuple[pd.DataFrame, list[AlignRow]]:
        rows = visible_rows(result, verdict, attribute)
        order = {id(r): n for n, r in enumerate(result.rows, 1)} if result else {}
        return pd.DataFrame([_cells(order[id(r)], r) for r in rows], columns=HEADERS), rows

    def run(lower: str | None, upper: str | None, verdict: str, attribute: str) -> tuple[Any, ...]:
        result, note = views.get(lower, upper)
        df, rows = table(result, verdict, attribute)
        xlsx, docx = views.files(result)
        return df, note, rows, gr.update(value=xlsx, interactive=bool(xlsx)), \
            gr.update(value=docx, interactive=bool(docx))

    def opened(lower: str | None, upper: str | None, verdict: str, attribute: str) -> tuple[Any, ...]:
        """On opening the tab: the plans loaded now as choices (a plan may have come or gone), then the table."""
        plans = svc.plans()
        ids = {p.id for p in plans}
        if lower not in ids or upper not in ids:
            lower, upper = default_pair(plans)
        return (gr.update(choices=plan_choices(plans), value=lower), gr.update(choices=plan_choices(plans), value=upper),
                *run(lower, upper, verdict, attribute))

    lower0, upper0 = default_pair(plans0)
    with gr.Tab("规划衔接", id="align", visible=corpus0.several) as tab:
        with gr.Row(equal_height=True):
            lower = gr.Dropdown(plan_choices(plans0), value=lower0, label="本规划", min_width=140, elem_id="aln-lower")
            upper = gr.Dropdown(plan_choices(plans0), value=upper0, label="上位规划", min_width=140, elem_id="aln-upper")
        with gr.Row(equal_height=True):
            verdict = gr.Dropdown([ALL, *VERDICTS], value=ALL, label="衔接情况", min_width=100, elem_id="aln-verdict")
            attribute = gr.Dropdown([ALL, *ATTRIBUTES], value=ALL, label="属性", min_width=100,
                                    elem_id="aln-attribute")
        note = gr.Markdown(elem_id="aln-note")
        shown = gr.State([])
        grid = gr.Dataframe(pd.DataFrame(columns=HEADERS), headers=HEADERS, interactive=False, wrap=True,
                            max_height=560, elem_id="aln-table", column_widths=WIDTHS,
                            label="问题在前；点击上位或本规划的指标、原文，在「原文」中打开", show_label=True,
                            buttons=["fullscreen"])
        with gr.Row():
            xlsx = gr.DownloadButton("下载 Excel", None, size="sm", interactive=False, elem_id="aln-xlsx")
            docx = gr.DownloadButton("下载 Word 衔接情况表", None, size="sm", interactive=False, elem_id="aln-docx")
    inputs = [lower, upper, verdict, attribute]
    outputs = [grid, note, shown, xlsx, docx]
    tab.select(opened, inputs, [lower, upper, *outputs], api_visibility="private")
    for control in (lower.input, upper.input, verdict.input, attribute.input):
        control(run, inputs, outputs, api_visibility="private")

    def open_row(rows: list[AlignRow], event: gr.SelectData) -> tuple[Any, Any]:
        index = event.index if isinstance(event.index, (list, tuple)) else [None, None]
        if not rows or index[0] is None or not 0 <= index[0] < len(rows):
            return gr.update(), gr.update()
        row = rows[index[0]]
        side = row.upper if index[1] in UPPER_COLUMNS or row.lower is None else row.lower
        return quote_place(svc.current(), side)

    grid.select(open_row, [shown], [reader, tabs], api_visibility="private", queue=False)
    return tab
