"""The extractive answerer (no LLM), as a thin orchestrator over the parts of this package:

  constraints.missing_from_plans → structure.overview → scoring.score_candidates (+ constraints checks)
  → refusal or the best sentence(s) → replies (compose, grounding: number check, citations) → Draft with a
  trace. This module decides what answers; replies.py writes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..followup import RewrittenQuery
from ..models import Chunk, Citation, Document, Hit, Sentence, box_label
from ..planlang import period_years, years_in
from ..profile import precedence
from ..query import QueryInfo, analyse, asked_units, content_terms
from ..ranking import settled
from ..tables import is_row_sentence
from ..text import clean, normalise
from . import params as P
from .base import Draft
from .compose import clauses, row_cells
from .constraints import DASH_ITEM_RE, UNIT_PROBLEM, missing_from_plans, problems, relative_years
from .scoring import (Candidate, SentenceScorer, confident, name_weights, score_candidates, states_figure,
                      term_weights)
from .stats import PlanStats, section_key
from .replies import Replies, fitting, joined
from .structure import overview

# One plan of several: its id, its answer as it would give it alone, and its trace (with its standing,
# _PLAN_KEYS).
PlanAnswer = tuple[str, Draft, dict]
_PLAN_KEYS = ("content", "figure")  # one plan's standing among several, not the reply's trace


def plans_shown(found: list[PlanAnswer], counted: set[str]) -> list[PlanAnswer]:
    """Of the plans that answer (best content first), those shown: the `counted` ones, and those about as
    good as the best plan that states a figure (a number question is answered by a figure, not by a plan
    that speaks of the topic without one); of these, counted ones first, then those that state a figure."""
    top = next((a for a in found if a[2].get("figure", True)), found[0])[2]["content"]
    shown = [a for a in found if a[0] in counted or a[2]["content"] >= P.OTHER_PLAN_TIE * top]
    return sorted(shown, key=lambda a: (a[0] not in counted, not a[2].get("figure", True)))[:P.MAX_PLANS_SHOWN]


class ExtractiveAnswerer:
    def __init__(self, chunks: Sequence[Chunk], sources: dict[str, str], documents: Sequence[Document],
                 sentence_scorer: SentenceScorer | None = None) -> None:
        self.sources = sources
        self.documents = list(documents)
        self.sentence_scorer = sentence_scorer
        self.stats = PlanStats(chunks, sources, documents)
        self.replies = Replies(sources, self.stats)

    # ---------------------------------------------------------------- the decision

    def __call__(self, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str] = (),
                 history: Sequence[str] = ()) -> Draft:
        """`scope`: the plans the question names (query.named_plans); the hits are already limited to them.
        `history` is not read: the follow-up rewrite has already folded what matters into `rq`."""
        info = self._read(rq, hits)
        trace: dict = {"scope": list(scope), "years": info.years, "units": info.units}
        related = [self.replies.cite(h.chunk, h.chunk.start, h.chunk.end) for h in hits[:3]]
        draft = self._decide(info, rq, hits, scope, related, trace)
        draft.trace = {**trace, **draft.trace}
        return draft

    def _read(self, rq: RewrittenQuery, hits: Sequence[Hit]) -> QueryInfo:
        info = analyse(rq.query, rq.said)
        if rq.asked is not None:
            info.units = asked_units(rq.asked.lower())
        if not info.years:
            # "十三五时期" is that period's last year; "五年后" the plan's horizon; "前五年" the year before it starts.
            doc = hits[0].chunk.doc_id if hits else None
            horizon = self.stats.horizon(doc) if doc else None
            if info.periods:
                # The first period named is the one asked about ("十三五末…比十二五末提高了多少": 十三五).
                info.years = [period_years(info.periods[0])[1]] if info.periods[0] >= 3 else []
            elif info.period and horizon:
                info.years, info.years_relative = relative_years(info.period, horizon), True
        return info

    def _decide(self, info: QueryInfo, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str],
                related: list[Citation], trace: dict) -> Draft:
        missing = missing_from_plans(info, self.stats)
        if missing:
            return self.replies.refuse(info, related, f"规划中没有关于“{missing}”的内容")
        docs = self._docs_in_order(scope, hits)
        found = overview(info, docs, self.stats)
        if found is not None:
            trace["decision"] = "overview from the table of contents"
            if not scope and self.stats.multi:
                # No plan named: the same part of every plan that has one, superior plan first.
                every = [o for d in sorted(docs, key=lambda d: precedence(d.profile))
                         if (o := overview(info, [d], self.stats)) is not None]
                if len(every) > 1:
                    trace["decision"] = f"overview from the table of contents of {len(every)} plans"
                    return self.replies.overviews(info, every, related)
            return self.replies.overview(info, found, related)
        span = self._plan_span(info, scope, hits, related)
        if span is not None:
            trace["decision"] = "the years the plan itself covers"
            return span
        table = self._table_question(info, scope, hits, related, trace)
        if table is not None:
            return table
        named_box = self._named_box(info, hits) if info.ordinal is not None or info.item_count or (
            info.wants_list and "专栏" in info.text) else None
        if named_box and info.ordinal is not None:
            if 0 < info.ordinal <= len(named_box):
                trace["decision"] = "the N-th item of a 专栏"
                return self.replies.item(info, named_box[info.ordinal - 1], related)
        elif named_box:
            # "某某专栏有哪些项目?" / "…一共列了多少项?": the question asks about a 专栏, so its items (and
            # their count) are the answer even when retrieval ranked other sentences first.
            trace["decision"] = "the items of the 专栏 the question names"
            return self.replies.box(info, named_box, related)
        dense = self.sentence_scorer(rq.query) if self.sentence_scorer else {}
        hits = self._named(info, self._scoped(info, hits))
        plans = list(dict.fromkeys(h.chunk.doc_id for h in hits))
        if len(plans) < 2:
            return self._from_sentences(info, rq, hits, dense, related, trace)
        return self._each_plan(info, rq, hits, plans, dense, related, trace)

    def _each_plan(self, info: QueryInfo, rq: RewrittenQuery, hits: Sequence[Hit], plans: list[str],
                   dense: dict, related: list[Citation], trace: dict) -> Draft:
        """Several plans in play (none named, or several named): each answers from its own sentences as it
        would alone, and the reply gives every plan whose answer is about as good as the best one, each with
        its name, rather than letting one plan's general wording hide another's figure."""
        answers, brief = [], {}
        for doc in plans:
            own: dict = {}
            draft = self._from_sentences(info, rq, [h for h in hits if h.chunk.doc_id == doc], dense, related, own,
                                         brief.setdefault(doc, []))
            answers.append((doc, draft, own))
        trace["plans"] = {doc: {"found": d.found, "content": t.get("content"), "figure": t.get("figure"),
                                "decision": t.get("decision"),
                                **({"refusal": d.trace["refusal"]} if "refusal" in d.trace else {})}
                          for doc, d, t in answers}
        found = sorted((a for a in answers if a[1].found), key=lambda a: -a[2]["content"])  # stable: plan order
        if not found:
            doc, draft, own = answers[0]
            trace.update({k: v for k, v in own.items() if k not in _PLAN_KEYS})
            return draft
        # "哪四个“更加注重”": a plan that lists as many of the quoted thing as the question says is the one
        # asked about, however its wording scores.
        counted = {doc for doc, d, _ in found
                   if info.count and info.quoted and d.answer.count(info.quoted[0]) == info.count}
        shown = plans_shown(found, counted)
        if len(shown) == 1:
            trace.update({k: v for k, v in shown[0][2].items() if k not in _PLAN_KEYS})
            return shown[0][1]
        # The best plan's reply as it stands, its place by number; each other plan's in brief (the clauses of
        # its best sentence that answer), so that several fit in one reply.
        lead = brief[shown[0][0]]
        briefs = [lead[1] if len(lead) > 1 else shown[0][1]] + [brief[doc][0] for doc, _, _ in shown[1:]]
        kept = fitting(info, briefs)
        trace["decision"] = f"{len(kept)} plans answer alike: each plan's best sentence"
        return shown[0][1] if len(kept) == 1 else joined(kept)

    def _from_sentences(self, info: QueryInfo, rq: RewrittenQuery, hits: Sequence[Hit], dense: dict,
                        related: list[Citation], trace: dict, brief: list[Draft] | None = None) -> Draft:
        """The answer from the hits' sentences (of one plan, when several are in play); when it answers,
        `brief` gets, from the same scoring, the answer in brief (the clauses of its best sentence that
        answer) and, for a sentence reply, the answer as it stands with its place by number (to lead a reply
        of several plans)."""
        docs = {h.chunk.doc_id for h in hits}
        one = next(iter(docs)) if self.stats.multi and len(docs) == 1 else None
        missing = missing_from_plans(info, self.stats, one) if one else None
        if missing:
            # One plan of several answers as it would alone: a thing it never names, it cannot answer.
            return self.replies.refuse(info, related, f"规划中没有关于“{missing}”的内容")
        weights_by_doc: dict[str, dict[str, float]] = {}

        def weights_for(doc: str) -> dict[str, float]:
            if doc not in weights_by_doc:
                weights_by_doc[doc] = term_weights(info, rq, self.stats, doc)
            return weights_by_doc[doc]

        cands = score_candidates(info, rq, hits, weights_for, self.stats,
                                 dense, lambda c, focus: problems(info, c, focus, self.stats))
        trace["candidates"] = [c.trace() for c in cands[:6]]
        # A sentence that only introduces what follows ("今后五年的主要目标是：", one clause) answers a list
        # question, nothing else.
        ok = [c for c in cands if not c.problems and (info.wants_list or not ANNOUNCEMENT_RE.search(c.sentence.text))]
        blocked = [c for c in cands if c.problems]
        # A sentence without the unit asked ("多少岁") does not outweigh one that has it: it speaks of
        # something else, or of the same thing without the figure.
        rivals = [c for c in blocked if c.problems != [UNIT_PROBLEM]]
        dominated = (not info.english and rivals and ok[0].lex < P.DOMINATED_LEX
                     and max(c.lex for c in rivals) - ok[0].lex >= P.DOMINATED_MARGIN) if ok else True
        if dominated:
            # The plan speaks of the topic, but not for the year, place or quantity asked: that is a "no".
            top = max(blocked, key=lambda c: c.lex) if blocked else None
            return self.replies.refuse(info, related, f"规划没有给出{top.problems[0]}的相应内容" if top else None)
        best = ok[0]
        if not confident(info, best):
            return self.replies.refuse(info, related, None, why="the best sentence is not close enough to the question")
        trace["content"] = settled(best.content)  # across plans: the rank prior left out
        trace["figure"] = states_figure(info, best.sentence.text)
        if info.wants_list:
            listed = self._list_reply(info, best, ok, related, trace)
            if listed is not None:
                if brief is not None:
                    brief.append(listed)
                return listed
        trace["decision"] = "best sentence"
        if brief is not None:
            brief.append(self._sentence_reply(info, best, [best], weights_for, related, limit=P.BRIEF_BODY,
                                              short_label=True, preamble=False))
            brief.append(self._sentence_reply(info, best, ok, weights_for, related, short_label=True))
        return self._sentence_reply(info, best, ok, weights_for, related)

    # ---------------------------------------------------------------- lists

    def _list_reply(self, info: QueryInfo, best: Candidate, ok: list[Candidate], related: list[Citation],
                    trace: dict) -> Draft | None:
        # "生态修复工程要修哪几个地方?": the question names one 专栏 item; its text is the list.
        # "专栏里列了哪些项目?": when a 专栏's own title carries the question, its items are the answer.
        boxed = [c for c in ok if c.chunk.box]
        top_box = max(boxed, key=lambda c: (self._box_match(info, c.chunk), -c.rank), default=None)
        box_named = top_box is not None and self._box_match(info, top_box.chunk) >= max(P.BOX_MATCH, best.lex)
        # An item's lead said inside the named 专栏's title ("重大工程" in "某某重大工程专栏") names the box.
        title = normalise(top_box.chunk.box or "") if box_named else ""
        named = [c.chunk for c in ok if c.chunk.box and c.chunk.lead and len(normalise(c.chunk.lead)) >= 4
                 and normalise(c.chunk.lead) in normalise(info.text) and normalise(c.chunk.lead) not in title]
        if named:
            trace["decision"] = "the 专栏 item the question names"
            return self.replies.item(info, max(named, key=lambda c: len(c.lead or "")), related)
        if box_named:
            trace["decision"] = "the items of the 专栏 the question names"
            return self.replies.box(info, self._box_of(top_box.chunk), related)
        if _is_table_row(best.chunk):
            rows = self._table_rows(info, best.chunk)
            if len(rows) >= 2:
                trace["decision"] = "the rows of the table that match what the question asks"
                body = f"{box_label(best.chunk.box) if best.chunk.box else '表'}中：" + "；".join(
                    clean(c.text).rstrip("。") for c in rows) + "。"
                if len(body) <= P.MAX_LIST_BODY:
                    return self.replies.reply(info, body, [self.replies.cite(c, c.start, c.end) for c in rows], best.chunk, related)
        family = next(((c.chunk, f) for c in ok if len(f := _coined_sharing_quote(info, c.chunk)) >= 2), None)
        if family is not None:
            chunk, coined = family
            trace["decision"] = "the names one paragraph coins that share the words the question quotes"
            body = "；".join(clause for clause, _ in coined) + "。"
            quotes = [self.replies.cite(chunk, start, end) for _, (start, end) in coined]
            return self.replies.reply(info, body, quotes, chunk, related)
        shared = self._items_sharing_quote(info, best)
        if len(shared) >= 2:
            trace["decision"] = "the led items that share the words the question quotes"
            body = "；".join(clean(_item_lead(c)).lstrip("—-") for c in shared) + "。"
            return self.replies.reply(info, body, [self.replies.cite(c, c.start, c.end) for c in shared], shared[0],
                                      related)
        titled = self._titled_section(info, best)
        if len(titled) >= 2:
            trace["decision"] = "the led paragraphs of the 节 whose title the question says"
            body = f"{titled[0].section_title}：" + "；".join(clean(_item_lead(c)).lstrip("—-") for c in titled) + "。"
            return self.replies.reply(info, body, [self.replies.cite(c, c.start, c.end) for c in titled], titled[0],
                                      related)
        # A list question is answered by a sentence that announces a list as well as by any it ties with.
        intro = next((c for c in ok if c.lex >= best.lex and INTRODUCES_RE.search(clean(c.sentence.text))
                      and len(self._following(c)) >= 2), None)
        if intro is not None:
            # "总体目标是:" or "要实现以下目标。" introduces the paragraphs that follow; their lead phrases
            # (or, for "——…" items, their first sentences) are the list.
            following = self._following(intro)
            trace["decision"] = "the led paragraphs a colon introduces"
            body = clean(intro.sentence.text) + "；".join(clean(_item_lead(c)).lstrip("—-") for c in following) + "。"
            quotes = [self.replies.cite(intro.chunk, intro.sentence.start, intro.sentence.end)]
            quotes += [self.replies.cite(c, c.start, c.end) for c in following]
            return self.replies.reply(info, body, quotes, intro.chunk, related)
        topics = _parallel_topics(best)
        if len(topics) >= 2:
            # "聚力推动…未来产业创新发展。量子科技产业，推进…。核聚变能产业，…": the sentences after the best
            # one open with topics of one kind (one head noun); those topics are the list.
            trace["decision"] = "the parallel topics that open the sentences after the best one"
            body = clean(best.sentence.text).rstrip("。") + "：" + "；".join(t for t, _ in topics) + "。"
            last = topics[-1][1]
            quote = self.replies.cite(best.chunk, best.sentence.start, last.end)
            return self.replies.reply(info, body, [quote], best.chunk, related)
        return None

    # ---------------------------------------------------------------- one or two sentences

    def _sentence_reply(self, info: QueryInfo, best: Candidate, ok: list[Candidate],
                        weights_for: Callable[[str], dict[str, float]], related: list[Citation],
                        limit: int = P.MAX_BODY, short_label: bool = False, preamble: bool = True) -> Draft:
        """The best sentence (with its neighbour or a runner-up that scores alike) cut to the clauses that
        answer, within `limit` quoted characters; `short_label`, `preamble`: as Replies.reply."""
        chosen = [best]
        partner = next((c for c in ok[1:] if c.chunk.id == best.chunk.id), None)
        runner_up = ok[1] if len(ok) > 1 else None
        if RUN_IN_HEADING_RE.match(clean(best.sentence.text)) and best.index + 1 < len(best.chunk.sentences):
            # "二、2050年市域空间格局。" only names what the paragraph's next sentence says.
            chosen = [best, replace(best, index=best.index + 1)]
        elif partner and partner.score >= P.NEIGHBOUR_TIE * best.score and abs(partner.index - best.index) == 1:
            chosen = sorted([best, partner], key=lambda c: c.index)
        elif (runner_up and _near_tie(runner_up, best)
              and normalise(runner_up.sentence.text) != normalise(best.sentence.text)):
            # Two sentences score alike: the reader gets both, each with its source, rather than our coin toss.
            chosen = sorted([best, runner_up], key=lambda c: c.sentence.start) if _same_section(runner_up, best) \
                else [best, runner_up]
        if limit < P.MAX_BODY and info.years and len(chosen) == 1 and is_row_sentence(best.sentence.text):
            # In brief, a table row is its labels and the cell of the year asked.
            parts = [row_cells(best.sentence.text, info.years)]
        else:
            parts = [clauses(c.sentence.text, info, self._asked(weights_for(c.chunk.doc_id), c.chunk), limit)
                     for c in chosen]
        if len(chosen) == 2 and not _same_section(*chosen):
            body = f"{parts[0]}（{self.replies.label(chosen[0].chunk, short_label)}）{parts[1]}"
        else:
            body = "".join(parts)
        if sum(map(len, parts)) > P.MAX_BODY + 60:  # the quotes, not the labels between them
            body = clauses(best.sentence.text, info, self._asked(weights_for(best.chunk.doc_id), best.chunk))
            chosen = [best]
        quotes = [self.replies.cite(c.chunk, c.sentence.start, c.sentence.end) for c in chosen]
        return self.replies.reply(info, body, quotes, chosen[-1].chunk, related, short_label=short_label,
                                  preamble=preamble)

    @staticmethod
    def _asked(weights: dict[str, float], chunk: Chunk) -> dict[str, float]:
        """Words of the question that name the section ("指导思想中要坚定实施什么战略?") locate the
        evidence; the remaining words say which clause of it answers."""
        titles = normalise(" ".join(filter(None, [chunk.section_title, chunk.chapter_title, chunk.box])))
        asked = {t: w for t, w in weights.items() if t not in titles}
        return asked if asked else weights

    # ---------------------------------------------------------------- scope and structure lookups

    def _docs_in_order(self, scope: Sequence[str], hits: Sequence[Hit]) -> list[Document]:
        """The plans a structural question may be about: those named, else in the order retrieval found them."""
        order = list(scope) or list(dict.fromkeys(h.chunk.doc_id for h in hits))
        order += [d.id for d in self.documents if d.id not in order and not scope]
        return [d for i in order for d in self.documents if d.id == i]

    def _scoped(self, info: QueryInfo, hits: Sequence[Hit]) -> Sequence[Hit]:
        """"第十章…有哪几个方面?": only that chapter (or 节) can answer; retrieval may have missed it."""
        if info.chapter is None:
            return hits
        def inside(c: Chunk, docs: set[str]) -> bool:
            if c.chapter != info.chapter or c.doc_id not in docs or (info.part is not None and c.part != info.part):
                return False
            return c.section is None if info.intro else info.section is None or c.section == info.section

        # Every loaded plan has a 第N章: the one whose chapter N speaks of the question's words is meant.
        terms = [normalise(t) for t in info.terms]
        by_doc: dict[str, float] = {}
        for cs in self.stats.by_section.values():
            for c in cs:
                if inside(c, {c.doc_id}):
                    cover = sum(self.stats.idf(t, c.doc_id) for t in terms if t in self.stats.contexts[c.id])
                    by_doc[c.doc_id] = max(by_doc.get(c.doc_id, 0.0), cover)
        docs = {max(by_doc, key=by_doc.get)} if by_doc else set()
        scoped = [h for h in hits if inside(h.chunk, docs)]
        if len(scoped) < 3:
            seen = {h.chunk.id for h in scoped}
            extra = [c for cs in self.stats.by_section.values() for c in cs if inside(c, docs) and c.id not in seen]
            scoped += [Hit(chunk=c, score=0.0) for c in extra]
        return scoped or hits

    def _named(self, info: QueryInfo, hits: Sequence[Hit]) -> Sequence[Hit]:
        """An English question's romanised name ("Chongqing" = 重庆) locates the paragraphs that contain it,
        which neither BM25 (no Chinese words) nor a small embedding may have ranked."""
        names = name_weights(info, self.stats) if info.english else {}
        if not names:
            return hits
        rarest = max(names, key=names.get)
        seen = {h.chunk.id for h in hits}
        extra = [c for cs in self.stats.by_section.values() for c in cs
                 if c.id not in seen and rarest in self.stats.pinyin[c.id]][:P.NAMED_EXTRA]
        return [*hits, *(Hit(chunk=c, score=0.0) for c in extra)]

    def _box_of(self, chunk: Chunk) -> list[Chunk]:
        return self.stats.boxes.get((*section_key(chunk), chunk.box), [chunk])

    def _named_box(self, info: QueryInfo, hits: Sequence[Hit]) -> list[Chunk] | None:
        """The items of the 专栏 whose title the question names ("重大基础设施项目专栏…"), looked up among
        all 专栏 titles of the plans in play, since retrieval ranks items, not boxes."""
        docs = {h.chunk.doc_id for h in hits} or {d.id for d in self.documents}
        boxes = [ms for key, ms in self.stats.boxes.items() if key[0] in docs]
        if not boxes:
            return None
        members = max(boxes, key=lambda ms: self._box_match(info, ms[0]))
        return members if self._box_match(info, members[0]) >= P.BOX_ITEM_MATCH else None


    def _table_question(self, info: QueryInfo, scope: Sequence[str], hits: Sequence[Hit], related: list[Citation],
                        trace: dict) -> Draft | None:
        """Questions about a 主要指标 table as a whole, answered from its rows, not from one sentence:
        "约束性指标有哪些", "创新发展类指标有几项", "绿色发展类指标中哪些是约束性的" (the rows whose 类别 and
        属性 are those named) and "主要指标分为哪几类" (the table's 类别)."""
        if not (info.wants_list or info.item_count):
            return None
        kind = CATEGORY_NAMED_RE.search(info.text)
        attribute = (ATTRIBUTE_RE if kind else ATTRIBUTE_ASKED_RE).search(info.text)
        if kind or attribute:
            patterns = ([rf"^\s*{re.escape(kind.group(1))}\s*·"] if kind else []) + (
                [rf"属性\s*{attribute.group(1)}"] if attribute else [])
            rows = self._rows_matching(info, patterns, scope, hits)
            if rows:
                named = (f"{kind.group(1)}类" if kind else "") + (attribute.group(1) if attribute else "")
                trace["decision"] = f"the table rows of {named}"
                return self.replies.attribute(info, named, rows, related)
        if CATEGORY_ASKED_RE.search(info.text) and "指标" in info.text:
            table = self._named_table(info, list(dict.fromkeys(h.chunk.doc_id for h in hits))
                                      or [d.id for d in self.documents])
            kinds = self.replies.categories(info, table, related) if table else None
            if kinds is not None:
                trace["decision"] = "the 类别 of the indicator table the question names"
                return kinds
        return None

    def _plan_span(self, info: QueryInfo, scope: Sequence[str], hits: Sequence[Hit],
                   related: list[Citation]) -> Draft | None:
        """"本规划纲要的规划期是哪几年": the plan's own first and last year, quoted from the first sentence of
        the plan that names both ("第十五个五年（2026－2030年）规划纲要"). With several plans loaded and none
        named, "本规划" is each of them: every plan's years, superior plan first."""
        if not PLAN_SPAN_RE.search(info.text):
            return None
        docs = list(scope) or ([d.id for d in self.documents] if len(self.documents) > 1
                               else [hits[0].chunk.doc_id] if hits else [])
        found = [(doc, span) for doc in sorted(docs, key=lambda d: precedence(self.stats.profiles.get(d)))
                 if (span := self._span_sentence(doc)) is not None]
        if not found:
            return None
        if len(found) == 1:
            doc, (chunk, sentence) = found[0]
            profile = self.stats.profiles[doc]
            quote = self.replies.cite(chunk, sentence.start, sentence.end)
            body = clauses(sentence.text, info, {str(y): 1.0 for y in (profile.start_year, profile.target_year)})
            return self.replies.reply(info, body, [quote], chunk, related)
        return self.replies.spans(info, [(self.stats.profiles[doc], chunk, sentence)
                                         for doc, (chunk, sentence) in found], related)

    def _span_sentence(self, doc: str) -> tuple[Chunk, Sentence] | None:
        """The plan's first sentence that names both its first and its last year."""
        profile = self.stats.profiles.get(doc)
        if not profile or not profile.start_year or not profile.target_year:
            return None
        wanted = {profile.start_year, profile.target_year}
        chunks = sorted((c for cs in self.stats.by_section.values() for c in cs if c.doc_id == doc),
                        key=lambda c: c.start)
        return next(((chunk, sentence) for chunk in chunks for sentence in chunk.sentences
                     if wanted <= set(years_in(sentence.text))), None)

    def _rows_matching(self, info: QueryInfo, patterns: list[str], scope: Sequence[str],
                       hits: Sequence[Hit]) -> list[Chunk]:
        """The rows of a plan's 主要指标 table (_named_table) that match every pattern (a 类别, a 属性), in
        the plan the question names, else in the plan retrieval found first; in the table's order. Of
        several plans named ("“十五五”主要指标…" with a national and city plans of that period loaded), the
        superior plan's table, which the others' must fit (规划衔接)."""
        found = list(dict.fromkeys(h.chunk.doc_id for h in hits))
        plans = sorted(scope, key=lambda d: (precedence(self.stats.profiles.get(d)),
                                             found.index(d) if d in found else len(found), d)) or found
        for doc in plans:
            table = self._named_table(info, [doc], need_match=False)
            rows = [c for c in table or [] if all(re.search(p, c.text) for p in patterns)]
            if rows:
                return rows
        return []

    def _table_rows(self, info: QueryInfo, row: Chunk) -> list[Chunk]:
        """"人民生活类的约束性指标有哪些?": the rows of the best row's table that carry every word of the
        question the best row carries and some other row lacks (人民生活, 约束性; not 属性, in every row)."""
        rows = [c for c in self.stats.by_section.get(section_key(row), [])
                if _is_table_row(c) and c.box == row.box and (c.image.file if c.image else None) == (
                    row.image.file if row.image else None) and not clean(c.text).startswith("注")]
        texts = {c.id: normalise(c.text) for c in rows}
        words = {normalise(t) for t in info.terms if len(t) >= 2}
        asked = [w for w in words if w in texts[row.id] and not all(w in t for t in texts.values())]
        asked = [w for w in asked if not any(w != o and w in o for o in asked)]  # 约束 inside 约束性
        return [c for c in rows if asked and all(w in texts[c.id] for w in asked)]

    def _following(self, cand: Candidate) -> list[Chunk]:
        """The led paragraphs right after the candidate's paragraph, in the same section."""
        out = []
        for c in self.stats.by_section.get(section_key(cand.chunk), []):
            if c.block_index <= cand.chunk.block_index or c.box:
                continue
            if not (c.lead or DASH_ITEM_RE.match(c.text)):
                break
            out.append(c)
        return out

    def _items_sharing_quote(self, info: QueryInfo, best: Candidate) -> list[Chunk]:
        """"哪四个“更加注重”", "那几种“经济”": the led paragraphs ("——更加注重创新驱动。…") or 专栏 items
        ("情绪经济：…") of one section or 专栏 of the best sentence's plan whose leads begin or end with the
        words the question quotes, as parallel items do; the section or 专栏 with the most of them."""
        quoted = [normalise(q) for q in info.quoted if len(normalise(q)) >= 2]
        if not quoted:
            return []
        groups: dict[tuple, list[Chunk]] = {}
        for chunks in self.stats.by_section.values():
            if chunks[0].doc_id != best.chunk.doc_id:
                continue
            for c in chunks:
                led = (c.lead or DASH_ITEM_RE.match(c.text)) and not _is_table_row(c)
                lead = normalise(_item_lead(c)).lstrip("—-") if led else ""
                if lead and any(lead.startswith(q) or lead.endswith(q) for q in quoted):
                    groups.setdefault((section_key(c), c.box), []).append(c)
        return max(groups.values(), key=lambda g: (len(g), -g[0].start), default=[])

    def _titled_section(self, info: QueryInfo, best: Candidate) -> list[Chunk]:
        """"必须遵循哪些原则": a 节 of the best sentence's chapter whose title's every word the question says
        ("必须遵循的原则"), made of led paragraphs ("——坚持…。"): those paragraphs are the list."""
        question = normalise(info.text)
        for chunks in sorted(self.stats.by_section.values(), key=lambda cs: cs[0].start):
            first = chunks[0]
            if (first.doc_id, first.part, first.chapter) != (best.chunk.doc_id, best.chunk.part, best.chunk.chapter) \
                    or first.section is None or not first.section_title:
                continue
            words = [normalise(w) for w in content_terms(first.section_title) if len(w) >= 2]
            if not words or not all(w in question for w in words):
                continue
            led = [c for c in chunks if not c.box and (c.lead or DASH_ITEM_RE.match(c.text))]
            if len(led) >= 2 and len(led) == len([c for c in chunks if not c.box]):
                return led
        return []

    def _named_table(self, info: QueryInfo, docs: Sequence[str], need_match: bool = True) -> list[Chunk] | None:
        """"主要指标分成哪几类": of the plans `docs`, the indicator table (a 专栏 of table rows, or the rows of
        a section) whose title the question matches best, then one that holds its plan's horizon year (a
        plan's 主要指标 are its targets, not the last period's results), then the first; any title match
        will do, as a plan holds few such tables, and a plan's only table needs none (nor any table, without
        `need_match`)."""
        tables = [[c for c in ms if not clean(c.text).startswith("注")] for key, ms in self.stats.boxes.items()
                  if key[0] in docs and all(map(_is_table_row, ms))]
        # A table set in a section's own text (not a 专栏): the section's rows, three or more.
        tables += [rows for chunks in self.stats.by_section.values() if chunks[0].doc_id in docs
                   if len(rows := [c for c in chunks if not c.box and _is_table_row(c)]) >= 3]
        tables = [t for t in tables if t]

        def horizon_named(rows: list[Chunk]) -> bool:
            year = self.stats.horizon(rows[0].doc_id)
            return bool(year) and any(f"{year}年" in c.text for c in rows)

        tables.sort(key=lambda t: (-self._box_match(info, t[0]), not horizon_named(t), t[0].doc_id, t[0].start))
        if not tables or (need_match and len(tables) > 1 and self._box_match(info, tables[0][0]) == 0):
            return None
        return tables[0]

    def _box_match(self, info: QueryInfo, chunk: Chunk) -> float:
        box = normalise(chunk.box or "")
        # The plan's own period or place names the plan, not one of its 专栏 ("“十N五”规划的…工程").
        terms = [normalise(t) for t in info.terms]
        weights = {t: self.stats.idf(t, chunk.doc_id) for t in terms
                   if t not in self.stats.periods and not self.stats.any_home(t)}
        total = sum(weights.values()) or 1.0
        return sum(w for t, w in weights.items() if t in box) / total


def _near_tie(c: Candidate, best: Candidate) -> bool:
    return c.score >= P.NEAR_TIE * best.score


def _same_section(a: Candidate, b: Candidate) -> bool:
    return section_key(a.chunk) == section_key(b.chunk)


# A coined name in quotes ("“通勤圈”"), and the clause it stands in.
COINED_RE = re.compile(r"“([^“”]{1,12})”")
CLAUSE_SPAN_RE = re.compile(r"[^，,；;。！？]+")


def _coined_sharing_quote(info: QueryInfo, chunk: Chunk) -> list[tuple[str, tuple[int, int]]]:
    """"都市圈要建哪几个“圈”": the names a plan coins in one paragraph ("建设便捷高效的“通勤圈”…建设梯次配套的
    “产业圈”…") that end or begin with what the question quotes, as a family of names does; each with its
    clause and the clause's span in the source. Fewer than two: no such family."""
    quoted = [normalise(q) for q in COINED_RE.findall(info.text) if q.strip()]  # one character too: “圈”
    if not quoted:
        return []
    text, found, seen = chunk.text, [], set()
    for clause in CLAUSE_SPAN_RE.finditer(text):
        for m in COINED_RE.finditer(clause.group()):
            name = normalise(m.group(1))
            if name in seen or not any(name != q and (name.endswith(q) or name.startswith(q)) for q in quoted):
                continue
            seen.add(name)
            found.append((clean(clause.group()), (chunk.start + clause.start(), chunk.start + clause.end())))
    return found


# "本规划纲要的规划期是哪几年", "这个规划管的是哪几年": the years of the plan itself.
PLAN_SPAN_RE = re.compile(r"规划期(?:是|为)?(?:哪|几|多少)|(?:本|这个|该|这份)?规划(?:纲要)?[^，。？?]{0,6}(?:哪几年|哪些年份?|起止年|从哪年到哪年)")
# A numbered heading run into its paragraph as a sentence of its own ("二、2050年市域空间格局。").
RUN_IN_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])[^，,；;：:。]{1,24}。?$")
ANNOUNCEMENT_RE = re.compile(r"^[^，,；;]*[:：]\s*$")  # one clause, ending in a colon: "主要目标是："
# A sentence that announces a list of the paragraphs after it: "…如下：", "要实现以下目标。".
INTRODUCES_RE = re.compile(r"(?:[:：]|以下[^。，,]{0,12}。)$")


# A sentence that opens with its topic: a short phrase before the first comma ("量子科技产业，推进…").
TOPIC_OPENING_RE = re.compile(r"^([\u4e00-\u9fff“”]{2,16})[，,]")


def _parallel_topics(best: Candidate) -> list[tuple[str, Sentence]]:
    """The run of sentences right after the best one, in its paragraph, that open with a topic ending in
    the same head (two characters: 产业, 经济), with each sentence: a paragraph that lists by sentences."""
    run: list[tuple[str, Sentence]] = []
    for sentence in best.chunk.sentences[best.index + 1:]:
        m = TOPIC_OPENING_RE.match(clean(sentence.text))
        if not m or (run and m.group(1)[-2:] != run[0][0][-2:]):
            break
        run.append((m.group(1), sentence))
    return run if len(run) >= 2 else []


def _item_lead(chunk: Chunk) -> str:
    return chunk.lead or re.split(r"[。；;]", chunk.text, 1)[0]


# "哪些是约束性指标", "预期性指标有哪些": the 属性 column of a 主要指标 table, named in the question.
ATTRIBUTE_ASKED_RE = re.compile(r"(约束性|预期性)(?:的)?指标")
ATTRIBUTE_RE = re.compile(r"(约束性|预期性)")  # beside a 类别 named: "绿色发展类指标中哪些是约束性的"
# "创新发展类指标有几项": the rows of one 类别 (a row read from a table starts "类别 · 指标：").
CATEGORY_NAMED_RE = re.compile(r"([\u4e00-\u9fff]{2,8}?)类(?:的)?指标")
CATEGORY_ASKED_RE = re.compile(r"[几哪]\s*(?:个)?\s*大?类|类别")  # "分成哪几大类", "有几类": a table's 类别


def _is_table_row(chunk: Chunk) -> bool:
    """A row of a table, read from a picture or from the plan's text (tables.py): one indicator's figures."""
    return bool(chunk.image and chunk.image.table) or (chunk.image is None and is_row_sentence(chunk.text))
