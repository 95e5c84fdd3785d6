"""Follow-up rewriting: "那2035年呢?" after a question on a 2025 target becomes a standalone question.

Rule-based on purpose: no generative model installs offline here, and the follow-ups staff type are
short ellipses (a new year, a new metric or entity) that the previous question completes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jieba.posseg as pseg
from pydantic import BaseModel, Field

from .planlang import CN_YEAR_RE, PERIOD, PERIOD_SHORT_RE, PERIOD_WORD_RE, YEAR_RE, years_in
from .query import NUMBER_CUES, SCOPE_RE, UNIT_Q_RE, asked_units, content_terms, expand_abbreviations

_LEAD = re.compile(r"^\s*(那么|那|还有|另外|再问一下|再问|and then|and|what about|how about|what of)[\s,，、]*", re.I)
# "这个是约束性指标吗?", "该指标…": a question about what the previous one asked.
_POINTS_BACK = re.compile(r"^\s*(这个|这项|这一|该|此项|它)(?!规划|纲要|计划)")
_TAIL = re.compile(r"[\s,，]*(呢|的呢|又如何|怎么样|如何|情况|多少|是多少)?\s*[?？。!！]*\s*$")
_YEAR_WORD = re.compile(r"(到|至|在)?\s*((?:19|20)\d\d|[二][〇零][〇零一二三四五六七八九]{2})\s*年?(底|末)?")
_TIME_WORDS = re.compile(rf"前五年|过去五年|这五年|{PERIOD}|现在|目前|去年|今年|以前|过去|远景|in the past|last five years")


class RewrittenQuery(BaseModel):
    query: str  # standalone question used for retrieval and answering
    focus: list[str] = Field(default_factory=list)  # words the follow-up itself contributed
    # The follow-up's own words, when they say what kind of figure is wanted: the previous
    # question's "what share" or "多少张" belonged to the previous metric.
    asked: str | None = None
    # The question's own words (glossary mapped), without the previous question a follow-up borrows:
    # what decides the reply's language.
    said: str | None = None


def is_followup(question: str, history: list[str]) -> bool:
    if not history:
        return False
    q = question.strip()
    if _LEAD.match(q) or re.search(r"呢\s*[?？]?\s*$", q) or _POINTS_BACK.match(q):
        return True
    if SCOPE_RE.search(q):
        return False  # "第七章讲什么": a question naming its own chapter or section stands alone
    # A message without a content word of its own ("2025年要到多少家?"), or a very short one with a
    # single word, only makes sense with the previous turn.
    terms = content_terms(_YEAR_WORD.sub(" ", q))
    return not terms or (len(q) <= 8 and len(terms) <= 1)


def _places_only(core: str) -> bool:
    words = [w for w in pseg.cut(core) if w.word.strip() and not re.fullmatch(r"\W+", w.word)]
    return bool(words) and all(w.flag == "ns" for w in words)


# Parts of speech that make up a noun phrase (jieba's tags): nouns, abbreviations, idioms, modifiers, places,
# Latin words ("GDP").
_NOMINAL = ("n", "j", "l", "a", "b", "t", "s", "eng")


def _same_head_swapped(core: str, previous: str) -> str | None:
    """The previous question with the noun phrase that the follow-up's noun phrase stands for replaced by
    it: the phrase that ends in the same head noun ("货邮吞吐量" for "旅客吞吐量"), else the one that starts
    with the same word ("单位GDP能耗" for "单位国内生产总值二氧化碳排放"); None when the follow-up is no
    noun phrase or shares neither word with the previous question."""
    new = [w for w in pseg.cut(core) if w.word.strip()]
    if not new or not all(w.flag.startswith(_NOMINAL) for w in new) or not new[-1].flag.startswith("n"):
        return None
    old = list(pseg.cut(previous))

    def nominal(i: int) -> bool:
        return 0 <= i < len(old) and old[i].flag.startswith(_NOMINAL) and bool(old[i].word.strip())

    # (jieba may join a modifier to the head: "年产量" ends in 产量)
    at = max((i for i, w in enumerate(old) if w.word.endswith(new[-1].word)), default=None)
    if at is not None:
        start, end = at, at + 1
    else:
        at = next((i for i, w in enumerate(old) if w.word == new[0].word and len(w.word) >= 2), None)
        if at is None or len(new) < 2:
            return None
        start, end = at, at + 1
        while nominal(end):
            end += 1
    while nominal(start - 1):
        start -= 1
    if "".join(w.word for w in old[start:end]) == core:
        return None
    return "".join(w.word for w in old[:start]) + core + "".join(w.word for w in old[end:])


def _core(question: str) -> str:
    return _TAIL.sub("", _LEAD.sub("", question)).strip()


def rewrite(question: str, history: list[str], in_plans: Callable[[str], bool] | None = None) -> RewrittenQuery:
    """The question as searched: a follow-up made whole, glossary words mapped (see expand_abbreviations)."""
    rq = _rewrite(question, history, in_plans)
    return rq.model_copy(update={"query": expand_abbreviations(rq.query, in_plans),
                                 "said": expand_abbreviations(question, in_plans)})


def _rewrite(question: str, history: list[str], in_plans: Callable[[str], bool] | None) -> RewrittenQuery:
    if not is_followup(question, history):
        return RewrittenQuery(query=question)
    previous = rewrite(history[-1], history[:-1], in_plans).query
    core = _core(question)
    new_years = years_in(core)
    rest = _YEAR_WORD.sub(" ", core).strip()
    if new_years and not content_terms(rest):
        # Only the year changes: put it in place of the previous question's year.
        year = str(new_years[0])
        if years_in(previous):
            swapped = YEAR_RE.sub(year, CN_YEAR_RE.sub(year, previous), count=1)
        else:
            swapped = f"{year}年{previous}"
        return RewrittenQuery(query=swapped, focus=[f"{year}"])
    if PERIOD_WORD_RE.fullmatch(rest) and PERIOD_SHORT_RE.search(previous):
        # Only the period changes ("那“十五五”呢?" after a question on 十四五): in place of the old one.
        period = PERIOD_SHORT_RE.search(rest).group().strip("“”")
        return RewrittenQuery(query=PERIOD_SHORT_RE.sub(period, previous, count=1), focus=[period])
    # A new metric or entity: keep the previous question as the frame, the new words as the focus.
    # When the follow-up brings its own time ("前五年", "十三五", a year), the old year must not stay.
    if new_years or _TIME_WORDS.search(core):
        previous = _YEAR_WORD.sub("", previous)
    # The old measure word belongs to the old metric ("多少幢" → "多少" when asking about 税收 next).
    previous = UNIT_Q_RE.sub("多少", previous)
    # "那澳门呢?" after a question about 香港: a new place takes the old place's role, so the old one goes.
    if _places_only(core):
        previous = "".join(w.word for w in pseg.cut(previous) if w.flag != "ns")
    swapped = _same_head_swapped(core, previous)
    if swapped is not None:
        # "医药健康产业呢?" after "新一代信息技术产业规模要突破多少?": the new 产业 takes the old one's place,
        # so the old one's name no longer draws the sentence that names both.
        return RewrittenQuery(query=swapped, focus=list(content_terms(core)), asked=None)
    core = expand_abbreviations(core, in_plans)  # before the Chinese frame is added: an English core keeps its glossary terms
    # A follow-up that says what kind of figure it wants ("the number of …") replaces the old
    # question's kind ("what share …"); one that only names a new thing ("乡镇那边的呢?") keeps it.
    asked = core if NUMBER_CUES.search(core.lower()) or asked_units(core.lower()) else None
    return RewrittenQuery(query=f"{core} {previous}", focus=list(content_terms(core)), asked=asked)
