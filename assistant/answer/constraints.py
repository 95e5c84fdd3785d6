"""Hard constraints: what a question names (a year, a place, a code, a counted thing, a unit) must hold
of the evidence, or the evidence does not answer it.

Every check has one signature, `check(info, candidate, focus, stats)` (`focus`: the clause of the
candidate's sentence that matches the question best), and returns the unmet constraint or None; the
answerer runs HARD_CHECKS in order (`problems`). A new constraint is one function added to that list.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Profile
from ..planlang import YEAR_RE
from ..query import QUESTION_CLAUSE_RE, QUESTION_WORD_RE, QueryInfo, expand_abbreviations
from ..tables import ACHIEVED_COLUMN_RE, parse_row_sentence
from ..text import clean, normalise
from .params import SPECIFIC_IDF
from .scoring import Candidate
from .stats import PlanStats, section_key

# "——经济高质量发展取得显著成效。…": a paragraph set as an item of the list before it.
DASH_ITEM_RE = re.compile(r"^\s*[—–-]{1,2}\s*\S")
# Chinese magnitudes stand between a figure and its unit: "18亿亩", "3000万平方米".
_MAGNITUDE = r"\s*[万亿]?\s*"
# A rate is written as a percentage, a ratio, or per 10万 / 千 people ("58/10万", "12‰").
_PERCENT_RE = re.compile(r"\d\s*[%％]|\d\s*:\s*\d|百分点|百分之|[一二三四五六七八九]成|一半|翻番|‰|\d\s*/\s*\d*\s*[万千]")


def missing_from_plans(info: QueryInfo, stats: PlanStats, doc: str | None = None) -> str | None:
    """A place, code, indicator or counted thing no loaded plan (or plan `doc`) names at all: nothing
    there can answer it."""
    text = stats.plan_texts[doc] if doc else stats.corpus
    docs = [doc] if doc else list(stats.plan_texts)
    missing = [p for p in info.places if normalise(p) not in text]
    missing += [c for c in ([] if info.english else info.codes) if normalise(c) not in text]
    # "城镇化率" never named; an indicator in the glossary's words is looked for in them too.
    missing += [m for m in _asked_metrics(info, info.metrics)
                if normalise(m) not in text and not any(normalise(m) in stats.glossed(d) for d in docs)]
    missing += [w for w in info.counted if normalise(w) not in text]  # "多少个5G基站"
    return missing[0] if missing else None


def _asked_metrics(info: QueryInfo, metrics: list[str]) -> list[str]:
    """The indicators named in the clause that asks ("…这五年打算再添几家"), not in one that only describes
    the thing asked about ("科研成果拿去做小批量试验的那种中试平台，…": 批量 is no indicator asked)."""
    asking = [c for c in QUESTION_CLAUSE_RE.split(info.text) if QUESTION_WORD_RE.search(c)]
    return [m for m in metrics if not asking or any(m in c for c in asking)]


def relative_years(period: str, horizon: int) -> list[int]:
    """"五年后" is the plan's horizon year; "前五年" the year before it starts."""
    return [horizon if period == "future" else horizon - 5]


def year_problem(info: QueryInfo, cand: Candidate, focus: str, stats: PlanStats) -> str | None:
    """A year the question names must be the year the evidence speaks of."""
    if not info.years:
        return None
    doc = cand.chunk.doc_id
    horizon = stats.horizon(doc)
    years = relative_years(info.period, horizon) if info.years_relative and info.period and horizon else info.years
    row = parse_row_sentence(cand.sentence.text)
    dated = [col for col in (row[1] if row else {}) if YEAR_RE.search(col)]
    if dated:
        return _row_year_problem(info, years, dated, stats.profiles.get(doc))
    sent_years = stats.years_of(clean(cand.sentence.text), doc)
    key = section_key(cand.chunk)
    main_year = stats.section_year.get(key)
    undated = False
    if not sent_years:
        # A sentence without a year inherits the last year named earlier in its paragraph, else its section's.
        earlier = stats.years_of(clean(stats.sources[doc][cand.chunk.start : cand.sentence.start]), doc)
        undated = not earlier
        sent_years = earlier[-1:] if earlier else [main_year] if main_year else []
    # A target sentence without a year, in a section that names the plan's own period but mostly speaks of
    # a later year (a 主要目标 chapter that looks on to 2035 as well), is a target for the plan's horizon.
    # A section mostly about an earlier year (发展基础, a review of the last period) keeps that year.
    horizon_named = horizon in stats.section_years.get(key, set()) and (main_year is None or main_year > (horizon or 0))
    if undated and horizon_named and DASH_ITEM_RE.match(cand.chunk.text):
        # An undated item ("——…") of such a section's list of targets is a target for the horizon: the
        # later year is said where it applies ("在此基础上…到2035年…"), not lent to every item.
        sent_years = []
    # A 专栏's title dates its items ("科技创新2030—重大项目", "…（2030年）").
    sent_years = sent_years + stats.years_of(clean(cand.chunk.box), doc) if cand.chunk.box else sent_years
    for year in years:
        if year in sent_years:
            continue
        if year == horizon and (not sent_years or sent_years == [horizon] or (undated and horizon_named)):
            continue  # the plan's targets default to its horizon year
        return f"{year}年"
    return None


def _row_year_problem(info: QueryInfo, years: list[int], dated: list[str], profile: Profile | None) -> str | None:
    """A table row gives each figure under its column's year ("2025年完成值 84.38岁，2030年目标值 ≥85岁"): the
    year asked must head a column (its cell may be words: "达到国家要求" is that year's target). A target
    asked for is not met by a column of what was achieved (完成 / 实现 / 实际), nor by a year before the
    plan's own period (its base year)."""
    for year in years:
        target = info.wants_target and year not in info.base_years
        if target and profile and profile.start_year and year < profile.start_year:
            return f"{year}年的目标"
        if not any(str(year) in col and not (target and ACHIEVED_COLUMN_RE.search(col)) for col in dated):
            return f"{year}年"
    return None


# The base of a per-capita indicator is part of its name: 每千人口执业医师数 is not 每万人口全科医师数.
PER_BASE_RE = re.compile(r"每[十百千万]+(?:人口|人|户|名)|人均")  # 人均国内生产总值 is not 国内生产总值
PER_CAPITA_GAP = 4  # characters between 人均 and its indicator's last word ("人均国内生产总值": 国内)


def _per_capita(info: QueryInfo) -> list[str]:
    """The indicators the question names right after "人均" ("人均国内生产总值" → 生产总值)."""
    out = []
    for m in re.finditer("人均", info.text):
        for metric in info.metrics:
            at = info.text.find(metric, m.end())
            if 0 <= at - m.end() <= PER_CAPITA_GAP:
                out.append(metric)
    return out


def named_problem(info: QueryInfo, cand: Candidate, focus: str, stats: PlanStats) -> str | None:
    """A code, a counted thing or a place the question names must be named in the evidence (a place may
    also be the evidence's own plan's place)."""
    ctx = stats.contexts[cand.chunk.id]
    doc = cand.chunk.doc_id
    if not info.english:
        for code in info.codes:  # "轻轨S2线" is not "轻轨S1": a code is matched exactly
            if normalise(code) not in ctx:
                return code
            # A code qualifies the noun after it: a passage on 6G技术 and 5G-A基站 says nothing of "6G基站".
            noun = _noun_after(info.text, code)
            if noun and noun in ctx and normalise(code + noun) not in ctx:
                return code + noun
    for thing in info.counted:  # "多少个5G基站" is answered by a count of 基站, not of 智能车间
        # (a generic word such as 园区 is often paraphrased: "电商园区" for "电商产业园"; so is a compound
        # by another with its head character, which names the kind of thing: "60条街巷" counts 小巷)
        if stats.idf(normalise(thing), doc) >= SPECIFIC_IDF and normalise(thing) not in ctx \
                and not re.search(rf"\d[\d.]*\s*[万亿]?[^\d，。；]{{0,4}}{re.escape(thing[-1])}", focus):
            return thing
    for metric in _per_capita(info):  # "人均国内生产总值" is not 国内生产总值, nor 农村居民人均纯收入
        # (the words between may differ: the glossary says 地区生产总值 where a plan says 国内生产总值)
        if not re.search(rf"人均.{{0,{PER_CAPITA_GAP}}}{re.escape(normalise(metric))}", ctx):
            return f"人均{metric}"
    role = _who_of(info.text)  # "区长是谁": a passage that never says 区长 cannot say who it is
    if role and role not in ctx:
        return role
    for base in PER_BASE_RE.findall(info.text):
        if base not in clean(cand.sentence.text):
            return base
    question = normalise(info.text)
    for name in info.places:
        n = normalise(name)
        if stats.is_home(name, doc):
            continue
        # A wider place in the plan's own title, said together with its home ("某市某区…").
        if n in stats.titles.get(doc, "") and any(h in question for h in stats.homes.get(doc, set())):
            continue
        if n not in ctx:
            return name
    return None


def measure_problem(info: QueryInfo, cand: Candidate, focus: str, stats: PlanStats) -> str | None:
    """A figure is the figure of what its sentence names: a specific indicator the question names ("居民
    消费率", "投入强度", rare in the plan) must be named by the sentence, or by a table row's labels, not
    only somewhere in its chapter (研发经费投入年均增长 is not 投入强度). A generic one ("增长率") may be
    worded otherwise ("国内生产总值增长")."""
    metrics = _asked_metrics(info, info.own_metrics)
    # The most specific only: "生产总值能耗" is not named by a row of 生产总值 二氧化碳排放.
    metrics = [m for m in metrics if not any(m != other and m in other for other in metrics)]
    row = parse_row_sentence(cand.sentence.text) if metrics else None
    if row is None and not (metrics and info.wants_number):
        return None
    # The question's words went through the glossary ("GDP" → 地区生产总值); so do the evidence's.
    label = normalise(expand_abbreviations("".join(row[0]) if row else clean(cand.sentence.text)))
    named = [m for m in metrics if normalise(m) in label]
    if named and row is None and not any(re.search(re.escape(normalise(m)) + FIGURE_AFTER, label) for m in named):
        # The sentence names the indicator but gives its figure to another ("原油年产量稳定在2亿吨左右，
        # 天然气年产量稳步增长"): in plan prose a figure follows its indicator, before the next clause.
        return named[0]
    if named:
        return None
    doc = cand.chunk.doc_id
    return next((m for m in metrics if stats.idf(normalise(m), doc) >= SPECIFIC_IDF), None)


# A figure after an indicator, before the next clause: digits, or Chinese ones with a magnitude ("超百亿元").
# (an enumeration shares the figure after it: "化学需氧量、总磷排放总量分别下降8%")
FIGURE_AFTER = r"[^，,；;。]*?(?:\d|[一二两三四五六七八九十百千]+[万亿])"


def _noun_after(text: str, code: str) -> str | None:
    """The word right after a code in the question ("6G基站" → 基站), when it is a Chinese word."""
    word = _first_word(re.search(re.escape(code) + r"([\u4e00-\u9fff]{2,})", text))
    return normalise(word) if word else None


# Which way a figure moves: a decrease does not answer a question about an increase. "新增" (newly added)
# names no direction of a rate.
UP_RE = re.compile(r"(?<!新)增(?:长|速|加|幅)|提高|提升|上升")
DOWN_RE = re.compile(r"降|减少|下降|压减|削减")


def direction_problem(info: QueryInfo, cand: Candidate, focus: str, stats: PlanStats) -> str | None:
    """A question asking how much something rises ("年均增长目标是百分之几") is not answered by a clause
    that states only a fall (单位国内生产总值二氧化碳排放降低17%), nor the other way round."""
    if not info.wants_number:
        return None
    up, down = bool(UP_RE.search(info.text)), bool(DOWN_RE.search(info.text))
    if up == down:
        return None
    same, other = (UP_RE, DOWN_RE) if up else (DOWN_RE, UP_RE)
    if other.search(focus) and not same.search(focus):
        return "增长" if up else "下降"
    return None


_COUNT_Q_RE = re.compile(r"(?:多少|(?<!哪)几)[名个位人家所处条座项张套台辆]([\u4e00-\u9fff]{2,8})")


def _counted_noun(question: str) -> str | None:
    """The first word after "多少名" ("大学生" of "多少名大学生服务…")."""
    return _first_word(_COUNT_Q_RE.search(question))


# "海淀区区长是谁", "市长现在是哪位": the office whose holder is asked.
OFFICE_ENDINGS = ("长", "书记", "主任", "主席", "负责人")
_WHO_RE = re.compile(r"([\u4e00-\u9fff]{2,}?)(?:现在|目前)?(?:是谁|是哪位|由谁担任)")


def _who_of(question: str) -> str | None:
    """The last word before "是谁" (区长 of "海淀区区长是谁")."""
    import jieba

    m = _WHO_RE.search(question)
    words = [w for w in jieba.cut(m.group(1)) if w.strip()] if m else []
    role = words[-1] if words else ""
    # A person's office only: "牵头单位是谁" may be answered by the organisation a passage names.
    return normalise(role) if len(role) >= 2 and role.endswith(OFFICE_ENDINGS) else None


def _first_word(m: re.Match[str] | None) -> str | None:
    """The first word of a match's group 1, when it is a word of two characters or more."""
    import jieba

    word = next((w for w in jieba.cut(m.group(1)) if w.strip()), "") if m else ""
    return word if len(word) >= 2 else None


UNIT_PROBLEM = "所问的数量"


def unit_problem(info: QueryInfo, cand: Candidate, focus: str, stats: PlanStats) -> str | None:
    """"多少张床位" needs a number of 张 in the clause that answers, "占比多少" a percentage."""
    if not info.units:
        return None
    for unit in info.units:
        if unit == "%":
            if _PERCENT_RE.search(focus):
                return None
        elif re.search(rf"(\d|[一二两三四五六七八九十百千万])({_MAGNITUDE}){re.escape(unit)}", focus):
            return None
        # "多少名大学生" is answered by "50万大学生": after 万/亿 the measure word is often left out.
        if (noun := _counted_noun(info.text)) and re.search(rf"\d\s*[万亿]\s*{re.escape(noun)}", focus):
            return None
        # A table states an indicator's unit once, after its name: "国内生产总值（万亿元）：2015年 67.7".
        if re.search(rf"[（(]\s*{_MAGNITUDE}{re.escape(unit)}\s*[）)]", focus) and re.search(r"\d", focus):
            return None
    return UNIT_PROBLEM


Check = Callable[[QueryInfo, Candidate, str, PlanStats], str | None]
HARD_CHECKS: tuple[Check, ...] = (year_problem, named_problem, measure_problem, direction_problem, unit_problem)


def problems(info: QueryInfo, cand: Candidate, focus: str, stats: PlanStats) -> list[str]:
    """Every constraint of the question that the candidate does not meet, in HARD_CHECKS order."""
    return [p for check in HARD_CHECKS if (p := check(info, cand, focus, stats))]
