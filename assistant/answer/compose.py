"""Reply composition: which clauses of a long sentence to quote, and how a 专栏 or led list reads."""

from __future__ import annotations

import re

from ..models import Chunk, box_label, cn_numeral
from ..planlang import PERIOD, stated_years
from ..query import QueryInfo
from ..tables import is_row_sentence
from ..text import clean, normalise
from .grounding import NUMBER_RE
from .params import MAX_BODY
from .scoring import CLAUSE_RE, year_clauses

TIME_LEAD_RE = re.compile(rf"^(到|至|力争|预计|{PERIOD}期间|(19|20)\d\d\s*年)")
ENDED_RE = re.compile(r"[。！？!?…][”’」）)]*$")


def finish(body: str) -> str:
    """A quoted piece ends as a sentence: no trailing comma or semicolon, a full stop."""
    body = body.rstrip(",，;；:：、 ")
    return body + ("" if ENDED_RE.search(body) else "。")


def clauses(text: str, info: QueryInfo, weights: dict[str, float], limit: int = MAX_BODY) -> str:
    """A long sentence is cut to the clauses around the best-matching one (keeping a leading time phrase,
    and a table row's labels: "细颗粒物年均浓度（微克/立方米）："), to at most about `limit` characters."""
    row = is_row_sentence(text)  # (as the table wrote it) its labels are kept whole; the clause asked is a cell
    text = clean(text)
    if len(text) <= limit:
        return text
    parts = CLAUSE_RE.findall(text)
    total = sum(weights.values()) or 1.0
    # A clause speaks of its own year, else of the last year named before it in the sentence:
    # "到2025年,…80%以上,到2035年全面消除…" — the clauses after "到2035年" are the 2035 ones.
    clause_years, current = [], []
    for cl in parts:
        current = stated_years(cl) or current
        clause_years.append(current)

    def score(i: int) -> float:
        n = normalise(parts[i])
        s = sum(w for t, w in weights.items() if t in n)
        if info.years and clause_years[i]:
            s += total if set(clause_years[i]) & set(info.years) else -total
        kind = (info.wants_number and NUMBER_RE.search(parts[i])) or (info.wants_when and clause_years[i]
                                                                       and stated_years(parts[i]))
        return s + (0.5 if kind else 0.0)

    best = max(range(1 if row and len(parts) > 1 else 0, len(parts)), key=score)
    lo, hi = best, best + 1
    while hi < len(parts) and len("".join(parts[lo : hi + 1])) <= limit and not NUMBER_RE.search(
        "".join(parts[lo:hi])
    ):
        hi += 1
    # "…受教育年限提高到12年以上,受过高等教育比例达35%以上": a following clause on the question's
    # words belongs to the answer too.
    while hi < len(parts) and len("".join(parts[lo : hi + 1])) <= limit and any(
        t in normalise(parts[hi]) for t in weights
    ):
        hi += 1
    if lo > 0 and len("".join(parts[lo - 1 : hi])) <= limit:
        lo -= 1
    body = "".join(parts[lo:hi])
    if lo > 0 and (row or TIME_LEAD_RE.match(parts[0]) and len(parts[0]) + len(body) <= limit + 20):
        body = parts[0] + body
    return finish(body)


def row_cells(text: str, years: list[int]) -> str:
    """A table row as its labels and the cells of the years asked ("细颗粒物年均浓度（微克/立方米）：2030年目标值
    ≤20微克/立方米。"); the whole row when no cell names one of them."""
    text = clean(text)
    parts = CLAUSE_RE.findall(text)
    cells = year_clauses(parts[1:], years)
    return finish(parts[0] + "".join(cells)) if cells else text


# How plans number the items of a 专栏 or list: "1.", "2、", "（三）", "①", "01 ".
ITEM_MARK = r"(?:\d{1,2}\s*[.、．]|[（(]\d{1,2}[)）]|（[一二三四五六七八九十]+）|[①-⑳]|0\d(?!\d))"
# A numbered mark where an item starts (the text's start, or after a stop): "(3)", "3.", "03"; a
# bracket OCR lost ("(6全民…") still marks the item.
MARK_NUMBER_RE = re.compile(r"(?:^|(?<=[；;。:：\s]))(?:[（(](\d{1,2})(?!\d)[)）]?|(\d{1,2})[.、．](?!\d)|0(\d)(?!\d))")
ITEM_MARK_RE = re.compile(rf"^{ITEM_MARK}")
MARK_BEFORE_RE = re.compile(rf"{ITEM_MARK}\s*$")


def item_start(source: str, chunk: Chunk) -> int:
    """Where a 专栏 item starts as the plan prints it: at the number the parser set apart from its text."""
    mark = MARK_BEFORE_RE.search(source, max(0, chunk.start - 6), chunk.start)
    return mark.start() if mark else chunk.start


def item_text(source: str, chunk: Chunk) -> str:
    return clean(source[item_start(source, chunk):chunk.end]).rstrip("。；;")


def item_name(chunk: Chunk) -> str:
    """An item's name: its lead, else its text up to the first stop or colon."""
    return chunk.lead or clean(re.split(r"[。:：;；]", chunk.text)[0])


def item_count(items: list[str]) -> int:
    """How many items a 专栏 lists: its chunks, or more when one chunk holds several numbered items (a
    picture's line "(1)…；(2)…"): then the longest run 1, 2, … N of the plan's own numbers."""
    numbers = {int(next(g for g in m.groups() if g)) for t in items for m in MARK_NUMBER_RE.finditer(t)}
    run = 0
    while run + 1 in numbers:
        run += 1
    return max(run, len(items))


def box_list(box: str, items: list[str], names: list[str], count: int, limit: int) -> str:
    """Every item of a 专栏, numbered, in full; only their names when the full items would pass `limit`.
    `count` is item_count of the full items (names may have lost the numbers inside a line).

    An item the plan did not number gets "（N）": a Chinese numeral, so that the reply states no figure
    its quote lacks."""
    if len("；".join(items)) > limit:
        items = [n.rstrip("。；;") for n in names]
    # A 专栏 numbered 01, 02, … goes on to 10, 11 (the width, not a leading zero, marks those).
    padded = bool(items) and re.match(r"0\d(?!\d)", items[0]) is not None
    items = [t if ITEM_MARK_RE.match(t) or (padded and re.match(r"\d\d(?!\d)", t))
             else f"（{cn_numeral(i)}）{t}" for i, t in enumerate(items, 1)]
    body = f"{box_label(box)}共{count}项：" + "；".join(items)
    return body if len(body) <= limit else body[: limit - 1].rstrip("；、") + "…"
