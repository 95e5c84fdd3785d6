"""规划衔接: a lower plan's 主要指标 checked against its superior plan's, row by row, with both quotes.

For each row of the upper plan's indicator table (its 主要指标 box, read from text or a picture into row
sentences: tables.py, ocr/layout.py), the lower plan's row for the same measure, paired by the embedder on
the indicator names (a colloquial or another level's wording: 国内生产总值 / 地区生产总值), then a verdict
from what the two rows state. Facts of plan language used for the verdicts, none of one plan:
- "完成省（市）下达目标" / "完成省定目标" meets a binding target by definition;
- a figure is a level, a rate of change (增长, 增速, 降低, 下降, 提高) or a five-year total (〔 〕);
  a level against a rate is a different 口径;
- 降低/下降 targets are assigned downward, so a smaller reduction below is 偏弱 and a larger one 更严;
  any other national figure is an average that no city must equal (一致, both figures in the reason);
- a row without a figure ("进一步提升", "基本稳定") is 待核实.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, Field

from .models import Document, section_path
from .tables import ATTRIBUTES, is_row_sentence

# Cosine similarity of two indicator names (e5, "passage: " side) above which they name one measure.
# Below it the pair is left unpaired: a missed pair shows as 缺失 and is checked by staff, a wrong pair
# would show a confident verdict on the wrong row.
PAIR_MIN = 0.88
# ... and share this much of their wording (Dice over character pairs): e5 puts any two short indicator
# names of one plan above 0.85, so the embedder alone paired 城镇化率 with 地区生产总值增长.
SHARED_MIN = 0.25
# A chapter's related sections of the lower plan: at most this many, each at least this close.
SECTION_TOP = 3
SECTION_MIN = 0.85
VERDICTS = ("缺失", "偏弱", "口径不同", "年份不同", "待核实", "更严", "一致")

_FIGURE = re.compile(r"[<>≤≥＜＞]?\s*\d[\d.,]*")
_YEAR_COL = re.compile(r"(20\d\d)\s*年")
# A lower plan that commits to the target set above it, without a figure of its own: "完成省下达目标",
# "完成经国家审核衔接后确定的目标", "达到国家要求".
_MEETS = re.compile(r"完成[^，。,；]{0,14}(?:目标|任务)|达到[^，。,；]{0,6}要求")
# A pace stated as keeping step with another ("与经济增长同步", "与GDP增长同步"): two such cells agree.
_IN_STEP = re.compile(r"与[^，。,；]{1,10}同步")
_RATE = re.compile(r"增长|增速|增幅|降低|下降|降幅|提高|减少")
_REDUCTION = re.compile(r"降低|下降|降幅|减少")
# The same measure in another level's words: a national plan's 国内生产总值 is a city's 地区生产总值.
_LEVEL_WORDS = ((re.compile(r"国内生产总值|GDP", re.I), "地区生产总值"),)


class AlignSide(BaseModel):
    indicator: str
    value: str | None = None
    year: int | None = None
    unit: str | None = None
    comparator: str | None = None
    attribute: str | None = None
    quote: str
    location: str
    doc: str


class AlignRow(BaseModel):
    upper: AlignSide
    lower: AlignSide | None
    verdict: str
    reason: str
    score: float | None = None  # the names' similarity


class SectionLink(BaseModel):
    upper: str
    lower: list[str] = Field(default_factory=list)
    score: float = 0.0


class Alignment(BaseModel):
    lower: str
    upper: str
    rows: list[AlignRow]
    lower_only: list[AlignSide] = Field(default_factory=list)
    sections: list[SectionLink] = Field(default_factory=list)


def _indicator_rows(doc: Document, source: str) -> list[AlignSide]:
    """The rows of the plan's 主要指标 table: a 专栏 whose lines are rows, or (a table standing in the text,
    not boxed) a run of row paragraphs under its caption; the one named 主要指标 first, else the first."""
    tables: list[tuple[str, list[str], str]] = []  # (caption, row texts, where)
    for ch in doc.chapters:
        for sec in ch.sections:
            path = section_path(ch.number, ch.title, sec.number, sec.title, ch.part, ch.in_part)
            run: list[str] = []
            caption = ""
            for b in [*sec.blocks, None]:
                text = source[b.span.start:b.span.end] if b is not None and b.kind == "paragraph" else ""
                if text and is_row_sentence(text):
                    run.append(text)
                    continue
                if len(run) >= 3:
                    tables.append((caption, run, path))
                run, caption = [], text.strip()[:60]
                if b is not None and b.kind == "box":
                    rows = [source[i.span.start:i.span.end] for i in b.items]
                    if sum(map(is_row_sentence, rows)) >= 3:
                        tables.append((b.title, rows, f"{path} · 专栏{b.title}"))
    if not tables:
        return []
    _, rows, where = next((t for t in tables if "主要指标" in t[0]), tables[0])
    year = doc.profile.target_year if doc.profile else None
    # A parent row states no figure.
    return [_side(text, doc.id, where, text, year) for text in rows
            if is_row_sentence(text) and re.search(r"\d", text.partition("：")[2])]


def _side(text: str, doc: str, location: str, quote: str, target_year: int | None = None) -> AlignSide:
    name_part, _, cells = text.partition("：")
    name = re.sub(r"\s+", "", name_part.split("·")[-1])
    unit = m.group(1) if (m := re.search(r"[（(]([^（）()]{1,10})[）)]\s*\*?$", name)) else None
    parts = [p.strip() for p in re.split(r"[，。]", cells) if p.strip()]
    attribute = next((a for a in ATTRIBUTES if any(p.startswith("属性") and a in p for p in parts)), None)
    by_year = {int(y.group(1)): p.split(" ", 1)[-1] for p in parts if (y := _YEAR_COL.match(p))}
    pace = next((p.split(" ", 1)[-1] for p in parts if not _YEAR_COL.match(p) and not p.startswith("属性")), None)
    # The target is the plan's target year's column; a row without it states its target as a pace
    # (年均/累计); a column of another year is a base value, not a target.
    if target_year in by_year:
        year, value = target_year, by_year[target_year]
    else:
        year, value = None, pace
    comparator = next((w for w in ("以上", "以下", "左右", "以内", "≥", "≤", ">", "<", "＞", "＜") if value and w in value), None)
    return AlignSide(indicator=name, value=value, year=year, unit=unit, comparator=comparator, attribute=attribute,
                     quote=quote.strip(), location=location, doc=doc)


def _bigrams(name: str) -> set[str]:
    name = _level_neutral(name)
    return {name[i:i + 2] for i in range(len(name) - 1)}


def _shared(a: str, b: str) -> float:
    """Dice overlap of the names' character pairs: one measure shares its head words (护理型床位, 覆盖率)."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _level_neutral(name: str) -> str:
    for pattern, word in _LEVEL_WORDS:
        name = pattern.sub(word, name)
    return re.sub(r"^\d+\s*[.．、]\s*|[（(][^（）()]*[）)]|\*", "", name)


def _number(value: str | None) -> float | None:
    m = _FIGURE.search(value or "")
    return float(re.sub(r"[^\d.]", "", m.group())) if m else None


def verdict(upper: AlignSide, lower: AlignSide | None) -> tuple[str, str]:
    """What the lower row says of the upper row's target, and why, in one line."""
    if lower is None:
        return "缺失", "本规划未设置该指标"
    u_rate, l_rate = bool(_RATE.search(upper.indicator)), bool(_RATE.search(lower.indicator))
    if u_rate != l_rate:
        return "口径不同", f"一为水平值、一为变化率：{upper.indicator} / {lower.indicator}"
    if lower.value and _MEETS.search(lower.value):
        return "一致", f"本规划以“{lower.value}”落实{upper.attribute or ''}指标"
    if lower.value and upper.value and _number(lower.value) is None and (
            re.sub(r"\W", "", lower.value) in re.sub(r"\W", "", upper.value)
            or (_IN_STEP.search(lower.value) and _IN_STEP.search(upper.value))):
        return "一致", f"本规划与上位表述一致：上位“{upper.value}”，本规划“{lower.value}”"
    if _number(lower.value) is None:
        return "待核实", f"本规划未给出具体数值（{lower.value or '无'}）"
    if upper.year and lower.year and upper.year != lower.year:
        return "年份不同", f"上位 {upper.year} 年，本规划 {lower.year} 年"
    u, l = _number(upper.value), _number(lower.value)
    if u is not None and l is not None and _REDUCTION.search(upper.indicator) and _REDUCTION.search(lower.indicator):
        if l < u:
            return "偏弱", f"下降目标 {lower.value} 小于上位 {upper.value}"
        if l > u:
            return "更严", f"下降目标 {lower.value} 大于上位 {upper.value}"
    return "一致", f"同一指标：上位 {upper.value or '—'}，本规划 {lower.value}（上位为总体要求，非逐级分解）"


def _vectors(embeddings: Embeddings, texts: Sequence[str]) -> np.ndarray:
    return np.asarray(embeddings.embed_documents(list(texts)), dtype=np.float64) if texts else np.zeros((0, 1))


def align(lower: Document, upper: Document, sources: dict[str, str], embeddings: Embeddings) -> Alignment:
    up_rows = _indicator_rows(upper, sources[upper.id])
    low_rows = _indicator_rows(lower, sources[lower.id])
    rows: list[AlignRow] = []
    pairs: dict[int, tuple[int, float]] = {}
    if up_rows and low_rows:
        sims = _vectors(embeddings, [_level_neutral(r.indicator) for r in up_rows]) @ \
            _vectors(embeddings, [_level_neutral(r.indicator) for r in low_rows]).T
        # One lower row per upper row, the closest pairs first (ties by table order): greedy matching.
        candidates = sorted(((round(float(sims[i, j]), 6), i, j) for i in range(len(up_rows))
                             for j in range(len(low_rows))
                             if sims[i, j] >= PAIR_MIN and _shared(up_rows[i].indicator, low_rows[j].indicator)
                             >= SHARED_MIN), key=lambda t: (-t[0], t[1], t[2]))
        taken: set[int] = set()
        for score, i, j in candidates:
            if i not in pairs and j not in taken:
                pairs[i] = (j, score)
                taken.add(j)
    for i, up in enumerate(up_rows):
        j, score = pairs.get(i, (-1, None))
        paired = low_rows[j] if j >= 0 else None
        v, reason = verdict(up, paired)
        rows.append(AlignRow(upper=up, lower=paired, verdict=v, reason=reason, score=score))
    used = {j for j, _ in pairs.values()}
    lower_only = [r for j, r in enumerate(low_rows) if j not in used]
    return Alignment(lower=lower.id, upper=upper.id, rows=rows, lower_only=lower_only,
                     sections=_sections(lower, upper, embeddings))


def _sections(lower: Document, upper: Document, embeddings: Embeddings) -> list[SectionLink]:
    """For each chapter of the upper plan, the lower plan's closest sections by their headings."""
    up = [(c, section_path(c.number, c.title, None, None, c.part, c.in_part)) for c in upper.chapters if c.number]
    low = [section_path(c.number, c.title, s.number, s.title, c.part, c.in_part)
           for c in lower.chapters if c.number for s in c.sections if s.number is not None] or \
          [section_path(c.number, c.title, None, None, c.part, c.in_part) for c in lower.chapters if c.number]
    if not up or not low:
        return []
    sims = np.round(_vectors(embeddings, [c.title for c, _ in up]) @
                    _vectors(embeddings, [p.split(" ", 1)[-1] for p in low]).T, 6)
    out = []
    for i, (_, path) in enumerate(up):
        order = sorted(range(len(low)), key=lambda j: (-sims[i, j], j))[:SECTION_TOP]
        keep = [j for j in order if sims[i, j] >= SECTION_MIN]
        out.append(SectionLink(upper=path, lower=[low[j] for j in keep], score=float(sims[i, order[0]])))
    return out


def problems_first(rows: list[AlignRow]) -> list[AlignRow]:
    """缺失, 偏弱, 口径不同, 年份不同, 待核实, then 更严 and 一致; the table's order within each."""
    return sorted(rows, key=lambda r: VERDICTS.index(r.verdict))


TABLE_HEADERS = ["序号", "上位指标", "上位目标", "本规划指标", "本规划目标", "衔接情况", "说明"]


def table_rows(result: Alignment) -> list[list[str]]:
    """The 衔接情况表 as rows of cells (CSV, Excel and Word write the same)."""
    return [[str(n), r.upper.indicator, r.upper.value or "", r.lower.indicator if r.lower else "",
             r.lower.value or "" if r.lower else "", r.verdict, r.reason]
            for n, r in enumerate(result.rows, 1)]
