"""Filtering and export of Indicator rows, shared by the CLI and the web tab: one set of columns for
every download (CSV and Excel), in the words staff use."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..models import chapter_label, section_label
from .models import FIELDS, Indicator

COMPARATOR_LABELS = {"reach": "达到", "at_least": "不低于/以上", "at_most": "不高于/以内", "about": "左右",
                     "increase": "增长", "decrease": "下降", "multiple": "倍数", "range": "区间"}
KIND_LABELS = {"target": "目标", "achieved": "已实现"}
HEADERS = ["规划", "章", "节", "专栏", "类别", "指标", "数值", "比较", "年份", "基期", "类型", "属性", "原文"]


def filter_rows(rows: list[Indicator], doc: str | None = None, chapter: int | None = None, year: int | None = None,
                grep: str | None = None) -> list[Indicator]:
    """Rows of one plan / chapter / target year whose indicator or quote contains `grep`."""
    needle = (grep or "").strip()
    return [r for r in rows
            if (doc is None or r.doc == doc) and (chapter is None or r.chapter == chapter)
            and (year is None or r.year == year)
            and (not needle or needle in r.indicator or needle in r.quote.replace(" ", ""))]


def to_records(rows: list[Indicator]) -> list[dict]:
    return [r.model_dump(include=set(FIELDS)) for r in rows]


def frame(rows: list[Indicator], names: dict[str, str]) -> pd.DataFrame:
    """Rows as every download gives them: Chinese labels, the plan by its name, the quote without the
    PDF's spaces."""
    return pd.DataFrame(
        [[names.get(r.doc, r.doc), chapter_label(r.chapter) if r.chapter is not None else "",
          section_label(r.section) if r.section is not None else "", r.box or "", r.group or "", r.indicator, r.value,
          COMPARATOR_LABELS[r.comparator], r.year, r.base_year or "", KIND_LABELS[r.kind], r.attribute or "",
          r.quote.replace(" ", "")]
         for r in rows],
        columns=HEADERS,
    )


def to_csv(rows: list[Indicator], names: dict[str, str]) -> str:
    return frame(rows, names).to_csv(index=False)


def write_files(rows: list[Indicator], names: dict[str, str], folder: Path) -> tuple[Path, Path]:
    """indicators.csv (with a BOM: Excel reads it as UTF-8) and indicators.xlsx in `folder`."""
    df = frame(rows, names)
    csv_path, xlsx_path = folder / "indicators.csv", folder / "indicators.xlsx"
    df.to_csv(csv_path, index=False, encoding="utf-8-sig")
    df.to_excel(xlsx_path, index=False, sheet_name="指标一览")
    return csv_path, xlsx_path
