"""What a question asks for: its terms, years, places, named things and the kind of answer wanted.

Hand-written because no library parses Chinese questions into these constraints; jieba does the words.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from pathlib import Path
from functools import lru_cache

import jieba
import jieba.posseg as pseg
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from .models import Profile

from .gazetteer import bare_places
from .planlang import CN_YEAR_RE, YEAR_RE, named_periods, period_years, plan_periods, stated_years, years_in
from .text import clean, normalise, pinyin

jieba.setLogLevel(logging.WARNING)

CODE_RE = re.compile(r"(?<![A-Za-z0-9.])(?:[A-Za-z]{1,3}\d{1,3}|\d{1,3}[A-Za-z]{1,2})(?![A-Za-z0-9])")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
QUOTED_RE = re.compile(r"[“\"《「]([^”\"》」]{2,30})[”\"》」]")


def _cues(chinese: str, english: str) -> re.Pattern[str]:
    # English cues are whole words ("rate" is not in "strategic"), inflected or not ("targeted").
    return re.compile(rf"{chinese}|(?<![a-z])(?:{english})(?:s|es|ed)?(?![a-z])")


LIST_CUES = _cues(r"哪些|哪几|哪[三四五六七八九十\d]+[个项类条方大]|几个方面|几方面|有几个|包括什么|包含什么|包括哪|都有什么|分别是|列出|列举"
                  # "专栏里有啥": what a 专栏 holds is its items.
                  r"|专栏[里中内]?[都还]?(?:有|包括|包含|列了|写了)?(?:什么|啥)"
                  # "四个战略重点是什么", "“两城”指什么": what a counted set is, is its members.
                  r"|(?:(?<![第十一二三四五六七八九\d])[两二三四五六七八九十][个大项条种类]|“[两二三四五六七八九十](?![十一二三四五六七八九])"
                  r"|[那这]几[种个类项条大])[\u4e00-\u9fff“”\"]{1,12}(?:是|指|都是|分别指)(?:什么|啥|哪)",
                  r"which (?:are|projects|ones)|what are|list")
NUMBER_CUES = _cues(
    r"多少|(?<!哪)几[个家所条座项名人万亿%年倍]|几成|比例|比重|占比|百分之|增速|增长率|率[是为达]?[多几]|达到多|目标值|规模",
    r"how (?:many|much|large|big|deep|high|long|far|fast)|number of|"
    r"what (?:percentage|share|proportion|rate|number|size|level)|target|figure|percent|rate",
)
NAME_CUES = _cues(r"叫什么|什么名|名字|名称|哪个|哪项|什么(?:工程|计划|行动|项目|模式|机制|办法|要求|经验|战略|品牌|清单|口号|方针)",
                  r"which|what is the name|called")
WHEN_CUES = _cues(r"什么时候|何时|哪一年|哪年|哪几年", r"when|what year")
ENGLISH_RE = re.compile(r"[A-Za-z]")

SCOPE_RE = re.compile(r"第\s*([一二三四五六七八九十\d]{1,3})\s*章(?:\s*第\s*([一二三四五六七八九十\d]{1,3})\s*节)?")
PART_SCOPE_RE = re.compile(r"第\s*([一二三四五六七八九十\d]{1,3})\s*篇")


def _number(s: str) -> int:
    from .parsing import cn_to_int

    return int(s) if s.isdigit() else cn_to_int(s)


NAME_WORD_RE = re.compile(r"\b[A-Z][a-z]+\b")  # "Jinping", "Nanhu": pinyin names in an English question
METRIC_RE = re.compile(r"(率|额|量|数|值|比重|指数|强度|能耗)$")
# "建设多少个5G基站?": the thing counted follows the question word and its measure word.
COUNTED_RE = re.compile(r"(?:多少|(?<!哪)几)[个家所条座项处名张套台辆栋幢亩]([\u4e00-\u9fffA-Za-z\d]{2,12})\s*(?:[?？。,，!！]|$)")
# "构建什么样的空间格局", "哪几类企业": the noun after the question word is the kind of thing the answer is;
# "什么水平", "什么程度" ask how far something goes, which the answer states without the word.
ASKED_KIND_RE = re.compile(r"(?:什么样的?|什么|哪些|哪[一二两三四五六七八九十几\d]*[个项类条种大家所座])([\u4e00-\u9fff]{2,12})")
DEGREE_WORDS = frozenset({"水平", "程度", "幅度", "力度"})
# "每千人口药师数": a per-head indicator counts the thing named before its 数 / 量.
PER_HEAD_RE = re.compile(r"每[一二两三五十百千万]+(?:个)?(?:人口|人|户|名)(?:拥有的?|的)?([\u4e00-\u9fffA-Za-z\d]{2,12}?)(?:拥有)?[数量]")
# "哪四个“更加注重”", "哪三大枢纽": the question states how many there are.
COUNT_RE = re.compile(r"哪\s*([两三四五六七八九十]{1,3}|\d{1,2})\s*[个项类条大方]")
ORDINAL_RE = re.compile(r"第\s*([一二三四五六七八九十\d]{1,3})\s*[项条个]")
# "专栏一共列了多少项?", "列了几个领域": how many items a 专栏 or table lists (a verb of listing before the
# count; "建设多少个基站" counts a thing the plan builds, not its items).
ITEM_COUNT_RE = re.compile(r"(?:多少|几)\s*项|(?:列|列出|包括|包含|分为|分成|涵盖)了?\s*(?:多少|几)\s*个?\s*"
                           r"(?:类|大类|方面|领域|方向|部分|板块|重点)")
QUESTION_WORD_RE = re.compile(r"哪|什么|多少|几|啥|怎")
STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 有 要 将 把 被 对 为 等 中 里 上 下 呢 吗 吧 啊 呀 嘛 么 那 那么 这 这个 那个 哪 哪些 哪个 哪几 几 多少
    什么 怎么 怎样 如何 是否 有没有 是不是 能 会 可以 请问 请 一下 我们 我 你 他 它 们 咱们 我区 全区 规划 纲要 提到 提出
    说 讲 问 给 到 达到 目标 计划 要求 情况 方面 具体 主要 相关 关于 一个 一些 个 家 项 年 时候 时 候 之 其 所 以 而 并 也 还 都 又
    ? ? , , 。 ! ! 、 : : ; ; “ ” " ' ( ) （ ） 《 》 - — … · 多 少 占 达 啥 咋 吗 么 啦 呗 哈 嗯 呃 怎么样 到底 一共 总共 分别 哪儿
    哪里 the a an of to in on for is are was be by what which how many much does do did will and or with at as from that this it its
    plan district year target 专栏 列 列了 列出 包括 包含 里面 这块 那块 点名
    搞 弄 打算 想 准备 当初 最后 要是 得 谁 那边 这边 这里 那里 咱 咱区 本区 区里 大概 大约 差不多 究竟 一般 通常 已经 这些 那些
    个个 东西 样子 啥样 咋样 怎么弄 尽量 能够 应该 需要 是啥 叫啥 看看 想知道 知道 告诉 目标值 数值 指标值""".split()
)


# Measure words a "多少X / 几X" question asks for, grouped with the words the plan may use instead.
UNIT_GROUPS = [
    ("张",), ("亩",), ("岁",), ("套",), ("条",), ("公里", "千米"), ("平方米", "万平方米"),
    ("栋", "幢", "座"), ("人", "名", "人次"), ("户", "家"), ("元", "万元", "亿元", "亿"),
    ("个", "家", "处", "所", "座", "项", "户", "台", "辆"),  # "多少个" takes any count of things
    ("微克",), ("吨",), ("千瓦",), ("美元", "万美元", "亿美元"),
]
_Q_UNITS = "美元|张|亩|公顷|岁|套|条|公里|千米|平方米|立方米|栋|幢|座|人次|人|名|户|钱|元|个|所|处|项|家|台|辆|微克|吨|千瓦"
# "多少亿人" asks for 人 counted in 亿 (a magnitude, as tables write "（亿人）"); "多少亿" alone asks for money.
UNIT_Q_RE = re.compile(rf"(?:多少|(?<!哪)几)(?:[万亿](?=(?:{_Q_UNITS})))?({_Q_UNITS}|亿)")
# "总投资是多少": an amount of money is asked for even without "多少钱".
MONEY_Q_RE = re.compile(r"(投资|资金|金额|经费|收入|产值|总额|增加值|生产总值)[^,，。?？%]{0,4}(多少|几)")
# "收入年均增长多少": a growth asked without a unit is a rate, not an amount.
# "提高到多少年/岁": a measure word after 多少 says what is asked, so it is no rate.
# ("每年要涨多少": the everyday word for a yearly growth rate)
GROWTH_Q_RE = re.compile(rf"(?:(?:年均|平均)?(?:增长|增速|提高|下降|降低)|每年(?:要|能|平均)?涨)[^,，。?？个件亿万元人]{{0,2}}"
                         rf"(?:多少|几)(?!(?:{_Q_UNITS}|件|年))")
# "多深", "走多远", "how deep": a depth or a distance is a length, whatever words the plan uses for it
# ("12.5米深水航道"). Not 多高/多长/how long/how high: a rate or a time is asked that way too.
LENGTH_Q_RE = re.compile(r"多深|多远|how (?:deep|far|tall)\b")
LENGTH_UNITS = ("米", "千米", "公里")
PERCENT_Q_RE = re.compile(r"百分之|百分点|几成|比例|比重|占比|百分比|率[^,，。?？]{0,4}(?:多少|几)|percentage|share|proportion|percent")
# "研发投入要占地区生产总值多少": what 占 takes is the whole a share is of, not money asked for.
SHARE_Q_RE = re.compile(r"占(?!地(?!区)|用|据|领|有)[^,，。?？]{1,12}?(?:多少|百分之几)"
                        # "农产品加工业与农业总产值比要达到多少": a ratio of two things ("6.3:1"), not money.
                        r"|(?<=[\u4e00-\u9fff])比(?=(?:要|将)?(?:达到|提升到|提高到|提升至|为|是)?(?:多少|几))")


# Relative periods staff say instead of years; the answerer maps them onto the plan's own horizon ("这五年",
# unless a period is named before it: "“十四五”这五年" is that period).
FUTURE_RE = re.compile(r"五年后|今后五年|未来五年|(?<!五)(?<!五”)这五年(?!来|里已|间已)|规划期末|本规划期|in five years")
PAST_RE = re.compile(r"前五年|过去五年|这五年来|前几年|上一?个五年|in the past five years")
# Words that say which level of government a question is about: "全区" and "咱区" speak of a district,
# "全省" of a province. "全国" is not among them: district plans name national things ("全国文明城市").
# 国内生产总值 is the nation's measure: a province or city states its 地区生产总值.
LEVEL_WORDS = {
    # ("县级" ranks units a city plan speaks of as well: 县级市, 县级文明城市)
    "区县": re.compile(r"(?:全|我|咱|本|我们|咱们)[区县]|[区县]里|区级"),
    "市": re.compile(r"(?:全|我|咱|本|我们|咱们)市|市里"),
    "省": re.compile(r"(?:全|我|咱|本|我们|咱们)省|省里"),
    "国家": re.compile(r"我国|国家层面|国家规划|全国规划|国内生产总值|national (?:plan|outline)", re.I),
}


class QueryInfo(BaseModel):
    text: str
    terms: list[str] = Field(default_factory=list)  # content words, stopwords removed
    years: list[int] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    quoted: list[str] = Field(default_factory=list)
    wants_list: bool = False
    wants_number: bool = False
    wants_when: bool = False
    wants_name: bool = False
    wants_target: bool = False  # what a plan sets out to reach, not what was reached (TARGET_CUES)
    base_years: list[int] = Field(default_factory=list)  # asked as they stand, not as targets (base_years())
    english: bool = False
    units: list[str] = Field(default_factory=list)  # the evidence must state a quantity in one of these
    codes: list[str] = Field(default_factory=list)  # "S2", "5G": identifiers the evidence must contain
    metrics: list[str] = Field(default_factory=list)  # "城镇化率", "医师数": named indicators
    # The indicators the asker's own words name: a follow-up ("那入托率呢?") changes the earlier one.
    own_metrics: list[str] = Field(default_factory=list)
    counted: list[str] = Field(default_factory=list)  # "多少个5G基站" → 基站, the thing counted
    kinds: list[str] = Field(default_factory=list)  # "什么样的空间格局" → 格局, the kind of thing asked for
    names: list[str] = Field(default_factory=list)  # English questions: romanised names ("jinping")
    part: int | None = None  # "第二篇…": a 篇, alone or holding the chapter named (chapters may restart per 篇)
    chapter: int | None = None  # "第七章…": the question names where to look
    section: int | None = None
    intro: bool = False  # "第四章开篇…": the chapter's own text before its first 节
    period: str | None = None  # "future" (五年后) or "past" (前五年): a year relative to the plan
    # `years` were read from `period` against one plan's horizon: each plan is held to its own
    years_relative: bool = False
    periods: list[int] = Field(default_factory=list)  # five-year periods named as a time: "十三五时期" → 13
    ordinal: int | None = None  # "专栏第一项是什么?": the N-th item of a 专栏
    item_count: bool = False  # "…一共列了多少项?": how many items
    count: int | None = None  # "哪四个“更加注重”": how many items the question says there are


def _scope(text: str) -> tuple[int | None, int | None]:
    m = SCOPE_RE.search(text)
    if not m:
        return None, None
    return _number(m.group(1)), _number(m.group(2)) if m.group(2) else None


def asked_units(text: str) -> list[str]:
    """The measure words a question asks its figure in ("多少张" → 张, "占比" → %), with the plan's alternatives."""
    units: list[str] = []
    text = re.sub(r"(多少|几)个亿", r"\1亿", text)  # "多少个亿" asks for money, not a count
    text = re.sub(r"(多少|几)个百分点", r"\1百分点", text)  # nor "多少个百分点" a count: a share
    for u in UNIT_Q_RE.findall(text):
        u = "元" if u in ("钱", "亿") else "美元" if u.endswith("美元") else u
        # Every group that holds the word: "多少家" is answered by "2000家" or by "2000个" (the general count).
        units += [w for g in UNIT_GROUPS if u in g for w in g] or [u]
    growth, share = GROWTH_Q_RE.search(text), SHARE_Q_RE.search(text)
    if MONEY_Q_RE.search(text) and not growth and not share:
        units += next(g for g in UNIT_GROUPS if "元" in g)
    if PERCENT_Q_RE.search(text) or growth or share:
        units.append("%")
    if LENGTH_Q_RE.search(text):
        units += LENGTH_UNITS
    return list(dict.fromkeys(units))


@dataclass(frozen=True)
class Glossary:
    """glossary.json, compiled: what replaces words in a Chinese question, what an English one appends."""

    replace: dict[str, str]  # lower-cased key → the plan's word ("gdp" → 地区生产总值, 写字楼 → 楼宇)
    replace_re: re.Pattern[str]  # all keys, longest first, so that "留守娃" is not also read as "娃"
    english: list[tuple[re.Pattern[str], str]]


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    data = json.loads((Path(__file__).with_name("glossary.json")).read_text(encoding="utf-8"))
    return compile_glossary({**data["abbreviations"], **data["colloquial"]}, data["english"])


def compile_glossary(chinese: dict[str, str], english: dict[str, str]) -> Glossary:
    """Word → the plan's word, for a Chinese question (`chinese`) and an English one (`english`)."""
    replace = {k.lower(): v for k, v in chinese.items()}
    keys = sorted(replace, key=len, reverse=True)
    # English keys are whole words, plural or past forms included ("park" is not "parking").
    patterns = [(re.compile(rf"(?<![A-Za-z]){re.escape(k)}(?:s|es|ed|d)?(?![A-Za-z])", re.I), v)
                for k, v in english.items()]
    return Glossary(replace=replace, replace_re=re.compile("|".join(map(re.escape, keys)), re.I), english=patterns)


def plan_word_test(sources: Iterable[str]) -> Callable[[str], bool]:
    """`in_plans(word)`: does any of these plan texts use the word?"""
    texts = list(sources)
    return lambda word: any(word in t for t in texts)


def expand_abbreviations(text: str, in_plans: Callable[[str], bool] | None = None) -> str:
    """"GDP" → "地区生产总值", "写字楼" → "楼宇": the plan's own word, so BM25 and the term checks can match it.

    `in_plans` says which words the loaded plans use. The glossary maps the words of one level of
    government to another's (a district says 地区生产总值 where the national outline says 国内生产总值,
    大学生 where a district says 高校毕业生): a key that a loaded plan itself uses is that plan's word, so it
    stays, followed by the mapped word when a loaded plan uses that too."""
    g = glossary()
    if not CJK_RE.search(text):
        # An English question keeps its words (the multilingual embedding reads them); the plan's
        # own terms are appended so that word matching has something to hold on to.
        extra = [g.replace[m.group().lower()] for m in g.replace_re.finditer(text)]
        extra += [v for pattern, v in g.english if pattern.search(text)]
        return " ".join([text, *dict.fromkeys(extra)])
    def mapped(m: re.Match[str]) -> str:
        key, word = m.group(), g.replace[m.group().lower()]
        if in_plans is None or not in_plans(key):
            return word
        return f"{key}{SYNONYM_JOIN}{word}" if in_plans(word) else key

    return g.replace_re.sub(mapped, text)


SYNONYM_JOIN = "、"


def synonym_pairs(query: str) -> list[tuple[str, str]]:
    """The (key, mapped word) pairs expand_abbreviations kept side by side: two words for one thing."""
    g = glossary()
    return [(normalise(m.group()), normalise(g.replace[m.group().lower()]))
            for m in g.replace_re.finditer(query)
            if query[m.end():].startswith(SYNONYM_JOIN + g.replace[m.group().lower()])]


def named_plans(text: str, profiles: dict[str, "Profile"], said: str | None = None) -> list[str]:
    """Ids of the loaded plans a question names by place ("某区…"), level ("全区…") or period ("十三五规划…",
    "“十五五”主要指标…").

    A place outranks a period: "某区十三五期间…" asks the district's plan about its past, not the national
    13th outline. A question that names none may still point to plans by its time (dated_plans; `said`:
    the asker's own words of a follow-up). With one plan loaded nothing is named: it answers everything."""
    if len(profiles) < 2:
        return []
    lower = text.lower()
    by_place = [d for d, p in profiles.items()
                if p.place and p.level != "国家" and (any(v in text for v in place_variants(p.place))
                                                     or _romanised_in(p.place, lower))]
    if not by_place:
        levels = {level for level, words in LEVEL_WORDS.items() if words.search(text)}
        by_place = [d for d, p in profiles.items() if p.level in levels]
    words = text if said is None else said
    # A period named alone is its plan, unless the question asks what was reached in it (dated_plans).
    periods = plan_periods(text, bare=asked_for(words) != "achieved")
    # A plan does not report its own outcome: a clause asking what its period reached ("…目标是多少，实际
    # 达到了多少") is answered by the plan of the next period, which looks back on it.
    if any(asked_for(c) == "achieved" for c in QUESTION_CLAUSE_RE.split(words)):
        periods |= {n + 1 for n in periods}
    by_period = [d for d, p in profiles.items() if p.period_number in periods]
    if by_place:
        # Of the plans of a place or level, those of the period named, else of the time asked about.
        narrower = by_period or dated_plans(text, profiles, said)
        return [d for d in by_place if d in narrower] or by_place
    return by_period or dated_plans(text, profiles, said)


def boxed_plans(text: str, boxes: dict[str, set[str]], sources: dict[str, str]) -> list[str]:
    """Ids of the plans a question names by one of their 专栏 titles (`boxes`: each plan's titles,
    models.box_title), when it names none otherwise: "专栏“新型基础设施建设”里…", "科技创新2030—重大项目中列出的…".
    A title is its plan's own words. Said with "专栏" or in quotes it names the box; said bare it names it
    only if no other plan writes those words (`sources`: each plan's text): "碳达峰碳中和" is a 专栏 of one
    plan and a phrase of many. Naming every loaded plan names none."""
    says_box = "专栏" in text
    found = []
    for doc, titles in sorted(boxes.items()):
        for title in sorted(t for t in titles if t and t in text):
            marked = says_box or bool(re.search(rf"[“\"]{re.escape(title)}[”\"]", text))
            if marked or not any(title in src for other, src in sources.items() if other != doc):
                found.append(doc)
                break
    return found if len(found) < len(sources) else []


# What a plan sets out to reach ("…目标是多少", "要达到", "力争") and what was reached ("完成了", "实际").
# "by 2030" sets a deadline; "by how much" asks a degree.
TARGET_CUES = _cues(r"目标|(?<![主需只])要|力争|争取|计划|打算|预期|确保|将",
                    r"target|aim|goal|plan to|should|expected|by(?=\s+(?:the end|end|(?:19|20)\d\d))")
ACHIEVED_CUES = _cues(r"了|已经|已|实际|完成值|实现值|成效|成就|成绩", r"achieved|reached|was|were|had|actual(?:ly)?")


def asked_for(text: str) -> str | None:
    """"target" or "achieved" when the question says which it asks for, else None."""
    lower = text.lower()
    target, achieved = bool(TARGET_CUES.search(lower)), bool(ACHIEVED_CUES.search(lower))
    return None if target == achieved else "target" if target else "achieved"


QUESTION_CLAUSE_RE = re.compile(r"[，,；;？?。！!]")  # a question's clauses, each asking one thing


def base_years(text: str) -> list[int]:
    """Years asked in a clause of their own that does not ask for a target while another clause does:
    "2025年是多少，2030年要到多少" asks 2025 as it stands (a table's base-year column) and 2030 as a target."""
    clauses = [c for c in QUESTION_CLAUSE_RE.split(text) if years_in(c)]
    kinds = [asked_for(c) for c in clauses]
    if len(clauses) < 2 or "target" not in kinds:
        return []
    return [y for c, kind in zip(clauses, kinds) if kind != "target" for y in years_in(c)]


def dated_plans(text: str, profiles: dict[str, "Profile"], said: str | None = None) -> list[str]:
    """The plans a question's time points to, when it names no plan.

    A fact of every five-year plan: it sets targets for the years of its own period, and looks back on
    the period before it. So a target asked for 2025 ("到2025年…要达到多少", "“十四五”时期…目标") is a
    target of a plan whose period holds 2025; what was achieved by then is told by the plan of the next
    period. A question that says neither, or whose time no loaded plan holds, is not narrowed. A follow-up
    ("那2020年呢?") is read in its own words (`said`): the target the previous question asked about may be
    an achievement in the year it moves to."""
    kind = asked_for(text if said is None else said)
    if kind is None:
        return []
    achieved = kind == "achieved"
    # Asked what was reached, a period named alone ("“十四五”实际增长了多少") is a time too.
    spans = [period_years(n) for n in named_periods(text, as_time=not achieved) if n >= 3]
    spans += [(y, y) for y in stated_years(text)]
    if not spans:
        return []

    def holds(p: "Profile", first: int, last: int) -> bool:
        if not (p.start_year and p.target_year):
            return False
        if achieved:  # the plan of the next period looks back on it
            return p.start_year - 5 <= first and last < p.start_year
        return p.start_year <= first and last <= p.target_year

    # A time no loaded plan holds (a vision year such as 2035, which plans of two periods look to) says nothing.
    spans = [s for s in spans if any(holds(p, *s) for p in profiles.values())]
    dated = [d for d, p in profiles.items() if spans and all(holds(p, *span) for span in spans)]
    return dated if len(dated) < len(profiles) else []


def _romanised_in(place: str, lower: str) -> bool:
    """An English question spells a place in pinyin without its suffix ("某某区" → "moumou district")."""
    base = place_variants(place)[-1]
    return bool(re.search(rf"\b{pinyin(base)}\b", lower)) if len(base) >= 2 else False


def place_variants(place: str) -> list[str]:
    """"某某区" and "某某": the name is said with or without its administrative suffix."""
    base = re.sub(r"(自治区|自治州|省|市|区|县|旗)$", "", place)
    return [place] + ([base] if len(base) >= 2 else [])


@lru_cache(maxsize=4096)
def content_terms(text: str) -> tuple[str, ...]:
    # Years and "第七章" are constraints, checked separately; as words they would only add noise.
    stripped = ORDINAL_RE.sub(" ", PART_SCOPE_RE.sub(" ", SCOPE_RE.sub(" ", CN_YEAR_RE.sub(" ", clean(text)))))
    words = [w.strip().lower() for w in jieba.cut_for_search(stripped)]
    return tuple(
        w for w in words
        if w and w not in STOPWORDS and not YEAR_RE.fullmatch(w) and not re.fullmatch(r"\W+", w)
        and not QUESTION_WORD_RE.search(w)  # "哪些项目", "几个" ask, they do not describe
    )


PLACE_SUFFIX = ("省", "市", "区", "县", "镇", "乡")


def _places(text: str) -> list[str]:
    """Place names with an administrative suffix ("某某区", "某某县"): jieba tags many plain words as
    places ("东西"), but a word with 区/县/市/镇 after it names somewhere; so does a province's or a
    city's bare name ("深圳")."""
    words = list(pseg.cut(text))
    places = []
    for i, w in enumerate(words):
        if w.flag != "ns" and w.word not in bare_places():
            continue
        name = w.word
        if not name.endswith(PLACE_SUFFIX) and i + 1 < len(words) and words[i + 1].word in PLACE_SUFFIX:
            name += words[i + 1].word
        if (len(name) >= 3 and name.endswith(PLACE_SUFFIX)) or name in bare_places():
            places.append(name)
    return places


def _metrics(text: str, compounds: bool = True) -> list[str]:
    """Named indicators: "城镇化率", and with the word before it, "森林覆盖率" (the plan may have
    覆盖率 of other things only). Not in an English question, whose Chinese words are glossary terms
    side by side, not a phrase."""
    words = [w for w in jieba.cut(text) if w.strip()]
    found = []
    for i, w in enumerate(words):
        if len(w) < 2 or not METRIC_RE.search(w) or w in STOPWORDS:  # "目标值" asks, it names nothing
            continue
        if len(w) >= 3:
            found.append(w)
        before = words[i - 1] if i else ""
        # Only for a rate or an intensity ("投入强度", "生产总值能耗"): before 比重 or 额 usually stands the
        # base or a time ("占地区生产总值比重"), before 数量 or 年数 the everyday word for a count.
        if compounds and w.endswith(("率", "强度", "能耗")) and len(before) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", before) and before not in STOPWORDS:
            found.append(before + w)
    return found


def _head(phrase: str) -> str:
    """The head noun of a Chinese noun phrase is its last word ("带本地味儿的文艺精品" → 精品); a verb
    after it ends the phrase ("老街小巷收拾一遍" → 小巷)."""
    words = [w for w in pseg.cut(phrase) if w.word.strip()]
    # (a verb before a 的 is in a clause that modifies the head: "省里认的电商园区" → 园区)
    verb = next((i for i, w in enumerate(words) if i and w.flag.startswith("v")
                 and not any(x.word == "的" for x in words[i:])), len(words))
    words = words[:verb]
    return words[-1].word if words and len(words[-1].word) >= 2 else ""


MARKUP_RE = re.compile(r"<[^<>]{0,200}>")  # an HTML tag pasted into a question is not English words


def is_english(text: str) -> bool:
    """Whether a question is asked in English: a share of Latin letters, markup left out."""
    text = MARKUP_RE.sub("", clean(text))
    return len(ENGLISH_RE.findall(text)) > len(text) * 0.3


def analyse(question: str, said: str | None = None) -> QueryInfo:
    """`said`: the asker's own words when `question` also holds an earlier question's (a follow-up);
    they alone decide the reply's language."""
    text = clean(question)
    places = _places(text)
    lower = text.lower()
    english = is_english(said if said is not None else text)
    return QueryInfo(
        text=text,
        terms=list(dict.fromkeys(content_terms(text))),
        years=years_in(text),
        places=list(dict.fromkeys(places)),
        quoted=QUOTED_RE.findall(text),
        wants_list=bool(LIST_CUES.search(lower)),
        wants_number=bool(NUMBER_CUES.search(lower)),
        wants_when=bool(WHEN_CUES.search(lower)),
        wants_name=bool(NAME_CUES.search(lower)),
        wants_target=asked_for(said if said is not None else text) == "target",
        base_years=base_years(said if said is not None else text),
        english=english,
        units=asked_units(lower),
        codes=CODE_RE.findall(text),
        metrics=(metrics := _metrics(text, compounds=not english)),
        own_metrics=metrics if said is None else _metrics(clean(said), compounds=not english),
        counted=[_head(m.group(1)) for r in (COUNTED_RE, PER_HEAD_RE) for m in r.finditer(text)
                 if _head(m.group(1)) and not QUESTION_WORD_RE.search(m.group(1))],
        # (of the asker's own words: a follow-up's new subject, not the kind the earlier question asked for)
        kinds=[k for m in ASKED_KIND_RE.finditer(clean(said) if said is not None else text)
               if (k := _head(m.group(1))) and not QUESTION_WORD_RE.search(k)
               and k not in STOPWORDS and k not in DEGREE_WORDS],
        names=[w.lower() for w in NAME_WORD_RE.findall(text)[1:] + NAME_WORD_RE.findall(text)[:0] if len(w) >= 5],
        part=_number(m.group(1)) if (m := PART_SCOPE_RE.search(text)) else None,
        chapter=_scope(text)[0],
        section=_scope(text)[1],
        intro=bool(re.search(r"开篇|开头|导语|总述", text)),
        period="future" if FUTURE_RE.search(lower) else "past" if PAST_RE.search(lower) else None,
        periods=named_periods(text, as_time=True),
        ordinal=_number(m.group(1)) if (m := ORDINAL_RE.search(text)) else None,
        item_count=bool(ITEM_COUNT_RE.search(text)),
        count=_number(m.group(1).replace("两", "二")) if (m := COUNT_RE.search(text)) else None,
    )
