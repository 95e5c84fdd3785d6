"""The same indicator in several plans: a name key that survives the ways plans and their tables write a
name, and the rows of one key across plans, ordered by period.

Plans write one indicator differently: a table gives it a list number and its unit ("（3）城镇化率（%）"),
a two-level table puts its group before it ("森林发展 森林覆盖率"), a pace column adds its own bracket
("…（年均增速[累计]）"), and GDP is 国内生产总值 in a national plan, 地区生产总值 below it. The key drops all
of that; matching is then exact on the key, or, for a name typed by staff, on keys that contain it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from pydantic import BaseModel

from .models import Indicator

_LIST_NUMBER = re.compile(r"^\s*(?:[(（]\s*\d{1,3}\s*[)）]|\d{1,3}\s*[.、．]|[①-⑳])\s*")
_BRACKETED = re.compile(r"[(（\[【〔][^(（)）\[\]【】〔〕]*[)）\]】〕]")
# One measure, several names: general statistical vocabulary, never a plan's own indicator.
_SYNONYMS = [(re.compile(r"GDP|国内生产总值|地区生产总值"), "生产总值"), (re.compile(r"R&D"), "研究与试验发展")]
# Rows that state a level (not a change over the period) can be drawn against the year.
LEVELS = frozenset({"reach", "at_least", "at_most", "about"})


def display_name(name: str) -> str:
    """The name as the comparison shows it: no list number, no bracketed unit or column, no table group."""
    text = unicodedata.normalize("NFKC", name)
    text = _LIST_NUMBER.sub("", text)
    while (stripped := _BRACKETED.sub("", text)) != text:  # inner brackets first: "（年均增长(%)）"
        text = stripped
    parts = text.split()
    return parts[-1] if parts else ""  # a two-level table's "group name": the name is the last part


def name_key(name: str) -> str:
    """What two plans' names must share to be one indicator."""
    key = display_name(name)
    for pattern, word in _SYNONYMS:
        key = pattern.sub(word, key)
    return key.lower()


class SharedName(BaseModel):
    key: str
    label: str  # the most frequent display name among its rows
    plans: int


def shared_names(rows: Iterable[Indicator], min_plans: int = 2) -> list[SharedName]:
    """Indicator names found in at least `min_plans` plans, those in the most plans first. Keys shorter
    than three characters are left out: there a verb was read as the name ("覆盖"); typing one still works."""
    docs: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        key = name_key(r.indicator)
        if len(key) < 3:
            continue
        docs[key].add(r.doc)
        labels[key][display_name(r.indicator)] += 1
    shared = [SharedName(key=k, label=labels[k].most_common(1)[0][0], plans=len(d))
              for k, d in docs.items() if len(d) >= min_plans]
    return sorted(shared, key=lambda s: (-s.plans, s.label))


def rows_named(rows: Iterable[Indicator], name: str, order: dict[str, int] | None = None) -> list[Indicator]:
    """Rows whose key is `name`'s key, ordered by plan (`order`), year and kind. When those stand in fewer
    than two plans, rows whose key contains it join them: one plan's 城镇化率 is another's 常住人口城镇化率."""
    wanted = name_key(name)
    if not wanted:
        return []
    rows = list(rows)
    hits = [r for r in rows if name_key(r.indicator) == wanted]
    if len({r.doc for r in hits}) < 2:
        hits = [r for r in rows if wanted in name_key(r.indicator)]
    rank = order or {}
    return sorted(hits, key=lambda r: (rank.get(r.doc, len(rank)), r.year or 0, r.kind != "achieved", r.start))


def level_points(rows: Iterable[Indicator]) -> list[Indicator]:
    """The rows a chart can draw on one axis: levels with a year, in the unit most of them use, one per
    plan, year, name and figure."""
    levels = [r for r in rows if r.comparator in LEVELS and r.year is not None]
    if not levels:
        return []
    unit = Counter(r.unit for r in levels).most_common(1)[0][0]
    seen: set[tuple] = set()
    out = []
    for r in levels:
        key = (r.doc, r.year, display_name(r.indicator), r.number)
        if r.unit == unit and key not in seen:
            seen.add(key)
            out.append(r)
    return out
