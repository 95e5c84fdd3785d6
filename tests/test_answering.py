"""The answer chain end to end on the real plan and index: figures, citations, refusals, follow-ups."""

from __future__ import annotations

import json
import re

import pytest

from assistant.answer.grounding import numbers_supported
from assistant.config import ROOT
from assistant.followup import is_followup, rewrite
from assistant.answer.compose import item_count
from assistant.query import analyse, asked_units, expand_abbreviations, plan_word_test
from assistant.text import normalise


def test_numbers_check() -> None:
    assert numbers_supported("占比不低于60%。", ["养老机构护理型床位占比不低于 60% "])
    assert not numbers_supported("占比不低于70%。", ["养老机构护理型床位占比不低于 60% "])


def test_rewrite_year_switch() -> None:
    assert rewrite("那2035年呢?", ["2025年地区生产总值目标是多少?"]).query == "2035年地区生产总值目标是多少?"
    assert rewrite("2025年要到多少家?", ["2020年国家高新技术企业有多少家?"]).query.startswith("2025年")
    assert not is_followup("城区道路机械化清扫率要达到多少?", [])


def test_rewrite_entity_switch_keeps_frame() -> None:
    rq = rewrite("国家科技型中小企业呢?", ["到2025年高新技术企业要增至多少家?"])
    assert "国家科技型中小企业" in rq.query and "增至多少" in rq.query and "中小企业" in rq.focus


def test_a_follow_up_noun_phrase_takes_the_place_of_the_one_it_stands_for() -> None:
    # The same head noun: the old 产业 / 吞吐量 goes, so that its name no longer draws the old sentence.
    assert rewrite("医药健康产业呢?", ["新一代信息技术产业规模要突破多少?"]).query == "医药健康产业规模要突破多少?"
    assert rewrite("那货邮吞吐量呢?", ["机场年旅客吞吐量力争达到多少?"]).query == "机场年货邮吞吐量力争达到多少?"
    # The same first word: 森林蓄积量 stands for 森林覆盖率.
    assert rewrite("那森林蓄积量呢?", ["森林覆盖率要达到多少?"]).query == "森林蓄积量要达到多少?"
    # Nothing shared: the previous question stays the frame.
    assert rewrite("物流这块呢?", ["金融业增加值要达到多少?"]).query.endswith("金融业增加值要达到多少?")


def test_a_question_that_points_back_is_a_follow_up() -> None:
    assert is_followup("这个是约束性指标吗?", ["养老机构护理型床位占比2030年目标是多少?"])
    assert not is_followup("这个规划纲要管的是哪几年?", ["养老机构护理型床位占比2030年目标是多少?"])


def test_a_counted_set_asked_for_is_a_list() -> None:
    assert analyse("推动发展要把握的四个战略重点是什么?").wants_list
    assert analyse("“两城两区”中的“两城”指什么?").wants_list
    assert analyse("要培育的那几种新消费“经济”都是啥?").wants_list
    # A period's numeral is no count: "“十四五”时期的目标" asks for the targets' text, not a list.
    assert not analyse("“十四五”时期的主要目标是什么?").wants_list
    assert not analyse("第一个五年是什么?").wants_list


def test_query_constraints() -> None:
    info = analyse("连云港市连云区2025年床位要达到多少张?")
    assert info.years == [2025] and "连云区" in info.places and "张" in info.units and info.wants_number
    assert analyse("哪几条路要搞快速化改造?").wants_list and not analyse("哪几条路要搞快速化改造?").units


def test_figure_with_section_citation(plan_assistant) -> None:
    a = plan_assistant.ask("2025年养老机构护理型床位占比?")
    assert a.found and "60%" in normalise(a.answer) and "第七章 第三节" in a.answer
    assert any((c.chapter, c.section) == (7, 3) for c in a.citations)
    assert len(normalise(a.answer)) <= 300


def test_quotes_are_verbatim_with_offsets(plan_assistant) -> None:
    a = plan_assistant.ask("到2025年高新技术企业要增至多少家?")
    assert a.found and "180" in a.answer
    for c in a.citations:
        assert plan_assistant.sources[c.doc][c.start : c.end] == c.quote


def test_followup_entity(plan_assistant) -> None:
    a = plan_assistant.ask("国家科技型中小企业呢?", ["到2025年高新技术企业要增至多少家?"])
    assert a.found and "500" in a.answer and "国家科技型中小企业" in a.rewritten_query


def test_refuses_other_district(plan_assistant) -> None:
    a = plan_assistant.ask("连云港市连云区2025年地区生产总值目标是多少?")
    assert not a.found and not a.citations and a.related
    assert not re.search(r"\d+(\.\d+)?\s*(亿|万|%)", a.answer)


def test_refuses_year_without_target(plan_assistant) -> None:
    a = plan_assistant.ask("到2030年海州区高新技术企业要达到多少家?")
    assert not a.found


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_refused_cleanly(plan_assistant, question: str) -> None:
    assert not plan_assistant.ask(question).found


def test_english_question_gets_chinese_figure(plan_assistant) -> None:
    a = plan_assistant.ask("How many high-tech enterprises should Haizhou have by 2025?")
    assert a.found and "180" in a.answer and a.answer.startswith("According to the plan (Chapter Four, Section One): ")


def test_box_list_question(plan_assistant) -> None:
    a = plan_assistant.ask("就业创业重点项目专栏列了哪些项目?")
    assert a.found and all(s in normalise(a.answer) for s in ["返乡创业园", "高校毕业生就业创业三年行动计划"])


def test_nth_item_of_a_named_box(plan_assistant) -> None:
    a = plan_assistant.ask("重大基础设施项目专栏第一项是什么?")
    assert a.found and "北广场" in a.answer and a.citations[0].box == "专栏:重大基础设施项目"


def test_chapter_named_in_question_scopes_the_answer(plan_assistant) -> None:
    a = plan_assistant.ask("第十章实施保障包括哪几个方面?")
    assert a.found and all(c.chapter == 10 for c in a.citations)
    assert "加强党的全面领导" in a.answer and "强化监督评估机制" in a.answer


def test_year_switch_picks_the_clause_of_that_year(plan_assistant) -> None:
    a = plan_assistant.ask("2035年呢?", ["2025年全区空气质量优良天数比率要稳定在多少?"])
    assert a.found and "重污染天气" in a.answer


def test_identifier_not_in_plan_is_refused(plan_assistant) -> None:
    assert not plan_assistant.ask("城市轻轨S2线计划什么时候开工?").found


def test_indicator_the_plan_never_names_is_refused(plan_assistant) -> None:
    a = plan_assistant.ask("海州区2025年常住人口城镇化率目标是多少?")
    assert not a.found and "城镇化率" in a.answer


def test_english_pinyin_names_match_the_plan(plan_assistant) -> None:
    from assistant.answer.scoring import name_weights
    from assistant.answer.stats import PlanStats

    stats = PlanStats(plan_assistant.index.chunks, plan_assistant.sources, plan_assistant.documents)
    info = analyse("Which projects are planned around Jinping Mountain and Yuedao?")
    assert "jinping" in info.names
    assert "jinping" in name_weights(info, stats)  # 锦屏 stands in the plan; the district's name would be too common


def test_query_vocabulary_maps_everyday_and_english_words() -> None:
    assert "楼宇" in expand_abbreviations("写字楼有多少栋?") and "写字楼" not in expand_abbreviations("写字楼有多少栋?")
    english = expand_abbreviations("What life expectancy is targeted?")
    assert english.startswith("What life expectancy") and "预期寿命" in english
    assert "park" not in expand_abbreviations("停车场") and "公园" not in expand_abbreviations("parking lots")


def test_a_glossary_key_a_loaded_plan_uses_is_kept() -> None:
    """大学生 is a national outline's own word and 高校毕业生 a district's: with a plan that uses the key loaded,
    the key stays (with the mapped word when a plan uses that too); with none, it is replaced."""
    question = "要实施多少名大学生服务计划?"
    assert "大学生" not in expand_abbreviations(question, plan_word_test(["高校毕业生就业"]))
    both = expand_abbreviations(question, plan_word_test(["50万大学生服务", "高校毕业生就业"]))
    assert "大学生" in both and "高校毕业生" in both
    alone = expand_abbreviations(question, plan_word_test(["50万大学生服务"]))
    assert "大学生" in alone and "高校毕业生" not in alone


def test_item_count_reads_the_plans_numbers() -> None:
    """One picture line may hold several numbered items: the count is the plan's numbering, not the lines."""
    assert item_count(["(1)甲计划；(2)乙计划；(3)丙工程", "（4)丁计划；(5戊工程"]) == 5
    assert item_count(["01甲工程：建设", "02乙工程：实施2000万亩"]) == 2
    assert item_count(["甲", "乙", "丙"]) == 3  # unnumbered: one item per line


def test_colloquial_keys_are_not_the_plans_own_words() -> None:
    """A word the plan itself uses means what the plan means by it: it must never be rewritten."""
    text = normalise((ROOT / "corpus" / "haizhou-14th-five-year-plan.txt").read_text(encoding="utf-8"))
    glossary = json.loads((ROOT / "assistant" / "glossary.json").read_text(encoding="utf-8"))
    assert [k for k in glossary["colloquial"] if normalise(k) in text] == []


def test_answer_kind_cues() -> None:
    assert analyse("居家养老服务中心建成率要到多少?").units == ["%"]
    assert analyse("总体目标分哪五个方面?").wants_list and not analyse("哪两个").wants_list
    assert analyse("要建成多少个5G基站?").counted == ["基站"]
    strategic = analyse("Which companies are named as strategic partners?")  # "rate" is not a word here
    assert not strategic.wants_number and strategic.wants_name
    assert analyse("What rate is targeted for 2025?").wants_number
    # English asks a figure by its dimension too ("规模", "多深").
    assert analyse("Towns with a population above what size may be granted county-level powers?").wants_number
    assert analyse("How deep will the channel be?").wants_number
    assert analyse("At what level should the enrollment rate be kept?").wants_number


def test_counted_thing_must_be_in_the_evidence(plan_assistant) -> None:
    # The plan speaks of building 5G 基站 but never says how many.
    assert not plan_assistant.ask("到2025年全区要建成多少个5G基站?").found


def test_english_followup_with_its_own_kind(plan_assistant) -> None:
    rq = rewrite("And the number of 4-star institutions?", ["What share of elderly care beds should be nursing beds by 2025?"])
    assert rq.asked is not None and "4星级" in rq.query
    a = plan_assistant.ask("And the number of 4-star institutions?",
                           ["What share of elderly care beds should be nursing beds by 2025?"])
    assert a.found and "12家" in normalise(a.answer)


def test_definition_of_the_term_asked_about(plan_assistant) -> None:
    a = plan_assistant.ask("“一心两带四基地”里的两带指的是什么?")
    assert a.found and "两带" in a.answer and ("物流产业带" in a.answer or "都市农业产业带" in a.answer)


def test_list_question_naming_one_box_item_gets_that_item(plan_assistant) -> None:
    a = plan_assistant.ask("大气综合治理工程包括哪些内容?")
    assert a.found and a.answer.startswith("大气综合治理工程") and "扬尘" in a.answer and "VOCs" in a.answer
    assert a.citations[0].box == "专栏:生态环境建设工程"


def test_relative_periods_and_everyday_growth() -> None:
    assert analyse("这五年地铁要修到多少公里?").period == "future"  # the plan's own five years
    assert analyse("“十四五”这五年二氧化碳排放降了多少?").period is None  # that named period's
    assert analyse("这五年来收入增长了多少?").period == "past"
    assert analyse("上个五年城里多了多少人有工作?").period == "past"
    assert asked_units("消费每年要涨多少?") == ["%"]  # a yearly growth rate
    assert asked_units("入托率要提高多少个百分点?") == ["%"]  # not a count of 个
    assert asked_units("农产品加工业与农业总产值比要达到多少?") == ["%"]  # a ratio, not money
    # A depth or a distance is a length; "多高" may ask a rate.
    assert asked_units("长江深水航道要挖多深?") == ["米", "千米", "公里"] == asked_units("how deep is the channel?")
    assert asked_units("城镇化率要达到多高?") == []


def test_a_follow_up_naming_only_a_period_swaps_the_period() -> None:
    assert rewrite("那“十五五”呢?", ["“十四五”时期地区生产总值突破了多少?"]).query == "十五五时期地区生产总值突破了多少?"
