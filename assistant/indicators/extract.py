"""Plan text → Indicator rows: every quantified target or achieved figure with its subject and year.

Hand-written rules, because they state general facts of Chinese plan language (no plan's names or years):
- a figure is a number with a unit (%, 个百分点, 亿元, 家, 万亩 …), a multiple (N倍, 翻番, 翻一番), 一半, or a
  bare number right after a level verb ("利用系数提高到0.53");
- not figures: years (2025年, “十三五”), list numbers (1. / （1）), ordinals (第N), ranks (前20强), streaks
  (连续6年), names (5G, PM2.5, S1线, 3A景区: a number touching a Latin letter) and anything inside “…” or
  《…》 (“四个一流”, 《…2018-2022年》 are names);
- a ratio (三次产业比重 6.1:28.6:65.3) is one figure, its value as written, its number the first term;
- a clause (split at ，；) states one subject and its figures: the subject is the noun phrase before the figure
  (after the previous figure), inherited by "分别达A、B"; "建成…等3家孵化器" names it after the figure;
- a figure followed, in its clause, by a level verb and another figure is part of the subject
  ("15年免费教育比例达98%", "1.26万亩农田排涝能力提高到10年一遇");
- the year is the last year said before the figure in the sentence or its paragraph, unless it is a
  comparison's base ("较2015年", "是2015年的": planlang.BASE_YEAR_RE); a figure with no year is for the plan's
  target year, or, in a review section (发展基础) or before the plan's first year, achieved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..chunking import iter_chunks
from ..models import Chunk, Document, Profile
from ..parsing import cn_to_int
from ..pictures import load_records
from ..planlang import BASE_YEAR_RE, PERIOD_TIME_RE, YEAR_RE, period_number, period_years
from .from_tables import row_indicators, sentence_indicators, text_tables, unread_table_row
from .models import Comparator, Indicator
from .units import MAG as _MAG, MAGNITUDE as _MAGNITUDE, UNIT as _UNIT

_NUM = r"\d+(?:\.\d+)?"
_CN = r"[一二两三四五六七八九十]+"
_DASH = r"\s*[—–\-－~～至到]+\s*"
FIGURE_RE = re.compile(
    rf"(?P<ratio>{_NUM}(?:\s*[:：]\s*{_NUM})+)|"  # a ratio is one figure: 三次产业比重 6.1:28.6:65.3
    rf"(?P<per>{_NUM}\s*/\s*(?:10|100|1000)?\s*{_MAG})(?=[^\d]|$)|"  # a rate per population: 58/10万
    rf"(?P<lo>{_NUM})\s*(?P<lomag>{_MAG})?\s*(?P<lounit>{_UNIT})?{_DASH}(?P<hi>{_NUM})\s*(?P<mag>{_MAG})?\s*(?P<unit>{_UNIT})"
    rf"|(?P<num>{_NUM})\s*(?P<mag2>{_MAG})?\s*(?P<unit2>{_UNIT})?"
    rf"|(?P<double>翻[一两三]?番)|(?P<half>一半)"
    rf"|(?P<cn>{_CN})(?P<cnunit>倍|个百分点|成|{_UNIT})"
)
# Bare numbers and Chinese-numeral counts are figures only right after a verb that sets a level or count.
LEVEL_VERB_RE = re.compile(r"(?:达到|达|提高到|提升到|提高至|提升至|增至|增加到|降至|降低到|下降到|减少到|控制在|保持在|稳定在|为|突破)\s*$")
COUNT_VERB_RE = re.compile(r"(?:建成|新建|新增|打造|培育|创建|建设|引进|达到|达|增至|突破|累计)\s*$")
# A verb between two figures of a clause makes the first part of the second's subject.
VERB_RE = re.compile(r"达到|达|提高|提升|增长|增加|降低|下降|减少|突破|控制在|保持在|稳定在|超过|不低于|不少于|增至|降至")
AT_LEAST_AFTER = re.compile(r"^\s*(?:以上|及以上|多)")
AT_MOST_AFTER = re.compile(r"^\s*(?:以内|以下|之内)")
ABOUT_AFTER = re.compile(r"^\s*左右")
AT_LEAST_BEFORE = re.compile(r"(?:不低于|不少于|(?<!不)超过?|突破|迈上|(?<!不)高于|大于|力争超过)\s*$")  # "超" alone too
AT_MOST_BEFORE = re.compile(r"(?:不超过|不高于|低于|小于|控制在|压减到|压缩到)\s*$")
ABOUT_BEFORE = re.compile(r"(?:约|大约|近|接近)\s*$")
INCREASE_BEFORE = re.compile(r"(?:增长|提高|提升|增加|上升|增速|增幅|扩大|新增|增)\s*$")
DECREASE_BEFORE = re.compile(r"(?:降低|下降|减少|压减|缩小|削减|减)\s*$")
NOT_FIGURE_BEFORE = re.compile(r"(?:第|前|连续|近|每|年度|[A-Za-z]|[A-Za-z]\s)\s*$")
QUOTED_SPAN_RE = re.compile(r"“[^”]*”|《[^》]*》|\"[^\"]*\"")
CLAUSE_RE = re.compile(r"[，；;]|,(?!\d)")
# A review section tells what the previous period achieved.
REVIEW_TITLE_RE = re.compile(r"发展基础|发展成就|回顾|主要成就|工作成效|基础条件")
PAST_WORDS_RE = re.compile(r"五年来|过去五年|近五年")
FROM_RE = re.compile(r"由\s*$|从\s*$")
# Words around a subject that are not the subject: leads, time phrases, verbs and comparators.
SUBJECT_LEAD_RE = re.compile(
    r"^(?:[和及与并、。]|以上|以下|其中|全区|全市|全县|全省|全国上下|我区|我市|力争|确保|争取|努力|累计|完成|实现|分别|年均|同时|"
    r"到?\s*(?:19|20)\d\d\s*年(?:底|末)?|“?十[一二三四五六七八九]五”?(?:末|期末|时期|期间)?|五年来|期间|以来|[:：])+"
)
SUBJECT_TAIL_RE = re.compile(
    r"(?:分别|年均|累计|均|将|要|降为|降|力争|确保|争取|进一步|稳步|逐步|比?(?:19|20)\d\d\s*年的?|较|(?<!占)比|是|的|为|达到|达|提高到|提高至|提升到|"
    r"提高|提升|增长|增加|上升|降低到|降低|下降到|下降|减少到|减少|降至|增至|突破|控制在|保持在|稳定在|超过|不低于|不少于|不超过|"
    r"约|迈上|实现|共|新增加|\s)+$"
)
# A subject that ends in a verb names its thing after the figure: "创建30条城市管理示范路".
OBJECT_VERB_RE = re.compile(r"(?:建成|新建|引进|选评|投入|培育|建设|创建|打造|完成|实施|新增|提档升级|改造|开展)$")
# "2000年之前建成的小区": a year that bounds the subject is not the time of a figure.
YEAR_BOUND_RE = re.compile(r"\s*年\s*(?:之前|以前|前|之后|以后|后|起)")
RATE_ONLY_RE = re.compile(r"(?:年均)?(?:增速|增幅|增长率|增长)")
CJK2_RE = re.compile(r"[\u4e00-\u9fff].*[\u4e00-\u9fff]")
_CN_NUM = {"两": "二"}


def _cn_value(s: str) -> int:
    return cn_to_int("".join(_CN_NUM.get(c, c) for c in s))


class _Figure:
    __slots__ = ("start", "end", "value", "number", "number_max", "unit", "multiple", "ratio")

    def __init__(self, m: re.Match[str], offset: int) -> None:
        self.start, self.end = m.start() + offset, m.end() + offset
        self.value = re.sub(r"\s+", "", m.group())
        self.number_max: float | None = None
        self.multiple = False
        g = m.groupdict()
        self.ratio = bool(g["ratio"])
        if g["ratio"]:
            self.number, self.unit = float(re.split(r"\s*[:：]\s*", self.value)[0]), "比"  # its first term
        elif g["per"]:
            num, _, per = self.value.partition("/")
            self.number, self.unit = float(num), "/" + per
        elif g["double"]:
            self.number, self.unit, self.multiple = 2.0 ** {"翻番": 1, "翻一番": 1, "翻两番": 2, "翻三番": 3}[self.value], "倍", True
        elif g["half"]:
            self.number, self.unit = 50.0, "%"
        elif g["cn"]:
            self.number, self.unit = float(_cn_value(g["cn"])), g["cnunit"]
            if self.unit == "成":  # 三成: 30%
                self.number, self.unit = self.number * 10, "%"
        elif g["hi"]:
            scale = _MAGNITUDE.get(g["mag"] or "", 1.0)
            self.number, self.number_max = float(g["lo"]) * _MAGNITUDE.get(g["lomag"] or "", scale), float(g["hi"]) * scale
            self.unit = g["unit"]
        else:
            mag = g["mag2"] or ""
            self.number = float(g["num"]) * _MAGNITUDE.get(mag, 1.0)
            self.unit = g["unit2"] or ("" if mag in ("", "万", "亿") else "")
        self.multiple = self.multiple or self.unit == "倍"

    @property
    def has_unit(self) -> bool:
        return bool(self.unit) or self.value.endswith(("万", "亿"))


def _is_year(m: re.Match[str]) -> bool:
    g = m.groupdict()
    if g.get("per"):
        return False
    for key, unit in (("num", "unit2"), ("lo", "unit"), ("hi", "unit")):
        n = g.get(key)
        if n and YEAR_RE.fullmatch(n) and (g.get(unit) in (None, "年") or key == "lo"):
            return True
    return False


def _figures(clause: str, offset: int, quoted: list[tuple[int, int]]) -> list[_Figure]:
    """The figures of one clause; `offset` is the clause's position in the file."""
    out: list[_Figure] = []
    for m in FIGURE_RE.finditer(clause):
        if _is_year(m):
            continue
        fig = _Figure(m, offset)
        before, after = clause[: m.start()], clause[m.end():]
        if any(s <= fig.start < e for s, e in quoted):
            continue
        if m.group("ratio"):
            out.append(fig)
            continue
        if NOT_FIGURE_BEFORE.search(before) or re.match(r"\s*[A-Za-z]", after):
            continue  # 第3, 前20强, 连续6年, 每5年; 5G, S1线, PM2.5
        if m.group("num") and re.match(r"\s*[.、．)）]\s*(?!\d)", after) and not fig.unit:
            continue  # a list number: "1." "2、" "(3)"
        if m.group("num") and re.search(r"[(（]\s*$", before) and re.match(r"\s*[)）]", after):
            continue
        if m.group("cn") == "一" and fig.unit not in ("倍", "个百分点"):
            continue  # 一批, 一个: "one" with a measure word is vague wording, not a counted target
        if m.group("cn") and not (fig.unit in ("倍", "个百分点", "%") or COUNT_VERB_RE.search(before)):
            continue  # 三大主导产业, 四季: Chinese numerals count only after a verb
        if m.group("num") and not fig.has_unit and not LEVEL_VERB_RE.search(before):
            continue  # a bare number is a figure only as a level: "利用系数提高到0.53"
        if m.group("unit2") == "年" and not (LEVEL_VERB_RE.search(before) or re.match(r"\s*(?:以上|以下|左右)", after)):
            if not re.match(r"\s*一遇", after):
                continue  # "15年免费教育", "10年" durations are names of the subject, not figures
        out.append(fig)
    return out


def comparator(before: str, after: str, fig: _Figure) -> Comparator:
    """The comparator, read from the words just before and after the figure."""
    if fig.number_max is not None:
        return "range"
    if AT_LEAST_AFTER.match(after):
        return "at_least"
    if AT_MOST_AFTER.match(after):
        return "at_most"
    if ABOUT_AFTER.match(after):
        return "about"
    if fig.multiple:
        return "multiple"
    if AT_LEAST_BEFORE.search(before):
        return "at_least"
    if AT_MOST_BEFORE.search(before):
        return "at_most"
    if ABOUT_BEFORE.search(before):
        return "about"
    if DECREASE_BEFORE.search(before) or fig.value == "一半" and re.search(r"(?:降低|下降|减少|减)\s*$", before):
        return "decrease"
    if INCREASE_BEFORE.search(before) and not re.search(r"新增\s*$", before):
        return "increase"
    return "reach"


def _subject(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    text = BASE_YEAR_RE.sub("", text)
    prev = None
    while prev != text:
        prev = text
        text = SUBJECT_LEAD_RE.sub("", text)
        if not RATE_ONLY_RE.fullmatch(text):
            text = SUBJECT_TAIL_RE.sub("", text)
    return text.strip("，,；;、:：的。")


def _period_end(name: str) -> int | None:
    n = period_number(name)
    return period_years(n)[1] if n else None


def _years(text: str, quoted: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    """(position, year) of the years said in `text` that are not a comparison's base and not in quotes."""
    base = [(m.start(), m.end()) for m in BASE_YEAR_RE.finditer(text)]
    out: list[tuple[int, int]] = []
    for m in YEAR_RE.finditer(text):
        pos = m.start()
        if any(s <= pos < e for s, e in base) or any(s <= pos + offset < e for s, e in quoted):
            continue
        if YEAR_BOUND_RE.match(text[m.end():]):
            continue
        if re.match(r"\s*(?:年|-|—)", text[m.end():]) or re.search(r"到\s*$", text[:pos]):
            out.append((pos, int(m.group())))
    for m in PERIOD_TIME_RE.finditer(text):
        if not any(s <= m.start() < e for s, e in base):
            end = _period_end(m.group(1) + "五")
            if end:
                out.append((m.start(), end))
    return sorted(out)


def _base_year(clause_before: str) -> int | None:
    matches = list(BASE_YEAR_RE.finditer(clause_before))
    if not matches:
        return None
    m = matches[-1].group()
    y = YEAR_RE.search(m)
    return int(y.group()) if y else _period_end(m)


def chunk_indicators(chunk: Chunk, source: str, profile: Profile | None, review: bool) -> Iterator[Indicator]:
    para = source[chunk.start: chunk.end]
    quoted = [(m.start() + chunk.start, m.end() + chunk.start) for m in QUOTED_SPAN_RE.finditer(para)]
    start_year = profile.start_year if profile else None
    carried_year: int | None = None  # a year said earlier in the paragraph ("2020年,全区…。…")
    for sent in chunk.sentences:
        s_text = source[sent.start: sent.end]
        s_years = _years(s_text, quoted, sent.start)
        past = bool(PAST_WORDS_RE.search(s_text))
        subject = ""
        pos = 0
        for clause_m in [*CLAUSE_RE.finditer(s_text), None]:
            c_end = clause_m.start() if clause_m else len(s_text)
            c_start, pos = pos, (clause_m.end() if clause_m else len(s_text))
            clause = s_text[c_start:c_end]
            figs = _figures(clause, sent.start + c_start, quoted)
            seg = 0
            base_value: str | None = None
            for i, fig in enumerate(figs):
                f0, f1 = fig.start - sent.start - c_start, fig.end - sent.start - c_start
                before, after = clause[:f0], clause[f1:]
                nxt = figs[i + 1] if i + 1 < len(figs) else None
                if nxt and VERB_RE.search(clause[f1: nxt.start - sent.start - c_start]) and not VERB_RE.search(before[-3:]):
                    if FROM_RE.search(before):
                        base_value = fig.value  # "由X提高到Y": X is Y's base
                    seg = f1
                    continue
                own = _subject(clause[seg:f0])
                tail = _subject(re.sub(r"^\s*(?:以上|以下|以内|左右|的)", "", after))
                if tail and CJK2_RE.search(tail) and (not own or own.endswith("等") or OBJECT_VERB_RE.search(own)):
                    own = tail
                elif own.endswith("等"):
                    own = own[:-1]
                if fig.ratio:  # "比重由…的 A 调整为 … B": both terms belong to what stands before 由/从
                    own = re.split(r"[由从]", own)[0] if re.search(r"比|结构", own) else subject or own
                if subject and RATE_ONLY_RE.fullmatch(own):
                    own = subject + own  # "收入50.6亿元,年均增速10.8%": the growth rate of the clause before
                subject = own or subject
                seg = f1
                year = next((y for p, y in reversed(s_years) if p <= c_start + f0), None) or carried_year
                if year is None and s_years and not review:
                    year = s_years[0][1]  # "…，到2025年": a year said after the figure in its sentence
                achieved = (year is not None and start_year is not None and year < start_year) or (
                    year is None and (review or past))
                if year is None:
                    if achieved and start_year:
                        year = start_year - 1
                    elif profile:
                        year = profile.target_year
                q_start, q_end = sent.start + c_start, sent.start + c_end
                yield Indicator(
                    doc=chunk.doc_id, part=chunk.part, chapter=chunk.chapter, section=chunk.section, box=chunk.box,
                    indicator=subject or _subject(clause[:f0]) or clause.strip(), value=fig.value, number=fig.number,
                    number_max=fig.number_max, unit=fig.unit, comparator=comparator(before, after, fig), year=year,
                    base_value=base_value, base_year=_base_year(before), kind="achieved" if achieved else "target",
                    quote=source[q_start:q_end].strip(), start=q_start, end=q_end,
                )
                base_value = None
        if s_years:
            carried_year = s_years[-1][1]


def document_indicators(doc: Document, source: str) -> list[Indicator]:
    """A plan's rows: a table row by its columns (from_tables.py: a picture's grid, or a text table's row
    sentence read back), a table line ingest could not read not at all, everything else by the rules above."""
    titles = {(c.number, s.number): f"{c.title} {s.title}" for c in doc.chapters for s in c.sections}
    records = load_records(Path(doc.source_path)) if doc.source_path else {}
    # An appendix (名词解释, 附表) defines and lists; its figures are no targets of the plan.
    appendix_at = min((c.span.start for c in doc.chapters if c.appendix and c.span), default=len(source) + 1)
    chunks = list(iter_chunks(doc, source))
    tables = text_tables(chunks, source)
    out: list[Indicator] = []
    for i, chunk in enumerate(chunks):
        if chunk.start >= appendix_at:
            continue
        record = records.get(chunk.image.file) if chunk.image else None
        if record is not None and record.table is not None:
            out.extend(row_indicators(chunk, source, record, doc.profile))  # a table row: its grid says it
            continue
        if i in tables:  # a table row written as its sentence at ingest: read back into its cells
            out.extend(sentence_indicators(chunk, source, *tables[i], doc.profile))
            continue
        if unread_table_row(source[chunk.start:chunk.end]):
            continue
        review = bool(REVIEW_TITLE_RE.search(titles.get((chunk.chapter, chunk.section), "")))
        out.extend(chunk_indicators(chunk, source, doc.profile, review))
    return out


def indicators_for(documents: list[Document], sources: dict[str, str]) -> list[Indicator]:
    """Every plan's indicators, in document order. Pure and fast (a regex pass over the parsed chunks)."""
    return [row for doc in documents for row in document_indicators(doc, sources[doc.id])]
