"""The extractive answerer: no LLM. It picks the sentence (or clauses) that answer, checks the
question's hard constraints against that evidence, and writes one short reply with its source.

Hand-written because no installable library does grounded extractive QA for Chinese offline;
the scoring is deliberately simple (IDF term coverage + sentence embedding similarity + retrieval rank)
so that every decision can be read off the numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, Field
from pypinyin import lazy_pinyin

from .followup import RewrittenQuery
from .models import Chunk, Citation, Hit, chapter_label, section_label
from .query import CJK_RE, QUOTED_RE, QueryInfo, analyse, asked_units, years_in
from .text import clean, normalise

NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# A stated quantity: a number that is not a year, a name ("5G", "S1") or a list marker, or a Chinese one.
QUANTITY_RE = re.compile(
    r"(?<![A-Za-z\d.])(?!(?:19|20)\d\d(?:\s*年|\s*[-—至到]))\d+(?:\.\d+)?(?!\s*[A-Za-z\d.])"
    r"|(?<![〇零])[一二两三四五六七八九十百千]+(?:个|家|倍|成|项|条|所|座|亿|万|大|类|张|年)|翻番|一半|全覆盖"
)
ENUM_RE = re.compile(r"[、;；]")
CLAUSE_RE = re.compile(r"[^,，;；:：]+[,，;；:：]?")
YEAR_IN_TEXT_RE = re.compile(r"(19|20)\d\d\s*年|二〇")
# "是2015年的1.54倍", "较2015年增长": a comparison's base year is not the year a figure belongs to.
BASE_YEAR_RE = re.compile(r"(是|较|比|与|同)\s*(19|20)\d\d\s*年(的|相比|增长|末|底)?")
DEFINITION_RE = re.compile(r"[“\"]([^”\"]{1,12})[”\"]\s*[:：]")  # "“四基地”: …" defines 四基地
SPECIFIC_IDF = 2.5  # a word rarer than this names a specific thing ("高铁"), not a generic one ("工程")
TITLE_RE = re.compile(r"《[^》]*》")
NAME_RE = re.compile(r"[“《][^”》]{2,40}[”》]")
TIME_LEAD_RE = re.compile(r"^(到|至|力争|预计|“?十四五”?期间|(19|20)\d\d\s*年)")
NEAR_TIE = 0.95  # a runner-up this close to the best sentence is shown with it
MAX_BODY = 150  # characters of quoted text in a reply; the whole reply stays under 300

# A sentence scorer maps a query to cosine similarities for (chunk id, sentence index) pairs.
SentenceScorer = Callable[[str], dict[tuple[str, int], float]]


class Draft(BaseModel):
    answer: str
    found: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)


@dataclass
class Candidate:
    chunk: Chunk
    index: int  # sentence index within the chunk
    rank: int  # the chunk's retrieval rank
    lex: float = 0.0
    dense: float = 0.0
    score: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def sentence(self):
        return self.chunk.sentences[self.index]


def stated_years(text: str) -> list[int]:
    """Years a figure belongs to: not a comparison's base year ("是2015年的1.54倍"), nor the year in a
    document's name ("《健康海州2030行动规划》")."""
    return years_in(BASE_YEAR_RE.sub("", TITLE_RE.sub("", text)))


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def _is_heading(sentence: str, lead: str | None) -> bool:
    text = normalise(sentence).rstrip("。")
    return (lead is not None and text == normalise(lead)) or (len(text) <= 14 and not NUMBER_RE.search(text))


def label(chapter: int, chapter_title: str, section: int | None, section_title: str | None, box: str | None) -> str:
    """"第七章 第三节 着力提升民生保障水平 · 专栏:民生保障重点项目" — the form staff cite."""
    if chapter == 0:
        parts = "序言"
    elif section is None:
        parts = f"{chapter_label(chapter)} {chapter_title}"
    else:
        parts = f"{chapter_label(chapter)} {section_label(section)} {section_title}"
    return parts + (f" · 专栏:{box}" if box else "")


ENGLISH_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()


def english_location(where: Chunk | Citation) -> str:
    """"Chapter Seven, Section Three" for an English reader, spelled out so that every digit in a reply
    is one of the quoted figures; the Chinese label still follows the quote."""
    def word(n: int) -> str:
        return ENGLISH_NUMBERS[n].capitalize() if n < len(ENGLISH_NUMBERS) else str(n)

    if where.chapter == 0:
        return "Preface"
    text = f"Chapter {word(where.chapter)}" + (f", Section {word(where.section)}" if where.section is not None else "")
    return text + (", box" if where.box else "")


def chunk_label(chunk: Chunk) -> str:
    return label(chunk.chapter, chunk.chapter_title, chunk.section, chunk.section_title, chunk.box)


def citation(chunk: Chunk, start: int, end: int, source: str) -> Citation:
    return Citation(
        chapter=chunk.chapter,
        section=chunk.section,
        box=f"专栏:{chunk.box}" if chunk.box else None,
        path=chunk.path,
        quote=source[start:end],
        start=start,
        end=end,
        doc_id=chunk.doc_id,
    )


def numbers_supported(reply: str, quotes: Sequence[str]) -> bool:
    """Every number stated in the reply occurs, as a whole number, in one of its cited quotes."""
    quoted = {n for q in quotes for n in NUMBER_RE.findall(normalise(q))}
    return all(n in quoted for n in NUMBER_RE.findall(normalise(reply)))


class ExtractiveAnswerer:
    def __init__(
        self,
        chunks: Sequence[Chunk],
        sources: dict[str, str],
        sentence_scorer: SentenceScorer | None = None,
        horizon_year: int | None = None,
        titles: Sequence[str] = (),
    ) -> None:
        self.sources = sources
        self.sentence_scorer = sentence_scorer
        self._contexts = {c.id: normalise(self._context(c)) for c in chunks}
        # English questions name places and projects in pinyin ("Jinping Mountain" = 锦屏山).
        self._pinyin = {cid: _pinyin(ctx) for cid, ctx in self._contexts.items()}
        self._n = len(chunks)
        self._corpus = normalise(" ".join(sources.values()))
        self._titles = normalise(" ".join(titles))
        # The plan's own district: the most specific place in its title ("海州区"), never a constraint.
        title_places = re.findall(r"[\u4e00-\u9fff]{2,3}?[区县市]", "".join(titles))
        self._home = {normalise(title_places[-1])} if title_places else set()
        self.horizon_year = horizon_year or self._guess_horizon()
        self._section_year = self._section_years(chunks)
        self._by_section: dict[tuple, list[Chunk]] = {}
        self._boxes: dict[tuple, list[Chunk]] = {}
        for c in chunks:
            self._by_section.setdefault((c.doc_id, c.chapter, c.section), []).append(c)
            if c.box:
                self._boxes.setdefault((c.doc_id, c.chapter, c.section, c.box), []).append(c)

    # ---------------------------------------------------------------- corpus statistics

    @staticmethod
    def _context(chunk: Chunk) -> str:
        return " ".join(filter(None, [chunk.text, chunk.box, chunk.section_title, chunk.chapter_title]))

    def _guess_horizon(self) -> int:
        """The plan's target year: the year most often written as "到 YYYY 年"."""
        years = re.findall(r"到(20\d\d)年", self._corpus)
        return int(max(set(years), key=years.count)) if years else 2025

    @staticmethod
    def _section_years(chunks: Sequence[Chunk]) -> dict[tuple, int]:
        """The year a section mostly speaks of: "发展基础" is about 2020, the targets about 2025."""
        found: dict[tuple, list[int]] = {}
        for c in chunks:
            found.setdefault((c.doc_id, c.chapter, c.section), []).extend(years_in(clean(c.text)))
        return {key: max(set(ys), key=ys.count) for key, ys in found.items() if ys}

    @lru_cache(maxsize=8192)
    def idf(self, term: str) -> float:
        df = sum(1 for ctx in self._contexts.values() if term in ctx)
        if df == 0:
            # A word the plan never uses: weigh it like a rare plan word, so colloquial wording
            # costs coverage but does not by itself sink an answer.
            df = 1
        return math.log((self._n + 1) / (df + 0.5))

    # ---------------------------------------------------------------- scoring

    def _name_weights(self, info: QueryInfo) -> dict[str, float]:
        """Pinyin names of an English question that the plan has, weighted by rarity."""
        weights = {}
        for name in info.names:
            df = sum(1 for p in self._pinyin.values() if name in p)
            if 0 < df <= 0.1 * self._n:  # "Haizhou" is everywhere and tells nothing
                weights[name] = math.log((self._n + 1) / (df + 0.5))
        return weights

    def _pinyin_lexical(self, weights: dict[str, float], cand: Candidate) -> float:
        sent = _pinyin(normalise(cand.sentence.text))
        chunk = self._pinyin[cand.chunk.id]
        got = sum(w if n in sent else 0.5 * w if n in chunk else 0.0 for n, w in weights.items())
        return got / sum(weights.values())

    def _weights(self, info: QueryInfo, rq: RewrittenQuery) -> dict[str, float]:
        focus = {normalise(f) for f in rq.focus}
        # In a follow-up the new words say what is asked; the previous question only frames it.
        other = 0.7 if focus else 1.0
        # An English question's own words never occur in the plan; its glossary terms (query.py) do.
        terms = [t for t in info.terms if CJK_RE.search(t)] if info.english else info.terms
        # "海州区" is what the whole plan is about: in a question it locates nothing.
        terms = [t for t in terms if not any(normalise(t) in h for h in self._home)]
        return {normalise(t): self.idf(normalise(t)) * (2.0 if normalise(t) in focus else other) for t in terms}

    def _lexical(self, weights: dict[str, float], cand: Candidate) -> float:
        if not weights:
            return 0.0
        # A paragraph's lead phrase ("困境青少年关爱工程。") names what every sentence under it is about.
        sent = normalise(cand.sentence.text) + normalise(cand.chunk.lead or "")
        chunk = self._contexts[cand.chunk.id]
        got = 0.0
        for term, w in weights.items():
            if term in sent:
                got += w
            elif term in chunk:
                got += 0.5 * w
        return got / sum(weights.values())

    def _year_problem(self, info: QueryInfo, cand: Candidate) -> str | None:
        """A year the question names must be the year the evidence speaks of."""
        if not info.years:
            return None
        sent_years = self._years_of(clean(cand.sentence.text))
        if not sent_years:
            # A sentence without a year inherits the last year named earlier in its paragraph.
            before = clean(self.sources[cand.chunk.doc_id][cand.chunk.start : cand.sentence.start])
            earlier = self._years_of(before)
            section_year = self._section_year.get((cand.chunk.doc_id, cand.chunk.chapter, cand.chunk.section))
            sent_years = earlier[-1:] if earlier else [section_year] if section_year else []
        for year in info.years:
            if year in sent_years:
                continue
            if year == self.horizon_year and (not sent_years or sent_years == [self.horizon_year]):
                continue  # the plan's targets default to its horizon year
            return f"{year}年"
        return None

    def _years_of(self, text: str) -> list[int]:
        """Years a text speaks of; "“十四五”期间" is the plan's horizon, "“十三五”" the five years before."""
        years = stated_years(text)
        if not years and "十四五" in text:
            years = [self.horizon_year]
        elif not years and "十三五" in text:
            years = [self.horizon_year - 5]
        return years

    def _constraint_problem(self, info: QueryInfo, cand: Candidate) -> str | None:
        """A code, a counted thing or a place the question names must be named in the evidence (a place
        may also be the plan's own district)."""
        ctx = self._contexts[cand.chunk.id]
        if not info.english:
            for code in info.codes:  # "轻轨S2线" is not "轻轨S1": a code is matched exactly
                if normalise(code) not in ctx:
                    return code
        for thing in info.counted:  # "多少个5G基站" is answered by a count of 基站, not of 智能车间
            # (a generic word such as 园区 is often paraphrased: "电商园区" for "电商产业园")
            if self.idf(normalise(thing)) >= SPECIFIC_IDF and normalise(thing) not in ctx:
                return thing
        for name in info.places:
            n = normalise(name)
            if n in self._home or (n in self._titles and any(h in normalise(info.text) for h in self._home)):
                continue
            if n not in ctx:
                return name
        return None

    @staticmethod
    def _defines(info: QueryInfo, text: str) -> bool:
        """The sentence defines ("“X”: …") a term the question names: quoted, or outside its quotes
        ("“一心两带四基地”中的四基地是…" asks about 四基地, not 一心)."""
        outside = QUOTED_RE.sub(" ", info.text)
        for m in DEFINITION_RE.finditer(text):
            term = m.group(1)
            if term in outside or term in info.quoted:
                return True
        return False

    @staticmethod
    def _unit_problem(info: QueryInfo, text: str) -> str | None:
        """"多少张床位" needs a number of 张 in the evidence, "占比多少" a percentage."""
        if not info.units:
            return None
        for unit in info.units:
            if unit == "%":
                if re.search(r"\d\s*%|\d\s*:\s*\d|百分点|百分之|[一二三四五六七八九]成|一半|翻番", text):
                    return None
            elif re.search(rf"(\d|[一二两三四五六七八九十百千万])\s*{unit}", text):
                return None
        return "所问的数量"

    @staticmethod
    def _asked(weights: dict[str, float], chunk: Chunk) -> dict[str, float]:
        """Words of the question that name the section ("指导思想中要坚定实施什么战略?") locate the
        evidence; the remaining words say which clause of it answers."""
        titles = normalise(" ".join(filter(None, [chunk.section_title, chunk.chapter_title, chunk.box])))
        asked = {t: w for t, w in weights.items() if t not in titles}
        return asked if asked else weights

    @staticmethod
    def _focus_window(text: str, weights: dict[str, float]) -> str:
        """The clause that matches the question best, with its neighbours: a figure asked for must
        stand there ("建成1000处晨晚练点,形成“一心百处千点”布局"), not in an unrelated clause."""
        clauses = CLAUSE_RE.findall(text)
        if len(clauses) <= 1:
            return text
        scores = [sum(w for t, w in weights.items() if t in normalise(cl)) for cl in clauses]
        best = max(range(len(clauses)), key=scores.__getitem__)
        return text if scores[best] == 0 else "".join(clauses[max(best - 1, 0) : best + 2])

    def _candidates(self, info: QueryInfo, rq: RewrittenQuery, hits: Sequence[Hit],
                    weights: dict[str, float]) -> list[Candidate]:
        names = self._name_weights(info) if info.english else {}
        dense = self.sentence_scorer(rq.query) if self.sentence_scorer else {}
        cands = []
        for rank, hit in enumerate(hits):
            for i, sent in enumerate(hit.chunk.sentences):
                if i == 0 and len(hit.chunk.sentences) > 1 and _is_heading(sent.text, hit.chunk.lead):
                    continue  # "优化营商投资环境。" heads its paragraph; it states nothing by itself
                c = Candidate(chunk=hit.chunk, index=i, rank=rank)
                if names and weights:
                    c.lex = (self._pinyin_lexical(names, c) + self._lexical(weights, c)) / 2
                else:
                    c.lex = self._pinyin_lexical(names, c) if names else self._lexical(weights, c)
                c.dense = dense.get((hit.chunk.id, i), 0.0)
                text = clean(sent.text)
                focus = self._focus_window(text, weights)
                fit = 0.0
                if info.wants_when:
                    has_year = bool(YEAR_IN_TEXT_RE.search(text))
                    fit = 0.1 if has_year else -0.25
                    if not has_year and not info.english:
                        c.problems.append("具体时间")  # "哪一年通车?" needs a year in the evidence
                elif info.wants_number:
                    has_quantity = bool(QUANTITY_RE.search(focus))
                    fit = 0.1 if has_quantity else -0.25
                    if not has_quantity and not info.english:
                        c.problems.append("具体数字")
                if info.wants_list:
                    fit += 0.1 if len(ENUM_RE.findall(text)) >= 2 else 0.0
                    # "连徐、连淮扬镇等高铁", "…、以商招商等多种招商途径": an enumeration of the very thing asked for
                    if any(w >= SPECIFIC_IDF and re.search(rf"、[^,，;；:：。]{{1,30}}等[^,，;；:：。、]{{0,4}}{re.escape(t)}", text)
                           for t, w in weights.items()):
                        fit += 0.15
                if info.wants_name:
                    fit += 0.1 if NAME_RE.search(text) else 0.0
                if self._defines(info, text):
                    fit += 0.3  # "“四基地”: …" defines the very term the question asks about
                # An English question with none of the plan's terms is matched across languages only,
                # and those similarities sit lower (~0.75 against ~0.88): it gets its own scale.
                floor = 0.70 if info.english and not weights else 0.78
                dense_rel = min(max((c.dense - floor) / 0.12, 0.0), 1.0)
                prior = 1.0 / (1.0 + rank)
                lex_weight = 0.1 if info.english and not (names or weights) else 0.55
                c.score = lex_weight * c.lex + 0.3 * dense_rel + 0.15 * prior + fit
                for problem in (self._year_problem(info, c), self._constraint_problem(info, c), self._unit_problem(info, focus)):
                    if problem:
                        c.problems.append(problem)
                cands.append(c)
        cands.sort(key=lambda c: c.score, reverse=True)
        return cands

    # ---------------------------------------------------------------- composing

    def _clauses(self, text: str, info: QueryInfo, weights: dict[str, float]) -> str:
        """A long sentence is cut to the clauses around the best-matching one (keeping a leading time phrase)."""
        text = clean(text)
        if len(text) <= MAX_BODY:
            return text
        clauses = CLAUSE_RE.findall(text)

        total = sum(weights.values()) or 1.0
        # A clause speaks of its own year, else of the last year named before it in the sentence:
        # "到2025年,…80%以上,到2035年全面消除…" — the clauses after "到2035年" are the 2035 ones.
        clause_years, current = [], []
        for cl in clauses:
            current = stated_years(cl) or current
            clause_years.append(current)

        def score(i: int) -> float:
            n = normalise(clauses[i])
            s = sum(w for t, w in weights.items() if t in n)
            if info.years and clause_years[i]:
                s += total if set(clause_years[i]) & set(info.years) else -total
            return s + (0.5 if info.wants_number and NUMBER_RE.search(clauses[i]) else 0.0)

        best = max(range(len(clauses)), key=score)
        lo, hi = best, best + 1
        while hi < len(clauses) and len("".join(clauses[lo : hi + 1])) <= MAX_BODY and not NUMBER_RE.search(
            "".join(clauses[lo:hi])
        ):
            hi += 1
        # "…受教育年限提高到12年以上,受过高等教育比例达35%以上": a following clause on the question's
        # words belongs to the answer too.
        while hi < len(clauses) and len("".join(clauses[lo : hi + 1])) <= MAX_BODY and any(
            t in normalise(clauses[hi]) for t in weights
        ):
            hi += 1
        if lo > 0 and len("".join(clauses[lo - 1 : hi])) <= MAX_BODY:
            lo -= 1
        body = "".join(clauses[lo:hi])
        if lo > 0 and TIME_LEAD_RE.match(clauses[0]) and len(clauses[0]) + len(body) <= MAX_BODY + 20:
            body = clauses[0] + body
        return body.rstrip(",，;；:：") + ("" if body.endswith(("。", "！", "？")) else "。")

    def _box_list(self, chunk: Chunk, chunks_in_box: list[Chunk]) -> str:
        names = []
        for c in chunks_in_box:
            name = c.lead or clean(re.split(r"[。:：;；]", c.text)[0])
            names.append(name[:24])
        return f"专栏「{chunk.box}」列出：" + "；".join(names) + "。"

    def __call__(self, rq: RewrittenQuery, hits: Sequence[Hit]) -> Draft:
        info = analyse(rq.query)
        if rq.asked is not None:
            info.units = asked_units(rq.asked.lower())
        if info.period and not info.years:
            # "五年后" is the plan's horizon year; "前五年" ends at the year before the plan starts.
            info.years = [self.horizon_year if info.period == "future" else self.horizon_year - 5]
        related = [citation(h.chunk, h.chunk.start, h.chunk.end, self.sources[h.chunk.doc_id]) for h in hits[:3]]
        missing = [p for p in info.places if normalise(p) not in self._corpus]
        missing += [c for c in ([] if info.english else info.codes) if normalise(c) not in self._corpus]
        # An indicator the plan never names ("城镇化率") cannot have a target in it.
        missing += [m for m in info.metrics if normalise(m) not in self._corpus]
        # Nor can it count a thing it never names ("多少个5G基站").
        missing += [w for w in info.counted if normalise(w) not in self._corpus]
        if missing:
            return self._refuse(info, related, f"规划中没有关于“{missing[0]}”的内容")
        if info.ordinal is not None:
            item = self._box_item(info)
            if item is not None:
                return self._item_reply(info, item, related)
        weights = self._weights(info, rq)
        cands = self._candidates(info, rq, self._scoped(info, hits), weights)
        ok = [c for c in cands if not c.problems]
        blocked = [c for c in cands if c.problems]
        dominated = (
            not info.english and blocked and ok[0].lex < 0.5 and max(c.lex for c in blocked) - ok[0].lex >= 0.3
        ) if ok else True
        if dominated:
            # The plan speaks of the topic, but not for the year, place or quantity asked: that is a "no".
            top = max(blocked, key=lambda c: c.lex) if blocked else None
            return self._refuse(info, related, f"规划没有给出{top.problems[0]}的相应内容" if top else None)
        best = ok[0]
        if not self._confident(info, best):
            return self._refuse(info, related, None)
        source = self.sources[best.chunk.doc_id]
        if info.wants_list:
            # "生态修复工程要修哪几个地方?": the question names one 专栏 item; its text is the list.
            named = [c.chunk for c in ok if c.chunk.box and c.chunk.lead and len(normalise(c.chunk.lead)) >= 4
                     and normalise(c.chunk.lead) in normalise(info.text)]
            if named:
                return self._item_reply(info, max(named, key=lambda c: len(c.lead or "")), related)
            # "专栏里列了哪些项目?": when a 专栏's own title carries the question, its items are the answer.
            boxed = [c for c in ok if c.chunk.box]
            top_box = max(boxed, key=lambda c: (self._box_match(info, c.chunk), -c.rank), default=None)
            if top_box and self._box_match(info, top_box.chunk) >= max(0.4, best.lex):
                members = self._box_of(top_box.chunk)
                body = self._box_list(top_box.chunk, members)
                quotes = [citation(c, c.start, c.end, self.sources[c.doc_id]) for c in members]
                return self._reply(info, body, quotes, top_box.chunk, related)
        if info.wants_list and info.chapter is not None:
            led = self._scope_leads(info)
            if led:
                body = "；".join(clean(c.lead or "") for c in led) + "。"
                quotes = [citation(c, c.sentences[0].start, c.sentences[0].end, self.sources[c.doc_id]) for c in led]
                return self._reply(info, body, quotes, led[0], related)
        if info.wants_list and clean(best.sentence.text).endswith((":", "：")):
            # "总体目标是:" introduces the paragraphs that follow; their lead phrases are the list.
            body = self._following_leads(best)
            if body:
                intro = citation(best.chunk, best.sentence.start, best.sentence.end, source)
                quotes = [intro] + [citation(c, c.start, c.end, self.sources[c.doc_id]) for c in self._following(best)]
                return self._reply(info, body, quotes, best.chunk, related)
        chosen = [best]
        partner = next((c for c in ok[1:] if c.chunk.id == best.chunk.id), None)
        runner_up = ok[1] if len(ok) > 1 else None
        if partner and partner.score >= 0.9 * best.score and abs(partner.index - best.index) == 1:
            chosen = sorted([best, partner], key=lambda c: c.index)
        elif (runner_up and runner_up.score >= NEAR_TIE * best.score
              and normalise(runner_up.sentence.text) != normalise(best.sentence.text)):
            # Two sentences score alike: the reader gets both, each with its source, rather than our coin toss.
            chosen = sorted([best, runner_up], key=lambda c: c.sentence.start) if self._same_section(runner_up, best) \
                else [best, runner_up]
        parts = [self._clauses(c.sentence.text, info, self._asked(weights, c.chunk)) for c in chosen]
        if len(chosen) == 2 and not self._same_section(*chosen):
            body = f"{parts[0]}（{chunk_label(chosen[0].chunk)}）{parts[1]}"
        else:
            body = "".join(parts)
        if len(body) > MAX_BODY + 60:
            body = self._clauses(best.sentence.text, info, self._asked(weights, best.chunk))
            chosen = [best]
        quotes = [citation(c.chunk, c.sentence.start, c.sentence.end, self.sources[c.chunk.doc_id]) for c in chosen]
        return self._reply(info, body, quotes, chosen[-1].chunk, related)

    @staticmethod
    def _same_section(a: Candidate, b: Candidate) -> bool:
        return (a.chunk.doc_id, a.chunk.chapter, a.chunk.section) == (b.chunk.doc_id, b.chunk.chapter, b.chunk.section)

    def _item_reply(self, info: QueryInfo, item: Chunk, related: list[Citation]) -> Draft:
        """A whole 专栏 item, cut at a sentence end so that it stays a reply, not a page."""
        end = next((e for _, e in reversed([(x.start, x.end) for x in item.sentences])
                    if e - item.start <= MAX_BODY + 80), item.sentences[0].end)
        source = self.sources[item.doc_id]
        return self._reply(info, clean(source[item.start:end]), [citation(item, item.start, end, source)], item, related)

    def _scoped(self, info: QueryInfo, hits: Sequence[Hit]) -> Sequence[Hit]:
        """"第十章…有哪几个方面?": only that chapter (or 节) can answer; retrieval may have missed it."""
        if info.chapter is None:
            return hits
        def inside(c: Chunk) -> bool:
            if c.chapter != info.chapter:
                return False
            return c.section is None if info.intro else info.section is None or c.section == info.section
        scoped = [h for h in hits if inside(h.chunk)]
        if len(scoped) < 3:
            seen = {h.chunk.id for h in scoped}
            extra = [c for cs in self._by_section.values() for c in cs if inside(c) and c.id not in seen]
            scoped += [Hit(chunk=c, score=0.0) for c in extra]
        return scoped or hits

    def _box_of(self, chunk: Chunk) -> list[Chunk]:
        return self._boxes.get((chunk.doc_id, chunk.chapter, chunk.section, chunk.box), [chunk])

    def _box_item(self, info: QueryInfo) -> Chunk | None:
        """"重大基础设施项目专栏第一项是什么?": the N-th item of the 专栏 the question names (looked up
        among all 专栏 titles, since retrieval ranks items, not boxes)."""
        if not self._boxes:
            return None
        members = max(self._boxes.values(), key=lambda ms: self._box_match(info, ms[0]))
        if self._box_match(info, members[0]) < 0.5:
            return None
        return members[info.ordinal - 1] if info.ordinal and 0 < info.ordinal <= len(members) else None

    def _scope_leads(self, info: QueryInfo) -> list[Chunk]:
        """"第十章包括哪几个方面?": the lead phrases of the named chapter's (or 节's) paragraphs, when
        its paragraphs are led that way and the list is short enough to be a reply."""
        paras = [c for cs in self._by_section.values() for c in cs
                 if c.chapter == info.chapter and not c.box and (info.section is None or c.section == info.section)]
        led = [c for c in paras if c.lead]
        if len(led) < 2 or len(led) < 0.6 * len(paras) or sum(len(c.lead or "") for c in led) > MAX_BODY:
            return []
        return led

    def _following(self, cand: Candidate) -> list[Chunk]:
        """The led paragraphs right after the candidate's paragraph, in the same section."""
        out = []
        for c in self._by_section.get((cand.chunk.doc_id, cand.chunk.chapter, cand.chunk.section), []):
            if c.block_index <= cand.chunk.block_index or c.box:
                continue
            if not c.lead:
                break
            out.append(c)
        return out

    def _following_leads(self, cand: Candidate) -> str:
        leads = [clean(c.lead or "").lstrip("—-") for c in self._following(cand)]
        if len(leads) < 2:
            return ""
        return clean(cand.sentence.text) + "；".join(leads) + "。"

    def _box_match(self, info: QueryInfo, chunk: Chunk) -> float:
        box = normalise(chunk.box or "")
        weights = {normalise(t): self.idf(normalise(t)) for t in info.terms}
        total = sum(weights.values()) or 1.0
        return sum(w for t, w in weights.items() if t in box) / total

    def _confident(self, info: QueryInfo, best: Candidate) -> bool:
        """Is the best evidence about what was asked? Some shared words, and either many of them or a
        sentence embedding close to the question (colloquial wording shares few words but means the same).
        Thresholds set on the known-answer set's score distribution; see eval/baseline.json."""
        if info.english and not any(CJK_RE.search(t) for t in info.terms):
            return best.dense >= 0.74 or best.lex >= 0.5  # no glossary term: only the embedding can judge
        # An English question with the plan's own terms from the glossary is judged as a Chinese one.
        return best.lex >= 0.1 and (best.lex >= 0.3 or best.dense >= 0.885)

    def _reply(self, info: QueryInfo, body: str, quotes: list[Citation], chunk: Chunk, related: list[Citation]) -> Draft:
        reply = f"{body}（{chunk_label(chunk)}）"
        if info.english:
            reply = f"According to the plan ({english_location(quotes[0])}): " + reply
        if not numbers_supported(reply, [q.quote for q in quotes]):  # the whole reply, label included
            return self._refuse(info, related, "答案中的数字无法在原文中核实")
        return Draft(answer=reply, found=True, citations=quotes)

    def _refuse(self, info: QueryInfo, related: list[Citation], reason: str | None) -> Draft:
        where = "；".join(dict.fromkeys(label(r.chapter, "", r.section, "", None).strip() for r in related))
        head = "The plan does not say. " if info.english else ""
        text = f"{head}规划中没有找到能回答这个问题的内容" + (f"（{reason}）" if reason else "") + "。"
        if where:
            text += f"相关内容可参阅：{where}。"
        return Draft(answer=text, found=False, related=related)
