"""What the indicator tabs (指标一览, 指标对比) and the 规划衔接 tab share: which row a click chose, and
opening a quote in the reader."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..indicators import Indicator
from ..library import Corpus, PlanEntry
from .links import Target
from .reader import render_target

READER_TAB = "reader"


def plan_choices(plans: list[PlanEntry]) -> list[tuple[str, str]]:
    """A choice of plans (the picker, 规划衔接): each by its group and name ("国家 · 十五五 · 国家十五五")."""
    return [(p.label, p.id) for p in plans]


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


def open_span(corpus: Corpus, doc: str, chapter: int | None, section: int | None, start: int, end: int,
              part: int | None = None) -> tuple[Any, Any]:
    """(reader, side tabs) updates that show a span marked in its section."""
    return render_target(corpus, Target(doc, chapter, section, start=start, end=end, part=part)), \
        gr.Tabs(selected=READER_TAB)


def open_quote(corpus: Corpus, row: Indicator | None) -> tuple[Any, Any]:
    """(reader, side tabs) updates that show a row's quote marked in its section, or change nothing."""
    if row is None:
        return gr.update(), gr.update()
    return open_span(corpus, row.doc, row.chapter, row.section, row.start, row.end, row.part)
