"""Drafts written from evidence the answerer has chosen: the quoted body with its label, its citations, the
check that every number stands in a quote, and the refusal. extractive.py decides what answers; this writes
it (compose.py cuts the quoted text, grounding.py checks and cites it)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Chunk, Citation, Profile, Sentence, box_label
from ..pictures import LOW_CONFIDENCE
from ..query import QueryInfo
from ..tables import LABEL_JOIN
from ..text import clean, normalise
from . import params as P
from .base import Draft
from .compose import box_list, finish, item_count, item_name, item_start, item_text
from .grounding import citation, numbers_supported, refusal_text
from .labels import english_location, label
from .stats import PlanStats
from .structure import Overview


class Replies:
    def __init__(self, sources: dict[str, str], stats: PlanStats) -> None:
        self.sources = sources
        self.stats = stats

    def label(self, chunk: Chunk, brief: bool = False) -> str:
        return label(chunk.chapter, chunk.chapter_title, chunk.section, chunk.section_title, chunk.box, chunk.part,
                     self.stats.plan_name(chunk.doc_id), in_part=chunk.in_part, brief=brief)

    def cite(self, chunk: Chunk, start: int, end: int) -> Citation:
        return citation(chunk, start, end, self.sources[chunk.doc_id], self.stats.plan_name(chunk.doc_id))

    def item(self, info: QueryInfo, item: Chunk, related: list[Citation]) -> Draft:
        """A whole 专栏 item, cut at a sentence end so that it stays a reply, not a page."""
        end = next((e for _, e in reversed([(x.start, x.end) for x in item.sentences])
                    if e - item.start <= P.MAX_BODY + 80), item.sentences[0].end)
        source = self.sources[item.doc_id]
        return self.reply(info, clean(source[item.start:end]), [self.cite(item, item.start, end)], item, related)

    def overview(self, info: QueryInfo, found: Overview, related: list[Citation]) -> Draft:
        doc, ch = found.doc, found.chapter
        source = self.sources[doc.id]
        plan = self.stats.plan_name(doc.id)
        quotes = []
        for start, end, sec in found.spans:
            quotes.append(Citation(
                doc=doc.id, part=ch.part, chapter=ch.number, section=sec.number if sec else None,
                path=(f"{ch.title}" + (f" › {sec.title}" if sec else "")), quote=source[start:end],
                start=start, end=end,
                label=label(ch.number, ch.title, sec.number if sec else None, sec.title if sec else None, None,
                            ch.part, plan, in_part=ch.in_part), plan=plan))
        where = self._where(found)
        reply = f"{found.body}（{where}）"
        if info.english:
            reply = f"According to the plan ({english_location(quotes[0]) if quotes else 'contents'}): " + reply
        if not numbers_supported(reply, [q.quote for q in quotes] + [where] + found.boxes):
            return self.refuse(info, related, "答案中的数字无法在原文中核实")
        return Draft(answer=reply, found=True, citations=quotes)

    def _where(self, found: Overview) -> str:
        ch = found.chapter
        return label(ch.number, ch.title, None, None, None, ch.part, self.stats.plan_name(found.doc.id),
                     in_part=ch.in_part)

    def overviews(self, info: QueryInfo, found: list[Overview], related: list[Citation]) -> Draft:
        """The same part of several plans ("第六篇讲的是什么", none named): each plan's overview while they fit
        in one reply, else each plan's heading, so that every plan that has it is named."""
        pairs = [(f, d) for f in found if (d := self.overview(info, f, related)).found]
        drafts = [d for _, d in pairs]
        if sum(len(normalise(d.answer)) for d in drafts) > reply_limit(info):
            drafts = [Draft(answer=self._where(f) + "。", found=True, citations=d.citations[:1]) for f, d in pairs]
        return joined(fitting(info, drafts))

    def reply(self, info: QueryInfo, body: str, quotes: list[Citation], chunk: Chunk, related: list[Citation],
               given: Sequence[str] = (), short_label: bool = False, preamble: bool = True) -> Draft:
        """`short_label`: the place by its numbers, for a reply of several plans; `preamble`: an English
        reader's "According to the plan (…)", once at the head of a reply."""
        reply = f"{finish(body)}（{self.label(chunk, short_label)}）"
        if any(q.ocr_conf is not None and q.ocr_conf < LOW_CONFIDENCE for q in quotes):
            # Not stated as fact: what the picture seems to say, and where to look.
            reply = ("Read from a picture with low confidence, please check it: " if info.english
                     else "图片识别结果（置信度低，请核对原图）：") + reply
        if info.english and preamble:
            reply = f"According to the plan ({english_location(quotes[0])}): " + reply
        # The whole reply, label included; the label is the plan's own heading ("专栏2 …" has a digit).
        if not numbers_supported(reply, [q.quote for q in quotes] + [self.label(chunk)] + [q.label for q in quotes]
                                 + list(given)):
            return self.refuse(info, related, "答案中的数字无法在原文中核实")
        return Draft(answer=reply, found=True, citations=quotes)

    def spans(self, info: QueryInfo, found: list[tuple[Profile, Chunk, Sentence]], related: list[Citation]) -> Draft:
        """Several plans' periods in one reply ("国家十五五：2026—2030年；…"), each quoted where the plan
        names both years."""
        quotes = [self.cite(chunk, sentence.start, sentence.end) for _, chunk, sentence in found]
        lines = [f"{p.short_name}：{p.start_year}—{p.target_year}年" for p, _, _ in found]
        reply = ("Periods of the loaded plans: " if info.english else "已载入规划的规划期：") + "；".join(lines) + "。"
        if not numbers_supported(reply, [q.quote for q in quotes] + [q.label for q in quotes]):
            return self.refuse(info, related, "答案中的数字无法在原文中核实")
        return Draft(answer=reply, found=True, citations=quotes)

    def refuse(self, info: QueryInfo, related: list[Citation], reason: str | None, why: str | None = None) -> Draft:
        text = refusal_text(info.english, reason, related)
        return Draft(answer=text, found=False, related=related, trace={"refusal": reason or why or "no evidence"})

    def box(self, info: QueryInfo, members: list[Chunk], related: list[Citation]) -> Draft:
        """Every item of a 专栏, under one quote of the whole 专栏 (one chip, not one per item)."""
        source = self.sources[members[0].doc_id]
        whole = self.cite(members[0], item_start(source, members[0]), members[-1].end)
        items = [item_text(source, c) for c in members]
        count = item_count(items)
        body = box_list(members[0].box or "", items, [item_name(c) for c in members], count, P.MAX_LIST_BODY)
        # The count is read off the plan's tree, not quoted: it may be stated.
        return self.reply(info, body, [whole], members[0], related, given=[str(count)])

    def categories(self, info: QueryInfo, rows: list[Chunk], related: list[Citation]) -> Draft | None:
        """"主要指标分成哪几类": a table's 类别, the first label of its rows (a row read from a table is
        "类别 · 指标：…"), in the table's order; None when its rows carry no 类别. `rows` are the table's
        rows without its notes (ExtractiveAnswerer._named_table)."""
        labels = [clean(c.text).partition("：")[0].split(LABEL_JOIN.strip()) for c in rows]
        if not labels or not all(len(ls) > 1 for ls in labels):
            return None
        kinds = list(dict.fromkeys(ls[0].strip() for ls in labels))
        source = self.sources[rows[0].doc_id]
        whole = self.cite(rows[0], item_start(source, rows[0]), rows[-1].end)
        body = f"{box_label(rows[0].box) if rows[0].box else '指标'}分为{len(kinds)}类：" + "；".join(kinds)
        return self.reply(info, body, [whole], rows[0], related, given=[str(len(kinds))])

    def attribute(self, info: QueryInfo, attribute: str, rows: list[Chunk], related: list[Citation]) -> Draft:
        names = [clean(re.split(r"[：:]", c.text, 1)[0]).split("·")[-1].strip() for c in rows]
        body = f"{attribute}指标共{len(rows)}项：" + "；".join(names)
        quotes = [self.cite(c, c.start, c.end) for c in rows]
        # The count is read off the table, not quoted.
        return self.reply(info, body, quotes, rows[0], related, given=[str(len(rows))])


def reply_limit(info: QueryInfo) -> int:
    return P.MAX_LIST_REPLY if info.wants_list else P.MAX_REPLY


def fitting(info: QueryInfo, drafts: list[Draft]) -> list[Draft]:
    """The first draft, and each next one that answers while the whole stays within the reply's limit."""
    kept = [drafts[0]]
    for d in drafts[1:]:
        if d.found and sum(len(normalise(k.answer)) for k in kept) + len(normalise(d.answer)) <= reply_limit(info):
            kept.append(d)
    return kept


def joined(drafts: list[Draft]) -> Draft:
    """Several plans' replies as one, a line each."""
    return Draft(answer="\n".join(d.answer for d in drafts), found=True,
                 citations=[c for d in drafts for c in d.citations])
