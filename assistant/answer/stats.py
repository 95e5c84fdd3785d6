"""What the answerer knows of the loaded plans before any question: word rarity, section years, the
paragraphs of each section and 专栏, and each plan's profile (its own place, its target year)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from ..models import Chunk, Document, Profile
from ..planlang import BASE_YEAR_RE, PERIOD_SHORT_RE, period_number, period_years, stated_years
from ..query import expand_abbreviations
from ..text import clean, normalise, pinyin
from .params import SECTION_YEAR_MENTIONS

SectionKey = tuple[str, int | None, int | None, int | None]  # doc, part, chapter, section
IDF_MEMO = 16384  # words' rarities kept per corpus (a question reads ~50)


def _place_base(place: str) -> str:
    return re.sub(r"(自治区|自治州|地区|省|市|区|县|旗)$", "", place)


def section_key(c: Chunk) -> SectionKey:
    return (c.doc_id, c.part, c.chapter, c.section)


def _context(chunk: Chunk) -> str:
    return " ".join(filter(None, [chunk.text, chunk.box, chunk.section_title, chunk.chapter_title]))


class PlanStats:
    def __init__(self, chunks: Sequence[Chunk], sources: dict[str, str], documents: Sequence[Document]) -> None:
        self.sources = sources
        # Each instance its own memo: a memo on the class would keep every earlier corpus's stats alive
        # (~20 MB at 11 plans) after a reload has replaced them.
        self.idf = lru_cache(maxsize=IDF_MEMO)(self._idf)
        self.contexts = {c.id: normalise(_context(c)) for c in chunks}
        # English questions name places and projects in pinyin ("Jinping Mountain" = 锦屏山).
        self.pinyin = {cid: pinyin(ctx) for cid, ctx in self.contexts.items()}
        self.n = len(chunks)
        self.doc_contexts: dict[str, list[str]] = {}
        for c in chunks:
            self.doc_contexts.setdefault(c.doc_id, []).append(self.contexts[c.id])
        self.plan_texts = {doc: normalise(text) for doc, text in sources.items()}
        self.corpus = " ".join(self.plan_texts.values())
        self._glossed: dict[str, str] = {}
        self.profiles: dict[str, Profile] = {d.id: d.profile for d in documents if d.profile}
        self.titles = {d.id: normalise(d.title) for d in documents}
        # A plan's own place ("某区") locates nothing in a question about it.
        self.homes: dict[str, set[str]] = {}
        for doc_id, p in self.profiles.items():
            if p.place and p.place != "全国":
                self.homes[doc_id] = {normalise(p.place)}
        # A plan's own period ("十四五") names the plan, not a topic within it.
        self.periods = {p.period for p in self.profiles.values() if p.period}
        self.multi = len(documents) > 1
        self.plan_names = {d.id: d.profile.short_name for d in documents if d.profile} if self.multi else {}
        # The year each section mostly speaks of, and every year it names at all.
        self.section_year, self.section_years = self._section_years(chunks)
        self.by_section: dict[SectionKey, list[Chunk]] = {}
        self.boxes: dict[tuple, list[Chunk]] = {}
        for c in chunks:
            self.by_section.setdefault(section_key(c), []).append(c)
            if c.box:
                self.boxes.setdefault((*section_key(c), c.box), []).append(c)

    def glossed(self, doc: str) -> str:
        """The plan's text with the glossary's words mapped as a question's are ("GDP能耗" → 地区生产总值能耗),
        so that a term asked in the mapped words is found however the plan words it. Made on first use."""
        if doc not in self._glossed:
            self._glossed[doc] = normalise(expand_abbreviations(self.sources[doc]))
        return self._glossed[doc]

    def plan_name(self, doc_id: str) -> str | None:
        """The plan's short name for labels, only when several plans are loaded."""
        return self.plan_names.get(doc_id)

    def horizon(self, doc_id: str) -> int | None:
        p = self.profiles.get(doc_id)
        return p.target_year if p else None

    def is_home(self, place: str, doc_id: str) -> bool:
        """"广州市", and "广州地区" / "广州" said of it: the same place with another suffix or none."""
        base = _place_base(normalise(place))
        return any(normalise(place) == h or base == _place_base(h) for h in self.homes.get(doc_id, set()))

    def any_home(self, word: str) -> bool:
        """The word is a loaded plan's own place or part of it ("某某" of "某某区")."""
        return any(normalise(word) in home for homes in self.homes.values() for home in homes)

    @classmethod
    def _section_years(cls, chunks: Sequence[Chunk]) -> tuple[dict[SectionKey, int], dict[SectionKey, set[int]]]:
        """The year a section mostly speaks of: "发展基础" is about the last period's end, targets about its own.
        A named period counts as its last year ("“十二五”时期…" reviews the years to 2015)."""
        found: dict[SectionKey, list[int]] = {}
        for c in chunks:
            if c.image:
                continue  # a picture (box, table, map) has its own caption years; they don't date the section
            text = clean(c.text)
            found.setdefault(section_key(c), []).extend(stated_years(text) + cls._period_years(text))
        years = {key: max(set(ys), key=ys.count) for key, ys in found.items() if ys}
        # One passing mention ("为到2020年…奠定基础") does not make a section speak of that year.
        main = {key: y for key, y in years.items() if found[key].count(y) >= SECTION_YEAR_MENTIONS}
        return main, {key: set(ys) for key, ys in found.items()}

    def _idf(self, term: str, doc: str | None = None) -> float:
        """Rarity of a word in one plan (`doc`) or in all loaded plans. A plan's own rarity is what scores its
        sentences: loading another plan must not change how a plan answers its own questions."""
        contexts = self.contexts.values() if doc is None else self.doc_contexts.get(doc, [])
        n = self.n if doc is None else len(contexts)
        df = sum(1 for ctx in contexts if term in ctx)
        if df == 0:
            # A word the plan never uses: weigh it like a rare plan word, so colloquial wording
            # costs coverage but does not by itself sink an answer.
            df = 1
        return math.log((n + 1) / (df + 0.5))

    def years_of(self, text: str, doc_id: str) -> list[int]:
        """Years a text speaks of; a named period ("“十三五”期间") speaks of its last year."""
        return stated_years(text) or self._period_years(text)[:1]

    @staticmethod
    def _period_years(text: str) -> list[int]:
        # "较“十二五”增长8%": a comparison's base period is not the period the figure belongs to.
        named = [period_number(m.group()) for m in PERIOD_SHORT_RE.finditer(BASE_YEAR_RE.sub("", text))]
        return [period_years(n)[1] for n in named if n and n >= 3]

