"""Indicator rows from an indicator table (the 主要指标 table), read as a table: one reader of a row,
whatever the plan's file was.

Two routes hand `read_row` a row (column name → cell) and the table's header:
- a table read from a picture: its stored grid (PictureRecord.table), the row whose label stands in the chunk;
- a table that stood in the plan's text: tables.py wrote each row at ingest as one sentence
  ("类别 · 指标（单位）：2030年目标值 73%，属性 预期性。"); tables.parse_row_sentence reads it back (our own
  written form, so exactly) and the rows of one table, consecutive row sentences, share a header.

Facts of Chinese plan tables used (none of one plan); hand-written because no library knows them:
- columns are named by year ("2025年", "2030年目标值", "规划目标（2025年）"), by pace ("年均增速",
  "年均/累计", "年均增速[累计]"), by what a review table holds ("规划目标", "实现情况", "完成值"), and by 属性
  (预期性 / 约束性); the rest are labels: 类别 (what the indicator sits under), 序号, 指标 (its name);
- the unit stands in brackets after the name ("（万元/人）") or in a 单位 column; "—" as a unit means none;
- a figure in 〔 〕, [ ] or 【 】 is a five-year total (the note under the table says so): a change over the
  period; a plain figure in a 年均 column is a yearly pace;
- a cell's comparator is a sign before its figure (>, ≥, <, ≤) or a word after it (以上, 以下, 左右);
  "*" marks a footnote (预计数, 2024年数据), not part of the number;
- a name that says a change (增长, 降低) holds changes, not levels;
- a column named 实现 / 完成 holds what was achieved, one named 目标 a target; otherwise a year before the
  plan's first year was achieved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..models import Chunk, Profile
from ..pictures import PictureRecord
from ..planlang import period_number, period_years
from ..tables import (ACHIEVED_COLUMN_RE, ATTRIBUTES, LABEL_JOIN, MIN_CELLS, TABLE_MIN_ROWS, TARGET_COLUMN_RE,
                      UNIT_IN_LABEL, UNIT_WORDS, cells, parse_row_sentence)
from ..text import normalise
from .models import Comparator, Indicator
from .units import MAG as _MAG, MAGNITUDE
from .units import UNIT as UNIT_WORD  # the units prose figures take

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_PACE_COL = re.compile(r"年均|累计|增速|增长")
_ATTRIBUTE_COL = re.compile(r"属性")
_NAME_COLS = ("指标", "指标名称", "主要指标", "项目")
_SERIAL = re.compile(r"\d{1,3}")  # a 序号 cell
_LIST_NUMBER = re.compile(r"^\s*(?:[(（]\s*\d{1,3}\s*[)）]|\d{1,3}\s*[.、．]|[①-⑳])\s*")
_MARK = re.compile(r"[*∗＊]")  # a footnote mark
_NO_UNIT = ("—", "-", "－", "–")
# What a cell may hold: a period and a change word before the figure ("“十四五”年均增长4.0",
# "2021-2024年累计降低8.2"), a total's brackets, a sign, the figure or a range, its unit, a comparator word.
_NUM = r"[-+]?\d+(?:\.\d+)?"
_CELL = re.compile(
    r"^(?P<period>“?十[一二三四五六七八九]五”?(?:期间|时期)?|(?:19|20)\d\d\s*[-—–~～至]\s*(?P<end>(?:19|20)\d\d)\s*年间?)?\s*"
    r"(?P<words>(?:年均|累计|五年)?(?:增长|增速|提高|提升|新增|增加|降低|下降|减少|降幅|压减)?)\s*"
    r"(?P<open>[\[〔【])?\s*(?P<sign>[<>＜＞≤≥]|不低于|不少于|不超过|不高于|超过|高于|低于|约)?\s*"
    rf"(?P<num>{_NUM})(?:\s*[-—–~～至]\s*(?P<hi>{_NUM}))?\s*(?P<unit>[^\d\[\]〔〕【】*∗＊]*?)\s*"
    r"(?P<after>以上|以下|左右|以内|上下)?\s*(?P<close>[\]〕】])?\s*(?P<after2>以上|以下|左右|以内|上下)?\s*[*∗＊]*$")
_PAIR = re.compile(rf"^\s*({_NUM})\s*/\s*({_NUM})\s*[*∗＊]*$")  # "8358/244": two figures of a "A/B" row
_AT_LEAST = ("≥", ">", "＞", "不低于", "不少于", "超过", "高于", "以上")
_AT_MOST = ("≤", "<", "＜", "不超过", "不高于", "低于", "以下", "以内")
_ABOUT = ("约", "左右", "上下")
_PACE_WORD = re.compile(r"年均(?:增长|增速|增幅)?")
_CHANGE_NAME = re.compile(r"增长|增速|增幅|提高|降低|下降|降幅|减少")
_DECREASE = re.compile(r"降低|下降|降幅|减少|压减")
# Magnitudes before a unit ("万元", "亿吨标准煤"); 千 is left out: before a unit it makes another unit
# (千米, 千瓦, 千克), not a thousand of it.
_MAGNITUDE = {word: scale for word, scale in MAGNITUDE.items() if word != "千"}
_POINTS = ("百分点", "个百分点")


def _col_year(column: str) -> int | None:
    years = _YEAR.findall(column or "")
    return int(years[-1]) if years else None


def _column(column: str) -> str:
    """What a column holds: context (the row's ""), attribute, unit, pace, year, value (目标 / 实现 with no
    year), or label (类别, 序号, 指标)."""
    if not column:
        return "context"
    if _ATTRIBUTE_COL.search(column):
        return "attribute"
    if column in UNIT_WORDS:
        return "unit"
    if _PACE_COL.search(column):
        return "pace"
    if _YEAR.search(column):
        return "year"
    if TARGET_COLUMN_RE.search(column) or ACHIEVED_COLUMN_RE.search(column):
        return "value"
    return "label"


def _kind(column: str, year: int | None, start_year: int | None) -> str:
    if ACHIEVED_COLUMN_RE.search(column):
        return "achieved"
    if TARGET_COLUMN_RE.search(column):
        return "target"
    return "achieved" if start_year and year and year < start_year else "target"


def _name_and_unit(label: str) -> tuple[str, str]:
    """"1.全员劳动生产率（万元/人）" → ("全员劳动生产率", "万元/人"); a footnote mark and list number dropped."""
    label = _MARK.sub("", label).strip()
    m = UNIT_IN_LABEL.search(label)
    unit = m.group(1).strip() if m else ""
    name = UNIT_IN_LABEL.sub("", label).strip() if m else label
    return _LIST_NUMBER.sub("", name).strip(), ("" if unit in _NO_UNIT else unit)


def _magnitude(unit: str) -> tuple[float, str]:
    """"万元/人" → (1e4, "元/人"); "千米", "%" → (1, as is)."""
    for word, scale in _MAGNITUDE.items():
        if unit.startswith(word) and len(unit) > len(word) and unit[len(word)] != "/":
            return scale, unit[len(word):]
    return 1.0, unit


def _unit_ok(text: str, row_unit: str) -> bool:
    """The words after a figure are a unit (the row's, or one plans use), not prose ("5.21每千人口…")."""
    return not text or text in _NO_UNIT or text == row_unit or bool(
        re.fullmatch(rf"(?:{_MAG})?(?:{UNIT_WORD})(?:/(?:\d*{_MAG})?(?:{UNIT_WORD}))?", text))


def _alternatives(name: str) -> list[str]:
    """"机场旅客/货邮吞吐量" → 机场旅客吞吐量, 机场货邮吞吐量: a slash offers two words that share what
    stands before the first and after the second (jieba finds the words)."""
    import jieba

    parts = name.split("/")
    if len(parts) != 2:
        return [name, name]
    first, second = jieba.lcut(parts[0]), jieba.lcut(parts[1])
    if not first or len(second) < 2:
        return [name, name]
    prefix, suffix = "".join(first[:-1]), "".join(second[1:])
    return [prefix + first[-1] + suffix, prefix + second[0] + suffix]


@dataclass
class _Figure:
    value: str
    number: float
    number_max: float | None
    unit: str
    comparator: Comparator
    year: int | None
    change: str | None  # "total" (a five-year total), "pace" (a yearly pace) or None (a level)
    name: str = field(default="")


def _cell_figures(cell: str, column_kind: str, column: str, name: str, row_unit: str,
                  year: int | None) -> list[_Figure]:
    """The figures of one cell: none (a word: "基本稳定", "完成省定目标"), one, or two ("8358/244")."""
    cell = cell.strip()
    pair = _PAIR.match(cell)
    units = row_unit.split("/")
    if pair and len(units) == 2:
        names = _alternatives(name)
        out = []
        for k in (0, 1):
            scale, unit = _magnitude(units[k])
            out.append(_Figure(value=pair.group(k + 1) + units[k], number=float(pair.group(k + 1)) * scale,
                               number_max=None, unit=unit, comparator="reach", year=year, change=None, name=names[k]))
        return out
    m = _CELL.match(cell)
    if not m or not _unit_ok(m.group("unit"), row_unit):
        return []
    words = m.group("words") or ""
    total = bool(m.group("open")) or "累计" in words or (column_kind == "pace" and "累计" in column and "年均" not in column)
    pace = not total and (column_kind == "pace" or "年均" in words)
    change = "total" if total else "pace" if pace else ("total" if words else None)
    if m.group("period"):  # "“十四五”年均增长4.0", "2021-2024年累计降低8.2": the period's last year
        n = period_number(m.group("period"))
        year = int(m.group("end")) if m.group("end") else period_years(n)[1] if n else year
    said_unit = m.group("unit") if m.group("unit") not in _NO_UNIT else ""
    written = said_unit or row_unit
    if change == "pace" and row_unit not in ("%", *_POINTS):
        written = "%"  # a yearly pace of a quantity is its growth rate
    elif change == "total" and written == "%" and not _CHANGE_NAME.search(name):
        written = "百分点"  # a five-year change of a share is in percentage points
    scale, unit = _magnitude(written)
    marks = [m.group("sign") or "", m.group("after") or "", m.group("after2") or ""]
    comparator: Comparator
    if m.group("hi"):
        comparator = "range"
    elif any(s in _AT_LEAST for s in marks if s):
        comparator = "at_least"
    elif any(s in _AT_MOST for s in marks if s):
        comparator = "at_most"
    elif any(s in _ABOUT for s in marks if s):
        comparator = "about"
    elif change or _CHANGE_NAME.search(name):
        comparator = "decrease" if _DECREASE.search(words) or _DECREASE.search(name) else "increase"
    else:
        comparator = "reach"
    number = m.group("num") + (f"—{m.group('hi')}" if m.group("hi") else "")
    return [_Figure(value=number + written, number=float(m.group("num")) * scale,
                    number_max=float(m.group("hi")) * scale if m.group("hi") else None, unit=unit,
                    comparator=comparator, year=year, change=change, name=name)]


def read_row(row: dict[str, str], header: list[str], start_year: int | None,
             target_year: int | None) -> Iterator[dict]:
    """One table row → the fields of its Indicators (all but where it stands): one per figure cell, with
    the row's group (类别), name, unit and 属性; year and target/achieved by the cell's column."""
    kinds = {c: _column(c) for c in row}
    order = list(row)
    labels = [c for c in order if kinds[c] == "label" and row[c].strip()]
    name_col = next((c for c in labels if c in _NAME_COLS), None) or next(
        (c for c in reversed(labels) if not _SERIAL.fullmatch(row[c].strip())), None)
    if name_col is None:
        return
    group_parts = [_LIST_NUMBER.sub("", row[c]).strip() for c in labels
                   if order.index(c) < order.index(name_col) and not _SERIAL.fullmatch(row[c].strip())]
    context = [p.strip() for p in row.get("", "").split(LABEL_JOIN) if p.strip()]
    if not group_parts and context:  # no 类别 column: the first label above the row is its group
        group_parts, context = context[:1], context[1:]
    name, unit = _name_and_unit(row[name_col])
    unit_cell = next((row[c].strip() for c in order if kinds[c] == "unit" and row[c].strip()), "")
    if unit_cell:
        unit = "" if unit_cell in _NO_UNIT else unit_cell
    name = "·".join([*(_name_and_unit(p)[0] for p in context), name])
    attribute = next((a for c in order if kinds[c] == "attribute" for a in ATTRIBUTES if a in row[c]), None)
    columns = [*header, *order]
    years = [y for c in columns if (y := _col_year(c))]
    # A pace runs over the plan's five years: to its target year when the table has that column (not to a
    # 2035 vision column), else to the table's last year (in a review table, the end of the period reviewed).
    pace_year = target_year if target_year in years else max(years) if years else target_year
    # A review table (it has a column of what was achieved): a column with no year is the reviewed period's end.
    review = any(ACHIEVED_COLUMN_RE.search(c) for c in columns if c)
    plain_year = (start_year - 1 if start_year else None) if review else target_year
    for column in order:
        kind = kinds[column]
        if kind not in ("year", "pace", "value") or not row[column].strip():
            continue
        year = _col_year(column) or (pace_year if kind == "pace" else plain_year)
        for fig in _cell_figures(row[column], kind, column, name, unit, year):
            label = fig.name
            if fig.change == "total" and "累计" not in label:
                label += "（累计）"
            elif fig.change == "pace" and "年均" not in label:  # the column's or the cell's word: 年均增长
                pace = _PACE_WORD.search(f"{row[column]} {column}")
                label += f"（{pace.group() if pace else '年均'}）"
            yield dict(group=" · ".join(group_parts) or None, indicator=label, value=fig.value, number=fig.number,
                       number_max=fig.number_max, unit=fig.unit, comparator=fig.comparator, year=fig.year,
                       kind=_kind(column, fig.year, start_year), attribute=attribute)


def _where(chunk: Chunk, source: str) -> dict:
    return dict(doc=chunk.doc_id, part=chunk.part, chapter=chunk.chapter, section=chunk.section, box=chunk.box,
                quote=source[chunk.start:chunk.end].strip(), start=chunk.start, end=chunk.end)


def _years(profile: Profile | None) -> tuple[int | None, int | None]:
    return (profile.start_year, profile.target_year) if profile else (None, None)


def _label(row: dict[str, str], header: list[str]) -> str:
    key = "指标" if "指标" in row else (header[0] if header else "")
    return row.get(key, "")


def row_indicators(chunk: Chunk, source: str, record: PictureRecord, profile: Profile | None) -> Iterator[Indicator]:
    """A picture's table row: the row of its stored grid whose label the chunk (its sentence) holds."""
    if record.table is None:
        return
    text = normalise(source[chunk.start:chunk.end])
    row = next((r for r in record.table.rows if (lab := _label(r, record.table.header))
                and normalise(lab) in text), None)
    if row is None:
        return
    where = _where(chunk, source)
    for fields in read_row(row, record.table.header, *_years(profile)):
        yield Indicator(**fields, **where)


# ---------------------------------------------------------------- tables that stood in the text


@dataclass
class TextTable:
    """Consecutive row sentences: one table. Its header is every column its rows name, in order; it is
    grouped (a 类别 column) when every row names something before the indicator."""

    rows: list[tuple[list[str], dict[str, str]]]

    @property
    def header(self) -> list[str]:
        return list(dict.fromkeys(c for _, cells in self.rows for c in cells))

    @property
    def grouped(self) -> bool:
        return all(len(labels) >= 2 for labels, _ in self.rows)


def text_row(chunk: Chunk, source: str) -> tuple[list[str], dict[str, str]] | None:
    """The row a chunk holds when it is one row sentence, read back."""
    text = source[chunk.start:chunk.end].strip()
    return parse_row_sentence(text) if text.count("。") == 1 and text.endswith("。") else None


def text_tables(chunks: list[Chunk], source: str) -> dict[int, tuple[TextTable, int]]:
    """Chunk index → (its table, its row's index in it), for the chunks that are row sentences of a table:
    a run of at least TABLE_MIN_ROWS of them (tables.py writes no shorter table), so that a lone sentence
    of prose in the same shape ("目标：2025年 …") stays prose."""
    out: dict[int, tuple[TextTable, int]] = {}
    table: TextTable | None = None
    for i, chunk in enumerate(chunks):
        row = text_row(chunk, source)
        if row is None:
            table = None
            continue
        if table is None:
            table = TextTable(rows=[])
        out[i] = (table, len(table.rows))
        table.rows.append(row)
    return {i: at for i, at in out.items() if len(at[0].rows) >= TABLE_MIN_ROWS}


def sentence_indicators(chunk: Chunk, source: str, table: TextTable, at: int,
                        profile: Profile | None) -> Iterator[Indicator]:
    """A text table's row (its sentence read back) by the same reader as a picture's row."""
    labels, cells = table.rows[at]
    if table.grouped:  # "类别 · [parent · ]指标": the first label is the group, a parent joins the name
        row = {"类别": labels[0], "": LABEL_JOIN.join(labels[1:-1]), "指标": labels[-1], **cells}
    else:  # no 类别 column: "parent · 指标" is one name
        row = {"指标": "·".join([*(_name_and_unit(p)[0] for p in labels[:-1]), labels[-1]]), **cells}
    header = ["类别", "指标", *table.header] if table.grouped else ["指标", *table.header]
    where = _where(chunk, source)
    for fields in read_row(row, header, *_years(profile)):
        yield Indicator(**fields, **where)


def unread_table_row(text: str) -> bool:
    """A line of table cells (three or more, split by tabs or runs of spaces, no sentence's "。") that ingest
    could not read as a table (its header over several lines): which column a figure stands in is unknown
    here, and read as a sentence its name, 属性 and two columns' figures run together
    ("1地区生产总值（亿元）预期性20000以上" 6.5%). Better no row than a guessed one."""
    return "。" not in text and any(len([c for c in cells(line.strip()) if c]) >= MIN_CELLS
                                   for line in text.splitlines())
