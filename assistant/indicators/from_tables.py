"""Indicator rows from a table read from a picture (the 主要指标 table): its grid, not its sentence.

A plan's indicator table names its columns by year ("2015年", "2020年"), by pace ("年均增速[累计]") and
by attribute ("属性": 预期性 / 约束性); the unit stands after the indicator's name ("（万亿元）"). Each year
cell is a level for that year, the pace cell a change over the period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Chunk, Profile
from ..pictures import PictureRecord
from ..text import normalise
from .models import Comparator, Indicator

_YEAR_COL = re.compile(r"((?:19|20)\d\d)\s*年$")
_PACE_COL = re.compile(r"年均|累计|增速|增长")
_ATTRIBUTE_COL = re.compile(r"属性")
# A review table ("…规划主要指标实现情况") heads its columns by what they hold: the plan's 目标 and what
# was 实现 or 完成, whatever the year.
_TARGET_COL = re.compile(r"目标")
_ACHIEVED_COL = re.compile(r"实现|完成|实际")
_UNIT = re.compile(r"[（(]\s*([^（()）]{1,8})\s*[）)]\s*$")
_CELL = re.compile(r"^[\[〔【]?\s*([<>＜＞≤≥]|约)?\s*([-+]?\d+(?:\.\d+)?)\s*([%‰])?[\]〕】]?\s*(左右)?\**$")
_COMPARATORS: dict[str, Comparator] = {">": "at_least", "＞": "at_least", "≥": "at_least", "<": "at_most",
                                       "＜": "at_most", "≤": "at_most", "约": "about"}


def _label(row: dict[str, str], header: list[str]) -> str:
    key = "指标" if "指标" in row else (header[0] if header else "")
    return row.get(key, "")


def _cell(value: str) -> tuple[float, Comparator] | None:
    m = _CELL.match(value.strip())
    if not m:
        return None
    comp = _COMPARATORS.get(m.group(1) or "", "about" if m.group(4) else "reach")
    return float(m.group(2)), comp


def _kind(column: str, year: int | None, start_year: int | None) -> str:
    if _ACHIEVED_COL.search(column):
        return "achieved"
    if _TARGET_COL.search(column):
        return "target"
    return "achieved" if start_year and year and year < start_year else "target"


def row_indicators(chunk: Chunk, source: str, record: PictureRecord, profile: Profile | None) -> Iterator[Indicator]:
    if record.table is None:
        return
    text = normalise(source[chunk.start:chunk.end])
    row = next((r for r in record.table.rows if (lab := _label(r, record.table.header))
                and normalise(lab) in text), None)
    if row is None:
        return
    name = _label(row, record.table.header)
    unit_m = _UNIT.search(name)
    unit = unit_m.group(1) if unit_m else ""
    subject = _UNIT.sub("", name).strip()
    attribute = next((v for k, v in row.items() if _ATTRIBUTE_COL.search(k)), None)
    start_year = profile.start_year if profile else None
    common = dict(doc=chunk.doc_id, part=chunk.part, chapter=chunk.chapter, section=chunk.section, box=chunk.box,
                  quote=source[chunk.start:chunk.end].strip(), start=chunk.start, end=chunk.end, attribute=attribute)
    # A pace ("年均增速[累计]") runs to the table's last year: the plan's horizon, or in a review table the
    # end of the period reviewed.
    years = [int(m.group(1)) for c in record.table.header + list(row) if (m := _YEAR_COL.search(c or ""))]
    pace_year = max(years) if years else profile.target_year if profile else None
    for column, value in row.items():
        parsed = _cell(value)
        if not column or parsed is None:
            continue
        number, comp = parsed
        if year_m := _YEAR_COL.search(column):
            year = int(year_m.group(1))
            yield Indicator(indicator=subject, value=value, number=number, unit=unit, comparator=comp, year=year,
                            kind=_kind(column, year, start_year), **common)
        elif _PACE_COL.search(column):
            yield Indicator(indicator=f"{subject}（{column}）", value=value, number=number, unit="%" if "%" in column + value else unit,
                            comparator="increase", year=pace_year, kind=_kind(column, pace_year, None), **common)
