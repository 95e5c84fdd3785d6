"""The row of the 规划指标一览 table: one quantified target or achieved figure, quoted and located."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

# The comparators plan language uses, folded to a small set (extract.py maps the wording):
# reach 达到/提高到/为, at_least 以上/不低于/突破/迈上, at_most 以内/以下/控制在/不超过, about 左右/约,
# increase 增长/提高 N (a change, not a level), decrease 下降/降低/减少 N, multiple N倍/翻番, range N—M.
Comparator = Literal["reach", "at_least", "at_most", "about", "increase", "decrease", "multiple", "range"]
Kind = Literal["target", "achieved"]

FIELDS = ("doc", "part", "chapter", "section", "box", "indicator", "value", "number", "number_max", "unit",
          "comparator", "year", "base_value", "base_year", "kind", "attribute", "quote", "start", "end")


class Indicator(BaseModel):
    doc: str
    part: int | None = None
    chapter: int | None
    section: int | None
    box: str | None = None
    indicator: str  # the subject the figure belongs to, e.g. 养老机构护理型床位占比
    # A table row's 类别 (经济发展, 民生福祉): what the indicator sits under, kept apart from its name. Not in
    # FIELDS: the CSV and JSON columns staff and the tabs read stay as they were.
    group: str | None = None
    value: str  # as written, without the comparator: "60%", "1.71倍", "翻番", "3%—5%"
    number: float  # magnitudes applied: "653亿元" → 6.53e10 (unit 元)
    number_max: float | None = None  # the upper end of a range
    unit: str
    comparator: Comparator
    year: int | None
    base_value: str | None = None  # "由X提高到Y": X
    base_year: int | None = None  # "较2015年增长", "是2015年的1.54倍": 2015
    kind: Kind
    attribute: str | None = None  # 预期性 / 约束性, where the plan's indicator table says
    quote: str  # the clause the figure stands in, as in the file
    start: int
    end: int

    def row(self) -> list:
        return [getattr(self, f) for f in FIELDS]
