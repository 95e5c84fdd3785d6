"""OCR text boxes of one plan picture → plan structure (专栏 items, table rows, a map's caption, paragraphs).

Pure and deterministic: `layout(result)` only looks at box geometry and text. Every tuned number is a
named constant below, in units of the picture's median box height (`h`) so the rules hold at any scale.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata

from .models import ImageLine, ImageText, OcrBox, OcrResult, Region, Table

# Two boxes stand on one visual line when their vertical overlap is at least this share of the shorter
# one: lower merges a wrapped cell into the row beside it, higher splits a line whose boxes sit unevenly.
LINE_OVERLAP = 0.5
# A table cell that overlaps a row by this share of the row's height belongs to that row too: that is how a
# cell merged over two rows (预期性 beside two sub-indicators) reaches both. Higher misses merged cells;
# lower lets a tight neighbour bleed into the next row.
SPAN_OVERLAP = 0.3
# A box counts as above/below another when their middles differ by more than this share of its height;
# lower takes the few pixels OCR boxes of one row wobble for a row boundary.
OFF_CENTRE = 0.25
# Two label boxes side by side are one label OCR split in two (no space between) when they overlap this
# much vertically; a child label beside its parent sits a little higher or lower and gets a space.
SAME_LINE = 0.8
# A gap wider than this (× h) between boxes of a line separates entries listed side by side; the gap after
# an item number ("01  现代种业") is narrower. Lower splits a sentence OCR broke in two.
SEGMENT_GAP = 2.0
# A line starting this far (× h) right of the text's left edge is indented: a new paragraph (or a child row
# in a table's label column). Lower takes OCR jitter (a few pixels) for an indent.
INDENT = 1.0
# A line ending this far (× h) short of the right edge ends its paragraph; closer, it wraps to the next.
# Higher joins a short last line to the following paragraph; lower breaks paragraphs mid-sentence.
WRAP_SLACK = 2.0
# Two boxes on a line that overlap by more than this share of a character's width read that character
# twice; lower takes boxes that merely touch for a repeated character.
SHARED_CHAR = 0.3
# A value-less row band nearer both its neighbours than this share of the table's row pitch is a cell
# merged over them; higher takes a short row (one line among wrapped ones) for a merged cell.
SQUEEZED_ROW = 0.6
# Table: at least this many columns, this many rows filled in ≥ TABLE_MIN_COLS columns, and this share of
# value cells that are numbers/ranges/"—". The last keeps a two- or three-column list of names a list.
TABLE_MIN_COLS = 3
TABLE_MIN_ROWS = 3
TABLE_MIN_NUMERIC = 0.4
# A box wider than this share of the picture is a caption, a note or a section bar, never one column's cell:
# left out when finding columns so it cannot bridge the gap between two of them.
WIDE_BOX = 0.45
# A column with fewer boxes than this share of the fullest one holds merged cells (类别): its boxes do not
# make rows of their own. Higher takes a column with many blanks for one of merged cells.
SPARSE_COLUMN = 0.5
# A column is a label column (类别, 指标) when under this share of its boxes are values.
VALUE_COLUMN = 0.5
# Map: besides the 图N caption, boxes are place labels; their median length in characters stays under this.
MAP_LABEL_CHARS = 10

TITLE_RE = re.compile(r"^\s*专栏\s*(\d+)\s*[:：]?\s*(.*)$")
CAPTION_RE = re.compile(r"^\s*图\s*(\d+)\s*[:：]?\s*(.*)$")
# Item headings: （一） (1) （1） 01 1. 1、 一、 — at the start of a line ("17.5万公里" is a figure).
HEADING_RE = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|\d{1,2}(?:[.．](?!\d)|、|(?=\s|$))|"
                        r"[一二三四五六七八九十]+、)")
# The plan's own headings, read from a scanned page: 第N篇 / 第N章 / 第N节 (title after it, or alone).
PLAN_HEADING_RE = re.compile(r"^\s*第\s*[零〇一二三四五六七八九十百]+\s*[篇章节]")
# An item number written with a leading zero ("02普速铁路网") is never a figure: a space after it.
ITEM_NUMBER_RE = re.compile(r"^(0[1-9])(?=[^\d\s.．、])")
NUMBER_ONLY_RE = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|\d{1,2}[.、．]?|[一二三四五六七八九十]+、)\s*$")
# A table value: a number, a range "＞7" "<5" "约3", a 5-year total "[18]" "〔18〕", a share, or an empty mark.
VALUE_RE = re.compile(r"^[\[〔【(（]?[<>≤≥约~]?\s*[-+]?\d[\d.,]*\s*[%‰]?[\]〕】)）]?[%‰]?\*?$|^[-—–―一]+$|^[\[〔【][\]〕】]$")
BULLET_RE = re.compile(r"^[》>➢►▶•·\s]+")
# An empty cell's dash; OCR often reads "—" as 一 ("one"), which alone in a value cell never means one.
EMPTY_RE = re.compile(r"^[-—–―一]+$")
NOTE_RE = re.compile(r"^\s*注\s*[:：]")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# A note that defines a mark: "[]内为5年累计数", "〔〕内为…", "带*的为…数据".
MARK_RE = re.compile(r"([\[〔【][\s\]〕】)）]*|带\s*[*＊]\s*的?|[*＊])\s*(?:内|的)?\s*为\s*([^。；;①-⑩]+)")
CLOSING = {"[": "]", "〔": "〕", "【": "】"}
END_PUNCT = "：:。；;，,、！？!?"


# ---------------------------------------------------------------- small helpers


def _norm(text: str) -> str:
    """For matching only (（一） as (一), ＞ as >): the lines keep the text as printed."""
    return unicodedata.normalize("NFKC", text).strip()


def _union(boxes: list[OcrBox]) -> Region:
    return (min(b.box[0] for b in boxes), min(b.box[1] for b in boxes),
            max(b.box[2] for b in boxes), max(b.box[3] for b in boxes))


def _line(text: str, boxes: list[OcrBox]) -> ImageLine:
    return ImageLine(text=text, region=_union(boxes), conf=min(b.conf for b in boxes))


def _join(a: str, b: str) -> str:
    """Chinese wraps with no space; a space stays only between two ASCII words."""
    if not a:
        return b
    if not b:
        return a
    if a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _unshared(prev: OcrBox, b: OcrBox) -> str:
    """`b`'s text without the characters it shares with the box before it: two boxes that overlap on a
    line read the same ink twice ("04" and "4沿海港口" over one "4"; "06" and "5…" over a "6" read as 5)."""
    text, tail = b.text.strip(), prev.text.strip()
    overlap = prev.box[2] - b.box[0]
    if overlap <= 0 or not text or not tail:
        return text
    k = math.ceil(overlap / ((prev.box[2] - prev.box[0]) / len(tail)) - SHARED_CHAR)
    if 0 < k < len(text) and k <= len(tail) and (tail.endswith(text[:k]) or (text[:k] + tail[-k:]).isdigit()):
        return text[k:]
    return text


def _h(b: OcrBox) -> float:
    return b.box[3] - b.box[1]


def _overlap(a: Region, b: Region) -> float:
    return max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _is_value(text: str) -> bool:
    return bool(VALUE_RE.match(_norm(text).replace(" ", "")))


# ---------------------------------------------------------------- visual lines


class _VLine:
    """Boxes on one visual line, left to right."""

    def __init__(self, boxes: list[OcrBox]):
        self.boxes = sorted(boxes, key=lambda b: b.box[0])
        self.region = _union(self.boxes)

    @property
    def text(self) -> str:
        out = ""
        for i, b in enumerate(self.boxes):
            out = _join(out, _unshared(self.boxes[i - 1], b) if i else b.text.strip())
            if i == 0 and len(self.boxes) > 1 and NUMBER_ONLY_RE.match(_norm(b.text)):
                out += " "  # "01" printed apart from its heading: "01 现代种业"
        return out

    @property
    def x0(self) -> float:
        """Where the text starts: an item number hanging in the margin ("01") is left out."""
        if len(self.boxes) > 1 and NUMBER_ONLY_RE.match(_norm(self.boxes[0].text)):
            return self.boxes[1].box[0]
        return self.region[0]

    @property
    def x1(self) -> float:
        return self.region[2]

    def segments(self, h: float) -> list[list[OcrBox]]:
        """Runs of boxes split at wide gaps: entries listed side by side; a lone item number joins the next."""
        runs: list[list[OcrBox]] = [[self.boxes[0]]]
        for b in self.boxes[1:]:
            gap = b.box[0] - runs[-1][-1].box[2]
            lone_number = len(runs[-1]) == 1 and NUMBER_ONLY_RE.match(_norm(runs[-1][0].text))
            if gap > SEGMENT_GAP * h and not lone_number:
                runs.append([b])
            else:
                runs[-1].append(b)
        return runs


def _lines(boxes: list[OcrBox]) -> list[_VLine]:
    """Group boxes into visual lines by vertical overlap, top to bottom."""
    groups: list[list[OcrBox]] = []
    for b in sorted(boxes, key=lambda b: ((b.box[1] + b.box[3]) / 2, b.box[0])):
        for g in reversed(groups[-3:]):  # only the last few lines can still overlap
            ref = _union(g)
            if _overlap(ref, b.box) >= LINE_OVERLAP * min(ref[3] - ref[1], _h(b)):
                g.append(b)
                break
        else:
            groups.append([b])
    return [_VLine(g) for g in groups]


# ---------------------------------------------------------------- kinds


def layout(result: OcrResult) -> ImageText:
    """The picture's OCR boxes read into plan structure; see the module docstring."""
    boxes = [b for b in result.boxes if _norm(b.text)]
    if not boxes:
        return ImageText(kind="empty")
    h = statistics.median(_h(b) for b in boxes)
    lines = _lines(boxes)

    title, title_line = None, None
    if m := TITLE_RE.match(_norm(lines[0].text)):
        title = f"专栏{m.group(1)} {m.group(2)}".strip()
        title_line, lines = lines[0], lines[1:]
    else:
        for ln in lines:
            if m := CAPTION_RE.match(_norm(ln.text)):
                labels = [len(_norm(b.text)) for b in boxes if b not in ln.boxes]
                if not labels or statistics.median(labels) < MAP_LABEL_CHARS:
                    caption = f"图{m.group(1)} {m.group(2)}".strip()
                    return ImageText(kind="map", title=caption, lines=[_line(caption, ln.boxes)])

    head = [_line(title, title_line.boxes)] if title_line is not None else []
    table = _table(lines, h, result.width)
    if table is not None:
        grid, out = table
        return ImageText(kind="table", title=title, lines=head + out, table=grid)
    items = _items(lines, h)
    return ImageText(kind="box" if title else "text", title=title, lines=head + items)


# ---------------------------------------------------------------- 专栏 items and paragraphs


def _items(lines: list[_VLine], h: float) -> list[ImageLine]:
    """Wrapped lines joined into paragraphs; an item starts at a heading, an indent or after a short line.

    A short heading line ("（一）高速铁路", "01 现代种业") is joined to its text with "："; a second
    paragraph under the same heading is an item of its own that repeats the heading, so each stands alone.
    """
    if not lines:
        return []
    right = max(ln.x1 for ln in lines)
    # The text's left edge is where its full lines start: a short heading hanging left of it ("02普速铁路网"
    # over text set in under its title) is outdented, and starts an item as a numbered heading does.
    full = [ln.x0 for ln in lines if ln.x1 >= right - WRAP_SLACK * h]
    left = min(full or [ln.x0 for ln in lines])
    out: list[ImageLine] = []
    heading: list = []  # [text, boxes, used]: the current item heading
    cur_text, cur_boxes, prev_full = "", [], False

    def flush() -> None:
        nonlocal cur_text, cur_boxes
        if cur_boxes:
            if heading:
                sep = "" if heading[0][-1] in END_PUNCT else "："
                out.append(_line(heading[0] + sep + cur_text, heading[1] + cur_boxes))
                heading[2] = True
            else:
                out.append(_line(cur_text, cur_boxes))
        cur_text, cur_boxes = "", []

    def end_heading() -> None:
        nonlocal heading
        if heading and not heading[2]:  # a heading with no text under it is still an item
            out.append(_line(heading[0], heading[1]))
        heading = []

    for ln in lines:
        segs = ln.segments(h)
        if PLAN_HEADING_RE.match(_norm(_VLine(segs[0]).text)) and ln.x1 < right - WRAP_SLACK * h:
            # "第二节　健全金融市场体系" (a scanned page): a short line that starts with the plan's own
            # heading number stands alone, however wide its gap, even after a full line.
            flush()
            end_heading()
            out.append(_line(" ".join(_VLine(seg).text for seg in segs), ln.boxes))
            prev_full = False
            continue
        if len(segs) > 1:  # short entries side by side: one line each
            flush()
            end_heading()
            out.extend(_line(_VLine(seg).text, seg) for seg in segs)
            prev_full = False
            continue
        text = ITEM_NUMBER_RE.sub(r"\1 ", ln.text)
        indented = ln.x0 - left > INDENT * h
        starts_heading = bool(HEADING_RE.match(_norm(text))) or left - ln.x0 > INDENT * h
        # A short line with no closing punctuation after a paragraph's short last line is a heading whose
        # number OCR missed: a sentence of plan text ends with its punctuation.
        bare = not prev_full and cur_boxes and not indented and text[-1] not in END_PUNCT + "）)"
        if (starts_heading or bare) and ln.x1 < right - WRAP_SLACK * h:
            flush()
            end_heading()
            heading = [text, ln.boxes, False]
            prev_full = False
            continue
        if cur_boxes and prev_full and not starts_heading and not indented:
            cur_text, cur_boxes = _join(cur_text, text), cur_boxes + ln.boxes
        else:
            flush()
            if starts_heading:  # a heading with its text on the same line is an item of its own
                end_heading()
            cur_text, cur_boxes = text, list(ln.boxes)
        prev_full = ln.x1 >= right - WRAP_SLACK * h
    flush()
    end_heading()
    return out


# ---------------------------------------------------------------- tables


def _columns(boxes: list[OcrBox], width: int) -> list[tuple[float, float]]:
    """Column x-ranges: the gaps no (narrow) box crosses split the picture into columns."""
    spans = sorted((b.box[0], b.box[2]) for b in boxes if b.box[2] - b.box[0] < WIDE_BOX * width)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        if cols and x0 <= cols[-1][1]:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _split_columns(cols: list[tuple[float, float]], header: list[OcrBox],
                   data: list[OcrBox]) -> tuple[list[tuple[float, float]], list[float]]:
    """A data column under two or more header boxes is two or more columns: cut at the middle of the gap
    between those header boxes, where data boxes stand wholly on both sides and some box crosses (a
    two-word header over one column, "年均增速 [累计]", has no data on either side of its own).
    Returns the columns and the new cuts."""
    out, cuts = [], []
    for lo, hi in cols:
        heads = sorted((b.box[0], b.box[2]) for b in header if lo <= (b.box[0] + b.box[2]) / 2 <= hi)
        edges = [x for x in ((a[1] + b[0]) / 2 for a, b in zip(heads, heads[1:]))
                 if any(b.box[2] <= x for b in data if lo <= b.box[0]) and any(b.box[0] >= x for b in data if b.box[2] <= hi)
                 and any(b.box[0] < x < b.box[2] for b in data)]
        bounds = [lo, *edges, hi]
        out += [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
        cuts += edges
    return out, cuts


def _cut(b: OcrBox, cuts: list[float], h: float) -> list[OcrBox]:
    """A box crossing a cut by more than a character, cut there; its text shared out by width."""
    inner = sorted(x for x in cuts if b.box[0] + h < x < b.box[2] - h)
    if not inner or len(b.text) < 2:
        return [b]
    per_char = (b.box[2] - b.box[0]) / len(b.text)
    parts, start, x0 = [], 0, b.box[0]
    for x in inner + [b.box[2]]:
        end = len(b.text) if x == b.box[2] else min(len(b.text), max(start + 1, round((x - b.box[0]) / per_char)))
        if end > start:
            parts.append(b.model_copy(update={"text": b.text[start:end], "box": (x0, b.box[1], x, b.box[3])}))
        start, x0 = end, x
    return parts


def _col_of(b: OcrBox, cols: list[tuple[float, float]]) -> int:
    cx = (b.box[0] + b.box[2]) / 2
    return min(range(len(cols)), key=lambda i: 0 if cols[i][0] <= cx <= cols[i][1]
               else min(abs(cx - cols[i][0]), abs(cx - cols[i][1])))


def _rows(boxes: list[OcrBox], cols) -> list[Region]:
    """Row bands. A box whose middle lies between the middles of two boxes it overlaps, one above and one
    below, that do not share a line, sits between two rows: a merged cell (预期性 over two sub-indicators, a
    wrapped label beside a centred value). Such boxes make no row of their own; every other box starts a
    row unless it shares one already."""
    mid = lambda b: (b.box[1] + b.box[3]) / 2  # noqa: E731

    def tied(a: OcrBox, b: OcrBox) -> bool:
        return _overlap(a.box, b.box) >= LINE_OVERLAP * min(_h(a), _h(b))

    def spanning(b: OcrBox) -> bool:
        near = [o for o in boxes if o is not b and _overlap(o.box, b.box) >= SPAN_OVERLAP * _h(o)]
        up = [o for o in near if mid(o) < mid(b) - OFF_CENTRE * _h(b)]
        down = [o for o in near if mid(o) > mid(b) + OFF_CENTRE * _h(b)]
        return any(not tied(p, q) for p in up for q in down)

    # A sparse column (类别 merged over many rows) makes a row only where no other row stands near.
    count = [0] * len(cols)
    for b in boxes:
        count[_col_of(b, cols)] += 1
    sparse = lambda b: count[_col_of(b, cols)] < SPARSE_COLUMN * max(count)  # noqa: E731
    bands: list[Region] = []
    for b in sorted((b for b in boxes if not spanning(b)), key=lambda b: (sparse(b), b.box[1])):
        need = 0.0 if sparse(b) else LINE_OVERLAP
        if not any(_overlap(r, b.box) > need * min(r[3] - r[1], _h(b)) for r in bands):
            bands.append(b.box)
    return sorted(bands, key=lambda r: r[1])


def _squeezed(bands: list[Region], boxes: list[OcrBox]) -> set[int]:
    """Bands that hold no value and stand between two rows, nearer each than SQUEEZED_ROW of the table's
    row pitch: a cell merged over the two (每千人口拥有医护人员数 and its 属性 beside 执业医师数 and 注册护士数
    below each other), whose boxes overlap each row too little to be seen as spanning them."""
    mids = [(r[1] + r[3]) / 2 for r in bands]
    if len(mids) < 3:
        return set()
    pitch = statistics.median(b - a for a, b in zip(mids, mids[1:]))
    out = set()
    for i in range(1, len(bands) - 1):
        if i - 1 in out or max(mids[i] - mids[i - 1], mids[i + 1] - mids[i]) >= SQUEEZED_ROW * pitch:
            continue
        own = [b for b in boxes if _overlap(bands[i], b.box) >= LINE_OVERLAP * _h(b)]
        if own and not any(_is_value(b.text) for b in own):
            out.add(i)
    return out


def _bands_of(b: OcrBox, bands: list[Region]) -> list[int]:
    """The rows a box belongs to: those it overlaps enough, else the two it stands between, else the nearest."""
    hits = [i for i, r in enumerate(bands) if _overlap(r, b.box) >= SPAN_OVERLAP * (r[3] - r[1])]
    if hits:
        return hits
    cy = (b.box[1] + b.box[3]) / 2
    above = [i for i, r in enumerate(bands) if r[3] <= cy]
    below = [i for i, r in enumerate(bands) if r[1] >= cy]
    if above and below and bands[above[-1]][3] <= b.box[1] + 1 and bands[below[0]][1] >= b.box[3] - 1:
        return [above[-1], below[0]]
    return [min(range(len(bands)), key=lambda i: abs((bands[i][1] + bands[i][3]) / 2 - cy))]


def _table(lines: list[_VLine], h: float, width: int):
    # Notes: the line starting with 注： and every line after it.
    notes_at = next((i for i, ln in enumerate(lines) if NOTE_RE.match(_norm(ln.text))), len(lines))
    body_lines, note_lines = lines[:notes_at], lines[notes_at:]
    boxes = [b for ln in body_lines for b in ln.boxes]
    if not boxes:
        return None
    # The header ends at the first line holding a value (a number, range, 〔18〕 or "—") beside a label or
    # another value; "2015年" is not a value, so header lines never hold one.
    def is_data(ln: _VLine) -> bool:
        n = sum(_is_value(b.text) for b in ln.boxes)
        return n >= 2 or (n == 1 and len(ln.boxes) > 1)

    first_data = next((i for i, ln in enumerate(body_lines) if is_data(ln)), None)
    if first_data is None:
        return None
    head_lines = body_lines[:first_data]
    data_boxes = [b for ln in body_lines[first_data:] for b in ln.boxes]
    header_line = max(head_lines, key=lambda ln: len(ln.boxes), default=None)
    if header_line is not None:
        # A line below the header nearer the first row than the header is that row's cell wrapped
        # upward (a long name over two lines, its values centred beside both), not header.
        at = head_lines.index(header_line)
        top = min(b.box[1] for b in body_lines[first_data].boxes)
        stray = [ln for ln in head_lines[at + 1:]
                 if top - max(b.box[3] for b in ln.boxes) < min(b.box[1] for b in ln.boxes)
                 - max(b.box[3] for b in header_line.boxes)]
        data_boxes = [b for ln in stray for b in ln.boxes] + data_boxes
        head_lines = [ln for ln in head_lines if all(ln is not x for x in stray)]
    cols = _columns(data_boxes, width)
    if header_line is not None and len(header_line.boxes) > len(cols) >= TABLE_MIN_COLS - 1:
        # The header names more columns than the data's gaps show: a box OCR read across two cells
        # ("区间、各年预期性": a pace cell and its 属性) bridged a gap. The header's boxes split that
        # column, and a box that crosses the cut is cut there.
        cols, cuts = _split_columns(cols, header_line.boxes, data_boxes)
        data_boxes = [part for b in data_boxes for part in _cut(b, cuts, h)]
    if len(cols) < TABLE_MIN_COLS:
        return None
    # A lone box in the label column just above the data is a section row (经济发展), not header; the
    # first header line always stays (a lone "指标" over its column).
    while len(head_lines) > 1 and len(head_lines[-1].boxes) == 1 and _col_of(head_lines[-1].boxes[0], cols) == 0:
        data_boxes = head_lines[-1].boxes + data_boxes
        head_lines = head_lines[:-1]
    bands = _rows(data_boxes, cols)
    squeezed = _squeezed(bands, data_boxes)
    kept = [i for i in range(len(bands)) if i not in squeezed]
    cells: list[list[list[OcrBox]]] = [[[] for _ in cols] for _ in kept]
    for b in data_boxes:
        rows = {k for i in _bands_of(b, bands) for k in ((i - 1, i + 1) if i in squeezed else (i,))}
        for i in sorted(rows):
            cells[kept.index(i)][_col_of(b, cols)].append(b)
    bands = [bands[i] for i in kept]
    cells = _merge_wrapped(cells, h)
    full = sum(1 for row in cells if sum(1 for c in row if c) >= TABLE_MIN_COLS)
    values = [b for row in cells for c in row[1:] for b in c]
    numeric = sum(_is_value(b.text) for b in values) / max(1, len(values))
    if full < TABLE_MIN_ROWS or numeric < TABLE_MIN_NUMERIC:
        return None

    headers = _headers(head_lines, cols)
    marks = _marks(note_lines)
    # Label columns: the leading columns holding words, not values (类别, 指标). A sparse one before the
    # last (类别 merged over several rows) is carried down to every row its cell covers.
    nlab = 1
    while nlab < len(cols) - 1 and _word_column(cells, nlab):
        nlab += 1
    cells, bands = _join_fragments(cells, bands, nlab, h)
    for j in range(nlab - 1):
        _carry_down(cells, bands, j)
    grid, out = [], []
    last = nlab - 1
    label_left = min((b.box[0] for row in cells for b in row[last]), default=0)
    context: list[tuple[float, str, bool]] = []  # (x0, label, is_parent) of label-only rows above
    for i, row in enumerate(cells):
        texts = [_cell_text(c, h) for c in row]
        texts[:nlab] = [BULLET_RE.sub("", t) for t in texts[:nlab]]  # "➢ 经济发展" is often read "》经济发展"
        labels = [t for t in texts[:nlab] if t]
        filled = [j for j in range(nlab, len(cols)) if texts[j] and not EMPTY_RE.match(_norm(texts[j]))]
        x0 = min((b.box[0] for b in row[last]), default=label_left)
        if not filled:
            if not labels or any(row[nlab:]):  # nothing, or only "—" cells
                continue
            # A label-only row: a section (经济发展) or a parent indicator whose children are indented.
            nxt = next((r[last] for r in cells[i + 1:] if r[last]), [])
            is_parent = bool(nxt) and min(b.box[0] for b in nxt) - x0 > INDENT * h
            context = [c for c in context if c[2] and c[0] < x0 - INDENT * h] if not is_parent else \
                [c for c in context if c[0] < x0 - INDENT * h or not c[2]]
            context.append((x0, " · ".join(labels), is_parent))
            continue
        # Children end where a row comes back to the parent's indent.
        context = [c for c in context if not c[2] or x0 - c[0] > INDENT * h]
        record = {"": " · ".join(c[1] for c in context)} if context else {}
        for j in range(nlab):
            if texts[j]:
                record[headers[j] or ("指标" if j == last else f"列{j + 1}")] = texts[j]
        for j in filled:
            record[headers[j] or f"列{j + 1}"] = texts[j]
        grid.append(record)
        parts = [f"{headers[j]} {texts[j]}" if headers[j] else texts[j] for j in filled]
        # A row is one statement, so one sentence: its cells are joined with "，" (sentences split at "；"),
        # and an answer quoting the row keeps the indicator's name with its figures.
        text = " · ".join([c[1] for c in context] + labels) + "：" + "，".join(parts)
        said = [f"{m}内为{v}" if m[0] in "[〔【" else f"{m}为{v}" for m, v in marks if _has_mark(m, texts, nlab)]
        if said:
            text += "（" + "，".join(said) + "）"
        text += "。"
        # The row's confidence is that of what it states: an empty "—" cell, left out, cannot make it unsure.
        out.append(_line(text, [b for j, c in enumerate(row) if j < nlab or j in filled for b in c]))
    out += _notes(note_lines)
    return Table(header=headers, rows=grid), out


def _word_column(cells, j: int) -> bool:
    boxes = [b for row in cells for b in row[j]]
    return bool(boxes) and sum(_is_value(b.text) for b in boxes) < VALUE_COLUMN * len(boxes)


def _carry_down(cells, bands: list[Region], j: int) -> None:
    """A cell merged over rows stands in the middle of them: its rows run from where the previous cell's
    rows ended down as far again below its middle. Each row of the span gets the cell."""
    top = bands[0][1]
    owners = [i for i, row in enumerate(cells) if row[j]]
    seen: set[int] = set()
    for i in owners:
        boxes = cells[i][j]
        if id(boxes[0]) in seen:
            continue
        seen.add(id(boxes[0]))
        mid = (min(b.box[1] for b in boxes) + max(b.box[3] for b in boxes)) / 2
        bottom = 2 * mid - top
        for k, band in enumerate(bands):
            if top - 1 <= (band[1] + band[3]) / 2 <= bottom and not cells[k][j]:
                cells[k][j] = list(boxes)
        top = bottom


NUMBERED_RE = re.compile(r"^\s*\d{1,2}\s*[.、．]")
NUMBERED_SHARE = 0.6  # indicator cells that start "N." for a table to be read as numbered
GROUP_GAP = 0.5  # line heights between two fragments of one merged 类别 cell ("经济" / "发展")


def _join_fragments(cells, bands: list[Region], nlab: int, h: float):
    """Pieces of one cell that OCR read as lines of their own, joined by the table's geometry:
    - a 类别 cell written over two lines ("经济" / "发展"): fragments in a sparse label column with no gap
      between them are one cell;
    - a row with values but no indicator (a pace "保持在合理 / 区间、各年 / 度视情提出" wrapped above and
      below its row's line) belongs to the nearest row that has one;
    - in a table whose indicators are numbered ("16.…"), an indicator line without a number at the
      numbered lines' indent continues the indicator above it ("…浓度（微" / "克/立方米）");
    - two rows holding the very same indicator box, or the very same value boxes, are one row spread
      over two bands (a wrapped cell beside it).
    """
    last = nlab - 1
    for j in range(last):
        prev = None
        for i, row in enumerate(cells):
            if not row[j]:
                continue
            if prev is not None and min(b.box[1] for b in row[j]) - max(b.box[3] for b in cells[prev][j]) < GROUP_GAP * h:
                cells[prev][j] = cells[prev][j] + [b for b in row[j] if all(b is not o for o in cells[prev][j])]
                row[j] = []
            else:
                prev = i
    named = [i for i, row in enumerate(cells) if row[last]]
    texts = {i: _cell_text(cells[i][last], h) for i in named}
    numbered = [i for i in named if NUMBERED_RE.match(texts[i])]
    indent = min((min(b.box[0] for b in cells[i][last]) for i in numbered), default=None)
    into: dict[int, int] = {}
    for i, row in enumerate(cells):
        mid = (bands[i][1] + bands[i][3]) / 2
        same = [k for k in named if k < i and {id(b) for b in cells[k][last]} == {id(b) for b in row[last]}]
        ids = lambda r: [{id(b) for b in c} for c in r[nlab:]]  # noqa: E731
        if row[last] and same:
            into[i] = into.get(same[0], same[0])  # one row over two bands: a wrapped cell beside it
        elif row[last] and i and cells[i - 1][last] and any(row[nlab:]) and ids(row) == ids(cells[i - 1]):
            into[i] = into.get(i - 1, i - 1)  # a name over two lines, its values centred beside both
        elif not row[last] and any(row[nlab:]) and named:
            into[i] = min(named, key=lambda k: (abs((bands[k][1] + bands[k][3]) / 2 - mid), k))
        elif (row[last] and len(numbered) >= NUMBERED_SHARE * len(named) and i not in numbered and indent is not None
              and abs(min(b.box[0] for b in row[last]) - indent) <= INDENT * h):
            above = [k for k in numbered if k < i]
            if above:
                into[i] = above[-1]
    keep = []
    for i in range(len(cells)):
        if i in into:
            k = into[i]
            cells[k] = [a + [x for x in b if all(x is not o for o in a)] for a, b in zip(cells[k], cells[i])]
            bands[k] = (min(bands[k][0], bands[i][0]), min(bands[k][1], bands[i][1]),
                        max(bands[k][2], bands[i][2]), max(bands[k][3], bands[i][3]))
        else:
            keep.append(i)
    return [cells[i] for i in keep], [bands[i] for i in keep]


def _merge_wrapped(cells: list[list[list[OcrBox]]], h: float) -> list[list[list[OcrBox]]]:
    """A label wrapped over two lines, its values centred beside both: two rows holding the very same value
    boxes and labels starting at one indent are one row."""
    out = [cells[0]]
    for row in cells[1:]:
        prev = out[-1]
        same_values = any(row[1:]) and all({id(b) for b in p} == {id(b) for b in c} for p, c in zip(prev[1:], row[1:]))
        if same_values and prev[0] and row[0] and \
                abs(min(b.box[0] for b in prev[0]) - min(b.box[0] for b in row[0])) <= INDENT * h:
            out[-1] = [prev[0] + [b for b in row[0] if b not in prev[0]]] + prev[1:]
        else:
            out.append(row)
    return out


def _cell_text(boxes: list[OcrBox], h: float) -> str:
    """A cell's boxes in reading order. Boxes starting at clearly different x are levels of a label
    (（3）城镇化率 → 常住人口城镇化率): left level first, parted by a space; the same level reads top down."""
    levels: list[float] = []
    for x in sorted(b.box[0] for b in boxes):
        if not levels or x - levels[-1] > INDENT * h:
            levels.append(x)
    level = lambda b: max(i for i, x in enumerate(levels) if b.box[0] >= x)  # noqa: E731
    text, last = "", None
    for b in sorted(boxes, key=lambda b: (level(b), b.box[1], b.box[0])):
        if last is not None and level(b) != last and not _same_line(b, boxes):
            text += " "
        text, last = _join(text, b.text.strip()), level(b)
    return text.strip()


def _same_line(b: OcrBox, boxes: list[OcrBox]) -> bool:
    """True when b continues a box on its left on the same line (a label OCR split in two)."""
    return any(o is not b and o.box[2] <= b.box[0] and _overlap(o.box, b.box) >= SAME_LINE * _h(b) for o in boxes)


def _headers(head_lines: list[_VLine], cols) -> list[str]:
    """One name per column; a box over several columns (规划目标) is an upper level, joined with a space."""
    names = [""] * len(cols)
    for ln in head_lines:
        for b in ln.boxes:
            hit = [j for j, (a, z) in enumerate(cols)
                   if min(z, b.box[2]) - max(a, b.box[0]) >= SPAN_OVERLAP * min(z - a, b.box[2] - b.box[0])]
            if not hit:
                hit = [_col_of(b, cols)]
            sep = " " if len(hit) > 1 else ""
            for j in hit:
                names[j] = (names[j] + b.text.strip() + sep) if sep else _join(names[j], b.text.strip())
    return [n.strip() for n in names]


def _notes(note_lines: list[_VLine]) -> list[ImageLine]:
    """Notes under a table, one line per numbered note (注：①… ②…)."""
    if not note_lines:
        return []
    text = ""
    for ln in note_lines:
        text = _join(text, ln.text)
    boxes = [b for ln in note_lines for b in ln.boxes]
    body = re.sub(r"^\s*注\s*[:：]", "", text)
    parts = [p for p in re.split(f"(?=[{CIRCLED}])", body) if p.strip()]
    return [_line("注：" + p.strip(), boxes) for p in parts] or [_line(text, boxes)]


def _marks(note_lines: list[_VLine]) -> list[tuple[str, str]]:
    text = "".join(ln.text for ln in note_lines)
    out = []
    for m in MARK_RE.finditer(text):
        mark = m.group(1).replace(" ", "")
        mark = "*" if "*" in mark or "＊" in mark else mark[0] + CLOSING[mark[0]]  # OCR reads [] as [）
        out.append((mark, m.group(2).strip()))
    return out


def _has_mark(mark: str, texts: list[str], nlab: int) -> bool:
    """A * may stand on the label or a value; a bracket pair only around a value."""
    if mark == "*":
        return any("*" in t or "＊" in t for t in texts)
    return any(t.startswith(mark[0]) and t.endswith(mark[-1]) for t in texts[nlab:])
