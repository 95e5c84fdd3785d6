"""Sentence scoring: IDF-weighted word coverage + sentence-embedding similarity + retrieval rank + fit.

Deliberately simple so that every decision can be read off the numbers (they go into the trace); the
weights are named in params.py.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..followup import RewrittenQuery
from ..models import Chunk, Hit
from ..pictures import LOW_CONFIDENCE
from ..planlang import YEAR_IN_TEXT_RE, stated_years
from ..query import CJK_RE, QUOTED_RE, QueryInfo, expand_abbreviations, place_variants, synonym_pairs
from ..ranking import settled
from ..tables import is_row_sentence
from ..text import clean, normalise, pinyin
from . import params as P
from .grounding import NUMBER_RE
from .stats import PlanStats

# A stated quantity: a number that is not a year, a name ("5G", "S1") or a list marker, or a Chinese one
# ("三个", "八纵八横", "第八轮"); a period's name ("十二五") is not a quantity, nor is 全覆盖 read across
# 健全 ("健全覆盖城乡居民的…体系").
GLOSSED_MEMO = 65536  # sentences and clauses read in the glossary's words, kept across questions (~10 MB)
QUANTITY_RE = re.compile(
    r"(?<![A-Za-z\d.])(?!(?:19|20)\d\d(?:\s*年|\s*[-—至到]))\d+(?:\.\d+)?(?!\s*[A-Za-z\d.])"
    r"|(?<![〇零])[一二两三四五六七八九十百千]+(?:个|家|倍|成|项|条|所|座|亿|万|大|类|张|年|纵|横|轮|批)|翻番|倍增|一半|(?<!健)全覆盖"
    # A magnitude alone is one of it: "税收亿元以上楼宇", "千亿级产业集群".
    r"|[百千万]?亿(?:元|级)"
)
ENUM_RE = re.compile(r"[、;；]")
CLAUSE_RE = re.compile(r"[^,，;；:：]+[,，;；:：]?")
# A "when" is answered by a year, or by a stage of the plan's period ("在规划实施的中期阶段", "年底前").
DEFINITION_RE = re.compile(r"[“\"]([^”\"]{1,12})[”\"]\s*[:：]")  # "“四基地”: …" defines 四基地
NAME_RE = re.compile(r"[“《][^”》]{2,40}[”》]")

# A sentence scorer maps a query to cosine similarities for (chunk id, sentence index) pairs.
SentenceScorer = Callable[[str], Mapping[tuple[str, int], float]]


@dataclass
class Candidate:
    chunk: Chunk
    index: int  # sentence index within the chunk
    rank: int  # the chunk's retrieval rank
    lex: float = 0.0
    dense: float = 0.0
    score: float = 0.0
    prior: float = 0.0  # the part of the score that is the chunk's retrieval rank
    problems: list[str] = field(default_factory=list)

    @property
    def content(self) -> float:
        """The score without the rank prior: what compares sentences of different plans, whose ranks
        only say which plan retrieval listed first."""
        return self.score - self.prior

    @property
    def sentence(self):
        return self.chunk.sentences[self.index]

    def trace(self) -> dict:
        return {"chunk": self.chunk.id, "sentence": self.index, "text": clean(self.sentence.text)[:60],
                "lex": round(self.lex, 3), "dense": round(self.dense, 3), "score": round(self.score, 3),
                "problems": self.problems}


def is_heading(sentence: str, lead: str | None) -> bool:
    text = normalise(sentence).rstrip("。")
    return (lead is not None and text == normalise(lead)) or (len(text) <= 14 and not NUMBER_RE.search(text))


def term_weights(info: QueryInfo, rq: RewrittenQuery, stats: PlanStats, doc: str | None = None) -> dict[str, float]:
    """IDF weights of the question's words, in plan `doc` (None: all loaded plans)."""
    focus = {normalise(f) for f in rq.focus}
    # In a follow-up the new words say what is asked; the previous question only frames it.
    other = P.FOLLOWUP_FRAME if focus else 1.0
    # An English question's own words never occur in the plan; its glossary terms (query.py) do.
    terms = [t for t in info.terms if CJK_RE.search(t)] if info.english else info.terms
    # A plan's own place ("某区") is what the whole plan is about: in a question it locates nothing.
    terms = [t for t in terms if not stats.any_home(t) and t not in stats.periods]
    weights = {normalise(t): stats.idf(normalise(t), doc) * (P.FOLLOWUP_FOCUS if normalise(t) in focus else other)
               for t in terms}
    # Two words for one thing ("国内生产总值、地区生产总值"): a plan is asked in the one it uses more, so
    # the other's words (地区 of 地区生产总值, for a plan that says 国内生产总值) weigh nothing.
    for a, b in synonym_pairs(rq.query):
        kept, dropped = (a, b) if stats.idf(a, doc) <= stats.idf(b, doc) else (b, a)
        weights = {t: w for t, w in weights.items() if t in kept or t not in dropped}
    return weights


def name_weights(info: QueryInfo, stats: PlanStats) -> dict[str, float]:
    """Pinyin names of an English question that the plans have, weighted by rarity."""
    weights = {}
    # A loaded plan's own place ("Nanjing") picks the plan; it is no name within it.
    homes = {pinyin(place_variants(p.place)[-1]) for p in stats.profiles.values() if p.place}
    for name in info.names:
        if name in homes:
            continue
        df = sum(1 for p in stats.pinyin.values() if name in p)
        if 0 < df <= P.NAME_DF_SHARE * stats.n:  # a name in every paragraph tells nothing
            weights[name] = math.log((stats.n + 1) / (df + 0.5))
    return weights


def _pinyin_lexical(weights: dict[str, float], cand: Candidate, stats: PlanStats) -> float:
    sent = pinyin(normalise(cand.sentence.text))
    chunk = stats.pinyin[cand.chunk.id]
    got = sum(w if n in sent else P.CONTEXT_MATCH * w if n in chunk else 0.0 for n, w in weights.items())
    return got / sum(weights.values())


@lru_cache(maxsize=GLOSSED_MEMO)
def glossed(text: str) -> str:
    """The text normalised, and again in the glossary's words when they differ: evidence is matched in the
    words the question was mapped to ("经济总量" is 地区生产总值), as well as in its own."""
    plain, mapped = normalise(text), normalise(expand_abbreviations(text))
    return plain if mapped == plain else f"{plain} {mapped}"


def _lexical(weights: dict[str, float], cand: Candidate, stats: PlanStats) -> float:
    if not weights:
        return 0.0
    # A paragraph's lead phrase ("困境青少年关爱工程。") names what every sentence under it is about.
    # The sentence is read in the glossary's words too, as the question was ("经济总量" is 地区生产总值).
    sent = glossed(cand.sentence.text) + normalise(cand.chunk.lead or "")
    chunk = stats.contexts[cand.chunk.id]
    got = sum(w if t in sent else P.CONTEXT_MATCH * w if t in chunk else 0.0 for t, w in weights.items())
    return got / sum(weights.values())


def defines(info: QueryInfo, text: str) -> bool:
    """The sentence defines ("“X”: …") a term the question names: quoted, or outside its quotes
    ("“一心两带四基地”中的四基地是…" asks about 四基地, not 一心)."""
    outside = QUOTED_RE.sub(" ", info.text)
    return any(m.group(1) in outside or m.group(1) in info.quoted for m in DEFINITION_RE.finditer(text))


LEAD_CLAUSE_RE = re.compile(r"[:：]\s*$")


def focus_window(text: str, weights: dict[str, float], wanted: re.Pattern[str] | None = None) -> str:
    """The clause that matches the question best, with its neighbours: a figure asked for must stand
    there ("建成1000处晨晚练点,形成“一心百处千点”布局"), not in an unrelated clause. Of clauses that match
    alike, the first with the `wanted` content (a figure, for a number question): a sentence may name the
    thing twice, in its lead and where it counts it ("完善中试验证等平台布局，…，新增30家…中试验证平台")."""
    clauses = CLAUSE_RE.findall(text)
    if len(clauses) <= 1:
        return text
    # (a sentence with no glossary word in it has none in its clauses either: the common case, read once)
    read = glossed if glossed(text) != normalise(text) else normalise
    scores = [sum(w for t, w in weights.items() if t in plain) for plain in map(read, clauses)]
    if LEAD_CLAUSE_RE.search(clauses[0]):
        # "农村土地整治工程：…，补充耕地2000万亩。": a lead names what the whole item is about, so the
        # window is the best of the clauses after it, not the lead and its neighbour.
        rest = max(range(1, len(clauses)), key=scores.__getitem__)
        return text if scores[rest] == 0 else "".join(clauses[rest - 1 : rest + 2])
    top = max(scores)
    tied = [i for i, v in enumerate(scores) if v == top]
    best = next((i for i in tied if wanted and wanted.search(clauses[i])), tied[0])
    return text if scores[best] == 0 else "".join(clauses[max(best - 1, 0) : best + 2])


def _fit(info: QueryInfo, text: str, focus: str, weights: dict[str, float], cand: Candidate) -> float:
    """Bonuses for the kind of content asked for; a missing kind is also a problem (a hard constraint)."""
    fit = 0.0
    if info.wants_when:
        has_year = bool(YEAR_IN_TEXT_RE.search(text))
        fit = P.KIND_FIT if has_year else P.KIND_MISFIT
        if not has_year and not info.english:
            cand.problems.append("具体时间")  # "哪一年通车?" needs a year in the evidence
    elif info.wants_number:
        # A table row's cell may word its target ("完成省定目标", "与经济增长同步"): that is the figure set.
        has_quantity = bool(QUANTITY_RE.search(focus)) or is_row_sentence(cand.sentence.text)
        fit = P.KIND_FIT if has_quantity else P.KIND_MISFIT
        if not has_quantity and not info.english:
            cand.problems.append("具体数字")
    elif not info.wants_list and any(k in text for k in info.kinds):
        # "构建什么样的空间格局": the sentence that names the kind of thing asked for says what it is
        # ("构建“一核双城…”的空间格局"); its neighbours under the same heading only share the topic. (A list
        # names instances, "公租房" for "哪几类房子": LIST_OF_ASKED is its fit.)
        fit = P.KIND_FIT
    if info.wants_list:
        fit += P.LIST_ENUM if len(ENUM_RE.findall(text)) >= 2 else 0.0
        # "连徐、连淮扬镇等高铁", "…、以商招商等多种招商途径": an enumeration of the very thing asked for
        if any(w >= P.SPECIFIC_IDF and re.search(rf"、[^,，;；:：。]{{1,30}}等[^,，;；:：。、]{{0,4}}{re.escape(t)}", text)
               for t, w in weights.items()):
            fit += P.LIST_OF_ASKED
    if info.wants_name:
        fit += P.NAME_FIT if NAME_RE.search(text) else 0.0
    if defines(info, text):
        fit += P.DEFINITION_FIT
    return fit


def score_candidates(info: QueryInfo, rq: RewrittenQuery, hits: Sequence[Hit],
                     weights_for: Callable[[str], dict[str, float]], stats: PlanStats,
                     dense: Mapping[tuple[str, int], float], checks: Callable[[Candidate, str], list[str]]) -> list[Candidate]:
    """Every sentence of the hits, scored with its own plan's word weights (`weights_for(doc)`), with the
    problems `checks(candidate, focus_text)` finds; best first."""
    names = name_weights(info, stats) if info.english else {}
    wanted = QUANTITY_RE if info.wants_number else YEAR_IN_TEXT_RE if info.wants_when else None
    cands = []
    for rank, hit in enumerate(hits):
        weights = weights_for(hit.chunk.doc_id)
        for i, sent in enumerate(hit.chunk.sentences):
            if i == 0 and len(hit.chunk.sentences) > 1 and is_heading(sent.text, hit.chunk.lead):
                continue  # "优化营商投资环境。" heads its paragraph; it states nothing by itself
            c = Candidate(chunk=hit.chunk, index=i, rank=rank)
            if names and weights:
                c.lex = (_pinyin_lexical(names, c, stats) + _lexical(weights, c, stats)) / 2
            else:
                c.lex = _pinyin_lexical(names, c, stats) if names else _lexical(weights, c, stats)
            c.dense = settled(dense.get((hit.chunk.id, i), 0.0))
            text = clean(sent.text)
            focus = focus_window(text, weights, wanted)
            fit = _fit(info, text, focus, weights, c)
            crosslingual = info.english and not weights
            floor = P.DENSE_FLOOR_CROSSLINGUAL if crosslingual else P.DENSE_FLOOR
            dense_rel = min(max((c.dense - floor) / P.DENSE_SPAN, 0.0), 1.0)
            lex_weight = P.LEX_WEIGHT_CROSSLINGUAL if info.english and not (names or weights) else P.LEX_WEIGHT
            c.prior = P.PRIOR_WEIGHT / (1.0 + rank)
            c.score = lex_weight * c.lex + P.DENSE_WEIGHT * dense_rel + c.prior + fit
            if doubtful(hit.chunk):
                c.score -= P.LOW_OCR_PENALTY
            c.lex, c.score = settled(c.lex), settled(c.score)
            c.problems += checks(c, focus)
            cands.append(c)
    # A full key: equal scores are ordered by retrieval rank, then by place in the plan, never by chance.
    cands.sort(key=lambda c: (-c.score, c.rank, c.chunk.doc_id, c.sentence.start))
    return cands


def states_figure(info: QueryInfo, text: str) -> bool:
    """Whether a number question gets a figure from this sentence: for a year asked, in that year's clause
    (a table row's cell may word its target, "2030年目标值完成省定目标", which answers with no figure)."""
    if not info.wants_number:
        return True
    parts = CLAUSE_RE.findall(text)
    return any(QUANTITY_RE.search(c) for c in year_clauses(parts, info.years) or parts)


def year_clauses(parts: Sequence[str], years: Sequence[int]) -> list[str]:
    """Of a sentence's clauses, those that state a figure of one of `years` (of a table row: those years'
    cells; a comparison's base year is no such clause)."""
    return [c for c in parts if set(stated_years(c)) & set(years)]


def doubtful(chunk: Chunk) -> bool:
    """Text OCR read from a picture with low confidence: not to be stated as fact."""
    conf = chunk.image.conf if chunk.image else None
    return conf is not None and conf < LOW_CONFIDENCE


def confident(info: QueryInfo, best: Candidate) -> bool:
    """Is the best evidence about what was asked? Some shared words, and either many of them or a
    sentence embedding close to the question (colloquial wording shares few words but means the same)."""
    if info.english and not any(CJK_RE.search(t) for t in info.terms):
        # no glossary term: only the embedding can judge
        return best.dense >= P.CROSSLINGUAL_CONFIDENT_DENSE or best.lex >= P.CROSSLINGUAL_CONFIDENT_LEX
    # An English question with the plan's own terms from the glossary is judged as a Chinese one.
    return best.lex >= P.CONFIDENT_MIN_LEX and (best.lex >= P.CONFIDENT_LEX or best.dense >= P.CONFIDENT_DENSE)
