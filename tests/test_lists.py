"""Whole lists and chapter overviews on every plan: the corpus's, the two national outlines as text, and the
two as published (their 专栏 read from pictures). Questions are made from each plan's own tree, so nothing
here is written for one plan. Real index, real chain (shared with test_eval's session fixtures)."""

from __future__ import annotations

import re

import pytest

from assistant.models import Box, Document
from assistant.text import normalise

from conftest import HAIZHOU, NATIONAL

PLANS = (HAIZHOU, *NATIONAL, "national-12th-published", "national-13th-published")
LIST_LIMIT = 1000  # the eval contract's limit for a `list` reply


@pytest.fixture(params=PLANS)
def assistant(request: pytest.FixtureRequest, plan_assistant, corpus_assistant):
    return plan_assistant if request.param == HAIZHOU else corpus_assistant((request.param,))


def _text_boxes(doc: Document) -> list[Box]:
    """The 专栏 that are lists (a table picture's rows are asked about as a table, not read out)."""
    return [b for ch in doc.chapters for s in ch.sections for b in s.blocks
            if isinstance(b, Box) and b.items and not any(i.image and i.image.table for i in b.items)]


def _asked_title(box: Box) -> str:
    return box.title.split(" ", 1)[-1] if box.title[:1].isdigit() else box.title  # "10 交通…" → "交通…"


def test_every_box_is_listed_whole_with_one_citation(assistant) -> None:
    doc = assistant.documents[0]
    boxes = _text_boxes(doc)
    if not boxes:
        pytest.skip(f"{doc.id} prints no 专栏 as text or picture")
    missed = []
    for box in boxes:
        a = assistant.ask(f"{_asked_title(box)}专栏有哪些项目?")
        reply = normalise(a.answer)
        heads = [normalise(i.lead or i.text)[:4] for i in box.items]
        if not (a.found and len(a.citations) == 1 and a.citations[0].box and len(reply) <= LIST_LIMIT
                and all(h in reply for h in heads)):
            missed.append((box.title, a.answer[:120]))
    assert not missed, missed


def test_chapter_overview_names_every_section(assistant) -> None:
    doc = assistant.documents[0]
    chapter = max((c for c in doc.chapters if c.number), key=lambda c: len([s for s in c.sections if s.number]))
    sections = [s for s in chapter.sections if s.number]
    a = assistant.ask(f"第{chapter.number}章讲什么?")
    assert a.found and {c.chapter for c in a.citations} == {chapter.number}, a.answer
    assert all(normalise(s.title) in normalise(a.answer) for s in sections), a.answer


def test_when_answer_keeps_its_year(plan_assistant) -> None:
    """A colloquial "when" question: the year that governs the fact stays in the reply."""
    a = plan_assistant.ask("老小区啥时候弄完")
    assert a.found and "2025年" in a.answer.replace(" ", ""), a.answer


def test_follow_up_keeps_the_condition_of_its_figure(plan_assistant) -> None:
    a = plan_assistant.ask("那空气质量优良天数比率呢", ["老小区啥时候弄完"])
    assert a.found and "到2025年" in a.answer.replace(" ", "") and "80%" in a.answer.replace(" ", ""), a.answer


def test_chapter_question_inside_a_chat_stands_alone(plan_assistant) -> None:
    """"第七章讲什么" names its own chapter: asked after another question, it is not that question's follow-up."""
    a = plan_assistant.ask("第七章讲什么", ["重大基础设施项目专栏有哪些项目?"])
    assert a.found and a.rewritten_query == "第七章讲什么" and {c.chapter for c in a.citations} == {7}, a.answer


@pytest.mark.parametrize("plan", ["national-12th-published", "national-13th-published"])
def test_indicator_table_questions_are_read_off_the_table(plan, corpus_assistant) -> None:
    """"…主要指标分为哪几类" lists the 类别 of the table it names, "约束性指标有几项" counts the 属性 column of
    the plan's own targets (the table holding its horizon year, not the last period's results): both
    compared with the rows of the plan's own tree."""
    from assistant.tables import LABEL_JOIN
    from assistant.text import clean

    assistant = corpus_assistant((plan,))
    doc = assistant.documents[0]
    tables = [b for ch in doc.chapters for s in ch.sections for b in s.blocks if isinstance(b, Box)
              and any(i.image and i.image.table for i in b.items)]
    checked = 0
    for box in tables:
        rows = [clean(i.text) for i in box.items if not clean(i.text).startswith("注")]
        labels = [r.partition("：")[0].split(LABEL_JOIN.strip()) for r in rows]
        if not rows or not all(len(ls) > 1 for ls in labels):
            continue
        kinds = list(dict.fromkeys(ls[0].strip() for ls in labels))
        a = assistant.ask(f"{_asked_title(box)}分为哪几类?")
        assert a.found and f"{len(kinds)}类" in a.answer and all(k in a.answer for k in kinds), a.answer
        checked += 1
        horizon = doc.profile.target_year if doc.profile else None
        bound = [r for r in rows if re.search(r"属性\s*约束性", r)]
        if horizon and bound and any(f"{horizon}年" in r for r in rows):
            a = assistant.ask("约束性指标一共有几项?")
            assert a.found and f"共{len(bound)}项" in a.answer, a.answer
    if not checked:
        pytest.skip(f"{plan}'s indicator tables have no 类别 column")
