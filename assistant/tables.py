"""Indicator tables that stand in a plan's text, read into the same table model as a table read from a
picture (ocr.models.Table), and written back as one sentence per row, in the form the picture layout
writes ("类别 · 指标（单位）：2030年目标值 73%，属性 预期性。"), so that answers, the indicator table and
规划衔接 read a row as a row whatever the plan's file was.

Rules of plan tables used here, none of one plan:
- a row is one line whose cells are split by tabs or runs of two or more spaces (an HTML row is written
  so by ingest/html.py; text copied out of Word or a PDF keeps its tabs as such runs);
- an indicator table's header names a year column ("2030年目标值") or the 属性 column;
- cells merged over several rows (类别, a parent indicator) stand only in the first of them, so a row
  with fewer cells than the header lacks its leftmost ones: they are carried down from the row above;
- a line of one cell inside the table continues the cell above it (a cell wrapped over two lines);
- a unit stands in the indicator's brackets ("（%）", "（万元/人）") or a 单位 column, and belongs after
  each figure of the row; 〔 〕 or [ ] around a figure mark a five-year total (the note under the table
  says so); "注：" starts the notes.
Hand-written because no library reads tables out of plain text lines; tabulate and pandas read
delimited files, not a table whose merged cells were dropped.
"""

from __future__ import annotations

import re

from .ocr.layout import NOTE_RE
from .planlang import YEAR_HEADER_RE
from .ocr.models import Table

HEADER_WORDS = ("属性", "指标")
UNIT_IN_LABEL = re.compile(r"[（(]\s*([^（()）]{1,8})\s*[)）]\s*\*?\s*$")
FIGURE = re.compile(r"^([<>≤≥＜＞]?\s*约?\s*[-+]?\d[\d.,]*)(以上|以下|左右|以内|上下|\*)?$")
# The figure at the end of a cell that words it, right after its words ("累计降低8.2"); not a year
# ("2021-2024年"), a code's digit, or the second of two figures ("8358/244").
WORDED_FIGURE = re.compile(r"(?<=[\u4e00-\u9fff”])(\d[\d.,]*)(以上|以下|左右|以内|上下)?$")
UNIT_WORDS = ("单位",)
# A review table heads its columns by what they hold: the plan's 目标 and what was 实现 or 完成, whatever the year.
TARGET_COLUMN_RE = re.compile(r"目标")
ACHIEVED_COLUMN_RE = re.compile(r"实现|完成|实际")
TABLE_MIN_ROWS = 3  # fewer rows are a list with a gap, not a table
MIN_CELLS = 3


def cells(line: str, gap: int = 2) -> list[str]:
    """A row's cells, "" for an empty one: a run of spaces `k` gaps long (the table's usual gap between
    cells) or k tabs stands for k−1 empty cells between, and leading ones for cells merged above."""
    out: list[str] = []
    parts = re.split(r"(\t+|[ \u3000\xa0]{2,})", line.rstrip())
    for k, part in enumerate(parts):
        if k % 2 == 0:
            if part.strip():
                out.append(part.strip())
            continue
        n = part.count("\t") if "\t" in part else max(1, round(len(part) / gap))
        empties = n if k == 1 and not parts[0].strip() else n - 1
        out += [""] * empties
    return out


def _gap(lines: list[str]) -> int:
    """The usual run of spaces between two cells of these lines (text copied from Word keeps a tab as 4)."""
    runs = [len(r) for line in lines for r in re.findall(r"(?<=\S)[ \u3000\xa0]{2,}(?=\S)", line)]
    return max(2, min(set(runs), key=lambda r: (-runs.count(r), r))) if runs else 2


def _is_header(cs: list[str]) -> bool:
    cs = [c for c in cs if c]
    return len(cs) >= MIN_CELLS and (any(YEAR_HEADER_RE.search(c) for c in cs) or any(c in HEADER_WORDS for c in cs)) \
        and not any(FIGURE.match(c) and not YEAR_HEADER_RE.search(c) for c in cs)


def with_unit(value: str, unit: str | None) -> str:
    """"73" + "%" → "73%"; "5以上" → "5%以上"; a total in 〔 〕, a word, or a figure with its unit stays."""
    if not unit or unit in value:
        return value
    m = FIGURE.match(value)
    if m:
        return f"{m.group(1).strip()}{unit}{m.group(2) or ''}"
    # A worded cell ("“十四五”年均增长4.0", "累计降低8.2左右"): the figure that ends it is the one measured.
    m = WORDED_FIGURE.search(value)
    return f"{value[:m.end(1)]}{unit}{value[m.end(1):]}" if m else value


def read_table(lines: list[str]) -> tuple[Table, list[str], list[str]] | None:
    """`lines`: a header line, its rows, then notes. Returns the table, one sentence per row, and the
    notes; None when the lines are not an indicator table."""
    gap = _gap(lines)
    header = [c for c in cells(lines[0], gap) if c] if lines else []
    if not _is_header(header):
        return None
    width = len(header)
    name_at = next((j for j, h in enumerate(header) if "指标" in h), None)
    rows: list[list[str]] = []
    notes: list[str] = []
    for line in lines[1:]:
        if NOTE_RE.match(line) or notes:
            notes.append(line.strip())
            continue
        cs = cells(line, gap)
        if len([c for c in cs if c]) == 1 and rows and not cs[0] == "":
            last = max(j for j, c in enumerate(rows[-1]) if c)
            rows[-1][last] += cs[0]  # a cell wrapped onto the next line
            continue
        if len(cs) == width + 1 and name_at is not None:
            # The 指标 column split in two (a parent indicator over its parts): one name.
            cs[name_at:name_at + 2] = [" · ".join(c for c in cs[name_at:name_at + 2] if c)]
        cs = cs[-width:] if len(cs) > width else cs
        # Leading gaps said which cells are empty; without them (an HTML row under a rowspan) the row
        # lacks its leftmost cells.
        full = cs + [""] * (width - len(cs)) if cs and cs[0] == "" else [""] * (width - len(cs)) + cs
        if rows:  # merged cells (类别, 属性): carried down from the row above
            for j in range(width):
                if not full[j] and (j < (name_at if name_at is not None else 1) or header[j] == "属性"):
                    full[j] = rows[-1][j]
        rows.append(full)
    if len(rows) < TABLE_MIN_ROWS:
        return None
    unit_col = next((j for j, h in enumerate(header) if h in UNIT_WORDS), None)
    label_cols = [j for j, h in enumerate(header) if j != unit_col and not YEAR_HEADER_RE.search(h)
                  and h not in ("属性",) and not any(w in h for w in ("年均", "累计"))]
    # The indicator is the last label column; those before it (类别, 序号) say what it sits under.
    name_col = label_cols[-1] if label_cols else 0
    table = Table(header=header, rows=[])
    sentences = []
    value_cols = [j for j in range(width) if j not in label_cols and j != unit_col and header[j] != "属性"]
    for row in rows:
        if not any(row[j] for j in value_cols):
            continue  # a label without figures: a group or a parent indicator wrapped over lines
        name = re.sub(r"^\d{1,2}\s*[.．、]\s*", "", row[name_col])
        m = UNIT_IN_LABEL.search(name)
        unit = row[unit_col] if unit_col is not None and row[unit_col] else (m.group(1) if m else None)
        if unit and unit not in name:
            name = f"{name}（{unit}）"  # a 单位 column's unit, said once for figures that cannot take it
        group = " · ".join(c for j, c in enumerate(row) if j in label_cols and j != name_col
                           and c and not c.isdigit())
        record = {"": group} if group else {}
        record[header[name_col]] = name
        parts = []
        for j, h in enumerate(header):
            if j in label_cols or j == unit_col or not row[j]:
                continue
            record[h] = row[j]
            value = row[j] if h == "属性" else with_unit(row[j], unit)
            parts.append(f"{h} {value}")
        parts.sort(key=lambda part: part.startswith("属性 "))  # the figures first, as the picture rows say them
        table.rows.append(record)
        sentences.append((f"{group} · " if group else "") + f"{name}：" + "，".join(parts) + "。")
    if not _reads_cleanly(table):
        return None
    return table, sentences, notes


# Share of rows that must read as rows (a name, and 约束性/预期性 under 属性) for the table to be rewritten;
# below it the columns were misread (a header over two lines, cells lost by the copy) and the lines stay
# as they were: an unread table is better than a garbled one.
CLEAN_SHARE = 0.8
ATTRIBUTES = ("约束性", "预期性")  # what a 属性 cell says


def _reads_cleanly(table: Table) -> bool:
    attr = next((h for h in table.header if h == "属性"), None)
    good = sum(1 for r in table.rows if any(v for k, v in r.items() if k and "指标" in k or k == table.header[0])
               and (attr is None or r.get(attr) in ATTRIBUTES))
    return bool(table.rows) and good >= CLEAN_SHARE * len(table.rows)


# The sentence a row becomes (here, or in ocr/layout.py for a picture): "[类别 · ]指标：2030年目标值 73%，属性 预期性。"
ROW_SENTENCE_RE = re.compile(r"^[^：。\n]{2,120}：[^。\n]*?(?:20\d\d\s*年[^，。\s]*|属性|年均增速|累计) \S[^。\n]*。")


def is_row_sentence(text: str) -> bool:
    return bool(ROW_SENTENCE_RE.match(text.strip()))


LABEL_JOIN = " · "  # between 类别, a parent indicator and the indicator, as read_table and ocr/layout write them


def parse_row_sentence(text: str) -> tuple[list[str], dict[str, str]] | None:
    """A row sentence read back into its row: the labels before "：" (类别, a parent, the indicator, joined by
    " · ") and each column's cell ("2030年目标值" → "≥85岁"), in the order written. It is the form written
    above, so this is its inverse, not a reading of prose: "，" separates the cells, and a cell is its
    column's name, one space, its text (a part without a space is the cell before it, which held a "，").
    None for any other text."""
    text = text.strip()
    if not is_row_sentence(text):
        return None
    head, _, body = text.partition("：")
    body = body[:body.rindex("。")] if "。" in body else body
    labels = [p.strip() for p in head.split(LABEL_JOIN) if p.strip()]
    row: dict[str, str] = {}
    last = None
    for part in body.split("，"):
        column, space, cell = part.strip().rpartition(" ")
        if not space or not column:
            if last is not None:
                row[last] += "，" + part.strip()
            continue
        row[column.strip()] = cell.strip()
        last = column.strip()
    return (labels, row) if labels and row else None


# ---------------------------------------------------------------- a numbered table copied out of a PDF
# Copied out of a PDF, a table loses its column gaps: cells are split by one space, a cell that wrapped in
# its column comes as lines of its own, and a merged 类别 cell ("创新/发展/(5项)") stands as short lines
# between rows. What stays is the table's own structure: a 序号 column counting 1, 2, 3 …, an indicator
# name ending in its unit's brackets or before its first figure, figure cells, and the 属性 word last.
# Hand-written for the same reason as read_table: no library reads a table whose layout was lost.
SERIAL_HEADER = "序号"
_ROW_START = re.compile(r"^(\d{1,2})(?:\s+(.*))?$")
_GROUP_COUNT = re.compile(r"[(（]\d+\s*项[)）]$")
_PAGE_FOOTER = re.compile(r"^[-–—]\s*\d{1,4}\s*[-–—]$")  # "— 12 —": the page's number, inside the table's lines
# A figure cell: a number with its comparator, range, unit sign, 左右 or note mark; a total in 【 】/〔 〕/[ ];
# or — for no figure.
_VALUE = re.compile(r"^(?:[—－-]|[【〔\[].*[】〕\]][*∗]?|[<>≤≥＜＞]?约?[-+]?\d[\d.]*(?:-\d[\d.]*)?"
                    r"(?:%|‰|左右|以上|以下|[*∗,，])*)$")


def _numbered_header(line: str) -> list[str] | None:
    words = line.split()
    if SERIAL_HEADER in words and "指标" in words and (any(YEAR_HEADER_RE.search(w) for w in words) or "属性" in words):
        return words
    return None


def _numbered_row(lines: list[str], values: int, has_attribute: bool) -> tuple[str, list[str]] | None:
    """(name, cells) of one numbered row's lines; None when they do not read as one row."""
    tokens = " ".join(lines).split()
    name: list[str] = []
    while tokens and not _VALUE.match(tokens[0]):
        name.append(tokens.pop(0))
        if name[-1].endswith((")", "）")):  # the unit's brackets end the name
            break
    attribute = tokens.pop() if has_attribute and tokens and tokens[-1] in ATTRIBUTES else None
    if not name or len(tokens) < values or (has_attribute and attribute is None):
        return None
    # The figure cells stand apart; what follows them (a text cell wrapped over lines: "达到国家/要求") is
    # the last cell, whole.
    cells = tokens[:values - 1] + ["".join(tokens[values - 1:])]
    if any(re.search(r"[(（]", c) for c in cells):  # a cell never holds a unit: this was two rows in one
        return None
    return "".join(name), cells + ([attribute] if attribute else [])


def _numbered_rows(lines: list[str], values: int, has_attribute: bool) -> list[tuple[str, list[str]]]:
    """The rows one numbered row's lines hold: itself, or, for a parent indicator over sub-indicators
    ("食品药品安全" / "食品安全抽检合格率(%) >98.5 >98.7" / "药品抽检合格率(%) >99 >99" / "约束性"), one row per
    sub-indicator line, named after its parent, with the 属性 they share (a cell merged over them)."""
    one = _numbered_row(lines, values, has_attribute)
    if one is not None:
        return [one]
    lines = [ln.strip() for ln in lines if ln.strip()]
    attribute = lines[-1] if has_attribute and lines and lines[-1] in ATTRIBUTES else None
    body = lines[:-1] if attribute else lines
    if len(body) < 3 or any(_VALUE.match(t) for t in body[0].split()):
        return []
    subs = [_numbered_row([ln], values, False) for ln in body[1:]]
    if any(sub is None for sub in subs) or (has_attribute and attribute is None):
        return []
    return [(f"{body[0]}{LABEL_JOIN}{name}", cells + ([attribute] if attribute else [])) for name, cells in subs]


def read_numbered_table(lines: list[str]) -> tuple[list[str], list[str], int] | None:
    """A numbered table from its header line on: (one sentence per row, its notes, the lines it takes);
    None when the lines do not read as one (fewer than CLEAN_SHARE of its rows read)."""
    header = _numbered_header(lines[0].strip()) if lines else None
    if header is None:
        return None
    value_cols = [h for h in header if h not in (SERIAL_HEADER, "指标", "类别", "属性")]
    has_attribute = "属性" in header
    rows: list[tuple[str, list[str]]] = []  # (group, the row's lines)
    group: list[str] = []
    i = 1
    while i < len(lines):
        line = lines[i].strip()
        if NOTE_RE.match(line) or not line:
            break
        m = _ROW_START.match(line)
        done = not rows or (has_attribute and rows[-1][1] and rows[-1][1][-1].split()[-1] in ATTRIBUTES)
        if _numbered_header(line) or _PAGE_FOOTER.match(line):
            pass  # the header again on the next page, or the page's number
        elif m and int(m.group(1)) == len(rows) + 1:
            rows.append(("".join(g for g in group if not _GROUP_COUNT.search(g)), [m.group(2)] if m.group(2) else []))
        elif done and not _is_group_line(line):
            # A row whose number line is gone (a lone number is taken for a page number upstream) starts
            # where the row before ended with its 属性 and a line too long for a 类别 cell begins.
            rows.append(("".join(g for g in group if not _GROUP_COUNT.search(g)), [line]))
        elif done:  # between rows: a merged 类别 cell, one short line after another
            group = group + [line] if i > 1 and _is_group_line(lines[i - 1]) else [line]
        else:
            rows[-1][1].append(line)
        i += 1
    sentences = []
    read = 0  # numbered rows read (a parent over sub-indicators gives a sentence per sub-indicator)
    for label, row_lines in rows:
        subrows = _numbered_rows(row_lines, len(value_cols), has_attribute)
        read += bool(subrows)
        for name, cells in subrows:
            m = UNIT_IN_LABEL.search(name)
            unit = m.group(1) if m else None
            parts = [f"{h} {with_unit(c, unit)}" for h, c in zip(value_cols, cells) if c not in ("—", "－", "-")]
            if has_attribute:
                parts.append(f"属性 {cells[-1]}")
            sentences.append((f"{label} · " if label else "") + f"{name}：" + "，".join(parts) + "。")
    if len(rows) < TABLE_MIN_ROWS or read < CLEAN_SHARE * len(rows):
        return None
    notes: list[str] = []  # "注：…", its numbered points, and lines that continue an unfinished one
    while i < len(lines) and (line := lines[i].strip()) and (
            NOTE_RE.match(line) if not notes else re.match(r"\d{1,2}[.．、]", line) or not notes[-1].endswith("。")):
        notes.append(line)
        i += 1
    return sentences, notes, i


def _is_group_line(line: str) -> bool:
    """A line of a merged 类别 cell: a few characters, no figure, no row number."""
    line = line.strip()
    return 0 < len(line) <= 8 and not _ROW_START.match(line) and not line.split()[-1] in ATTRIBUTES


def rewrite_tables(text: str) -> str:
    """Every indicator table of a plan's text, as rows written one sentence per line in its place (the
    caption and notes kept); the rest of the text unchanged."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        numbered = read_numbered_table(lines[i:]) if _numbered_header(lines[i].strip()) else None
        if numbered is not None:
            sentences, notes, used = numbered
            out += sentences + notes
            i += used
            continue
        if not _is_header(cells(lines[i].strip())):
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() and (len(cells(lines[j].strip())) >= 2
                                                        or len(lines[j].strip()) <= 12 or NOTE_RE.match(lines[j])):
            j += 1
        read = read_table(lines[i:j])
        if read is None:
            out.append(lines[i])
            i += 1
            continue
        _, sentences, notes = read
        out += sentences + notes
        i = j
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
