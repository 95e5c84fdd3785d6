"""The answerer's hard checks (answer/constraints.py), one by one on hand-built candidates of a small plan
parsed from text: no index, no embedder, no chain."""

from __future__ import annotations

import pytest

from assistant.answer import constraints
from assistant.answer import params as P
from assistant.answer.constraints import (HARD_CHECKS, direction_problem, named_problem, problems,
                                          measure_problem, unit_problem, year_problem)
from assistant.answer.scoring import Candidate
from assistant.answer.stats import PlanStats
from assistant.chunking import iter_chunks
from assistant.corpus import document_text, load_corpus
from assistant.query import analyse

PLAN = """云溪区国民经济和社会发展第十五个五年规划纲要

第一章 发展基础

“十四五”时期，全区地区生产总值达到520亿元，建成5G基站1200个，开展6G技术试验。

第二章 主要目标

到2030年，全区地区生产总值达到760亿元，养老机构护理型床位占比达到65%，新增养老床位800张。全社会研发经费投入年均增长7%以上。

区长办公会议统筹推进重大项目。

每年完成60条街巷整治提升工作。

打造年成交额超百亿元的农产品市场。批发市场成交额稳步提升。

经济发展 · 常住人口城镇化率（%）：2025年完成值 70%，2030年目标值 75%，属性 预期性。

绿色低碳 · 地表水优良水体比例（%）：2025年完成值 90%，2030年目标值 完成市下达目标，属性 约束性。
"""


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanStats, list]:
    corpus = tmp_path_factory.mktemp("tiny") / "corpus"
    corpus.mkdir()
    (corpus / "yunxi-15th.txt").write_text(PLAN, encoding="utf-8")
    docs = load_corpus(corpus)
    sources = {d.id: document_text(d) for d in docs}
    chunks = [c for d in docs for c in iter_chunks(d, sources[d.id])]
    return PlanStats(chunks, sources, docs), chunks


def candidate(chunks: list, words: str) -> Candidate:
    """The sentence that contains `words`, as the answerer would hold it."""
    for chunk in chunks:
        for i, sentence in enumerate(chunk.sentences):
            if words in sentence.text:
                return Candidate(chunk=chunk, index=i, rank=0)
    raise AssertionError(f"no sentence with {words!r}")


def test_the_checks_are_one_list_with_one_signature() -> None:
    assert HARD_CHECKS == (year_problem, named_problem, measure_problem, direction_problem, unit_problem)


def test_year_asked_must_be_the_year_the_sentence_speaks_of(plan) -> None:
    stats, chunks = plan
    target = candidate(chunks, "760亿元")
    review = candidate(chunks, "520亿元")
    assert year_problem(analyse("2030年地区生产总值目标是多少?"), target, target.sentence.text, stats) is None
    assert year_problem(analyse("2030年地区生产总值目标是多少?"), review, review.sentence.text, stats)
    assert year_problem(analyse("2035年地区生产总值目标是多少?"), target, target.sentence.text, stats)


def test_a_rows_figure_belongs_to_its_columns_year(plan) -> None:
    stats, chunks = plan
    row = candidate(chunks, "常住人口城镇化率")
    water = candidate(chunks, "优良水体比例")

    def check(question: str, cand: Candidate) -> str | None:
        return year_problem(analyse(question), cand, cand.sentence.text, stats)

    assert check("2030年城镇化率目标是多少?", row) is None
    assert check("2025年城镇化率是多少?", row) is None
    # What was achieved in 2025 is no target, and 2025 is before this plan's period: its base year.
    assert check("2025年城镇化率目标是多少?", row) == "2025年的目标"
    # Each year in its own clause: 2025 asked as it stands, 2030 as a target.
    assert check("城镇化率2025年是多少，2030年要到多少?", row) is None
    # A target in words is that year's target; a year with no column is not answered by the row.
    assert check("2030年优良水体比例要提高到多少?", water) is None
    assert check("2027年优良水体比例要提高到多少?", water) == "2027年"


def test_a_counted_compound_may_be_worded_by_one_with_its_head_character(plan, monkeypatch) -> None:
    stats, chunks = plan
    monkeypatch.setattr(constraints, "SPECIFIC_IDF", 0.0)  # in a plan this small no word is rare
    lanes, beds = candidate(chunks, "60条街巷"), candidate(chunks, "800张")
    question = analyse("每年要把多少条老街小巷收拾一遍?")
    assert question.counted == ["小巷"]  # the verb after it ends the counted phrase
    assert named_problem(question, lanes, lanes.sentence.text, stats) is None  # 60条街巷 counts 小巷
    assert named_problem(question, beds, beds.sentence.text, stats) == "小巷"


def test_code_or_counted_thing_must_be_named(plan) -> None:
    stats, chunks = plan
    stations = candidate(chunks, "5G基站")
    assert named_problem(analyse("建成多少个5G基站?"), stations, stations.sentence.text, stats) is None
    beds = candidate(chunks, "800张")
    missing = named_problem(analyse("建成多少个5G基站?"), beds, beds.sentence.text, stats)
    assert missing is not None and missing in "5G基站"  # the code 5G, matched exactly, is checked first
    # A code qualifies the noun after it: 6G and 基站 both stand in the passage, "6G基站" does not.
    assert named_problem(analyse("建成多少个6G基站?"), stations, stations.sentence.text, stats) == "6G基站"


def test_a_row_answers_only_for_the_indicator_its_labels_name(plan, monkeypatch) -> None:
    stats, chunks = plan
    row = candidate(chunks, "常住人口城镇化率")
    # In a plan this small no word is rare; the rarity bar is lowered so that every indicator is specific.
    monkeypatch.setattr(constraints, "SPECIFIC_IDF", 0.0)

    def check(question: str, said: str | None = None) -> str | None:
        return measure_problem(analyse(question, said), row, row.sentence.text, stats)

    assert check("2030年常住人口城镇化率目标是多少?") is None
    assert check("2030年居民消费率目标是多少?") in ("消费率", "居民消费率")
    # A follow-up is held to the indicator the asker now names, not the earlier one.
    assert check("居民消费率2030年目标 那城镇化率呢?", said="那城镇化率呢?") is None


def test_a_sentence_answers_only_for_the_indicator_it_names(plan, monkeypatch) -> None:
    stats, chunks = plan
    growth = candidate(chunks, "研发经费投入年均增长")
    monkeypatch.setattr(constraints, "SPECIFIC_IDF", 0.0)
    # 投入年均增长 is not 投入强度, though every other word of the question is in the sentence.
    assert measure_problem(analyse("全社会研发经费投入强度要达到多少?"), growth, growth.sentence.text, stats) \
        in ("强度", "投入强度")
    assert measure_problem(analyse("研发经费投入年均增长多少?"), growth, growth.sentence.text, stats) is None
    # Only a figure is held to it: what the plan says of a topic needs no indicator named.
    assert measure_problem(analyse("研发经费投入强度方面有什么要求?"), growth, growth.sentence.text, stats) is None


def test_a_figure_follows_the_indicator_it_answers_for(plan, monkeypatch) -> None:
    stats, chunks = plan
    monkeypatch.setattr(constraints, "SPECIFIC_IDF", 0.0)
    question = analyse("农产品市场成交额要做到多少?")
    with_figure, without = candidate(chunks, "超百亿元"), candidate(chunks, "稳步提升")
    assert measure_problem(question, with_figure, with_figure.sentence.text, stats) is None  # 百亿: a figure
    assert measure_problem(question, without, without.sentence.text, stats) == "成交额"


def test_the_office_whose_holder_is_asked_must_be_named(plan) -> None:
    stats, chunks = plan
    beds = candidate(chunks, "800张")
    meeting = candidate(chunks, "区长办公会议")
    assert named_problem(analyse("云溪区区长是谁?"), beds, beds.sentence.text, stats) == "区长"
    assert named_problem(analyse("云溪区区长是谁?"), meeting, meeting.sentence.text, stats) is None
    # An organisation may be named otherwise ("由区发展改革委牵头"): only a person's office is held to.
    assert named_problem(analyse("牵头单位是谁?"), beds, beds.sentence.text, stats) is None


def test_a_city_named_bare_must_be_named_by_the_evidence(plan) -> None:
    stats, chunks = plan
    target = candidate(chunks, "760亿元")
    assert analyse("深圳地区生产总值目标是多少?").places == ["深圳"]
    assert named_problem(analyse("深圳地区生产总值目标是多少?"), target, target.sentence.text, stats) == "深圳"
    assert named_problem(analyse("云溪区地区生产总值目标是多少?"), target, target.sentence.text, stats) is None
    assert analyse("中山大学附属医院有几家?").places == []  # a city's name inside another word is no place


def test_a_fall_does_not_answer_a_rise(plan) -> None:
    stats, chunks = plan
    cand = candidate(chunks, "760亿元")  # the check reads only the question and the clause that answers
    rise = analyse("地区生产总值年均增长目标是百分之几?")
    assert direction_problem(rise, cand, "单位地区生产总值能耗降低13%", stats) == "增长"
    assert direction_problem(rise, cand, "地区生产总值年均增长6%", stats) is None
    fall = analyse("细颗粒物浓度要下降多少?")
    assert direction_problem(fall, cand, "优良天数比率提高到85%，细颗粒物浓度降至27微克/立方米", stats) is None
    assert direction_problem(fall, cand, "优良天数比率提高到85%", stats) == "下降"
    assert direction_problem(analyse("新增养老床位多少张?"), cand, "床位减少", stats) is None  # 新增: no direction


def test_unit_asked_must_stand_in_the_clause_that_answers(plan) -> None:
    stats, chunks = plan
    beds = candidate(chunks, "800张")
    info = analyse("新增养老床位多少张?")
    assert unit_problem(info, beds, "新增养老床位800张", stats) is None
    assert unit_problem(info, beds, "全区地区生产总值达到760亿元", stats) == "所问的数量"
    share = analyse("养老机构护理型床位占比多少?")
    assert unit_problem(share, beds, "养老机构护理型床位占比达到65%", stats) is None


def test_problems_runs_every_check_in_order(plan) -> None:
    stats, chunks = plan
    review = candidate(chunks, "520亿元")
    info = analyse("2030年建成多少个5G基站?")
    found = problems(info, review, review.sentence.text, stats)
    assert found == [p for check in HARD_CHECKS if (p := check(info, review, review.sentence.text, stats))]
    assert found and found[0] == year_problem(info, review, review.sentence.text, stats)


def test_the_quantity_a_question_asks_for() -> None:
    """What analyse reads for the unit check: a share of a whole is a percentage even when the whole is
    money; 个 counts what 家 or 座 count; 每千人口X数 counts X; a year in a clause of its own without a
    target word is asked as it stands."""
    from assistant.query import asked_units

    assert asked_units("研发投入要占地区生产总值多少?") == ["%"]
    assert asked_units("占地多少亩") == ["亩"] and "元" in asked_units("总投资多少")
    assert "个" in asked_units("公办养老院要有多少家达到二级以上标准")
    assert "%" not in asked_units("交通到底占了哪几样优势")
    assert analyse("主要指标里每千人口药师数2030年要达到多少?").counted == ["药师"]
    assert analyse("每一万个人能摊上几件含金量高的发明专利?").counted == []  # no thing before 量: a question
    info = analyse("服务业增加值比重在2010年是多少，2015年的目标是多少？")
    assert info.wants_target and info.base_years == [2010]



def test_the_focus_is_the_clause_with_the_figure_when_two_name_the_thing() -> None:
    # A sentence may name the thing in its lead and again where it counts it: a number question's focus is
    # the clause with the figure, so the unit check reads "30家" there.
    from assistant.answer.scoring import QUANTITY_RE, focus_window

    text = "完善中试验证等平台布局，构建全链条的验证体系，加强技术经理人队伍建设，新增30家运营高效的中试验证平台。"
    weights = {"中试": 1.0, "平台": 0.5}
    assert "30家" not in focus_window(text, weights)
    assert "30家" in focus_window(text, weights, QUANTITY_RE)


def test_the_sentence_naming_the_kind_of_thing_asked_for_fits(plan) -> None:
    from assistant.answer.scoring import _fit

    info = analyse("京津冀协同发展要构建什么样的空间格局？")
    assert info.kinds == ["格局"] and analyse("重点疏解哪些机构和企业？").kinds == ["企业"]
    # A follow-up's own words decide: "那澳门呢?" asks about Macao, not for another 地位.
    assert analyse("澳门 规划支持巩固哪几个中心地位", said="那澳门呢？").kinds == []
    cand = Candidate(chunk=plan[1][0], index=0, rank=0)
    naming = _fit(info, "构建“一核双城三轴四区多节点”的空间格局。", "", {}, cand)
    topical = _fit(info, "优化产业布局，推进建设京津冀协同创新共同体。", "", {}, cand)
    assert naming > topical == 0.0
    assert analyse("老百姓的安全感要保持在什么水平?").kinds == []  # how far, said without the word
    # A list names instances of the kind ("公租房" for "哪几类房子"); LIST_OF_ASKED fits it instead.
    houses = analyse("合肥都有哪几类房子？")
    assert houses.kinds == ["房子"] and _fit(houses, "一体推进好房子、好小区、好社区建设。", "", {}, cand) == P.LIST_ENUM


def test_a_compound_indicator_is_not_named_by_its_head_alone(plan, monkeypatch) -> None:
    stats, chunks = plan
    gdp = candidate(chunks, "全区地区生产总值达到760亿元")
    monkeypatch.setattr(constraints, "SPECIFIC_IDF", 0.0)
    # "生产总值能耗" asked: a figure of 地区生产总值 is not its figure.
    asked = analyse("单位地区生产总值能耗要降低多少?")
    assert measure_problem(asked, gdp, gdp.sentence.text, stats) == "生产总值能耗"


def test_a_thing_one_plan_never_names_it_cannot_answer(tmp_path) -> None:
    from assistant.answer.constraints import missing_from_plans

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "yunxi-15th.txt").write_text(PLAN, encoding="utf-8")
    (corpus / "other-15th.txt").write_text(PLAN.replace("云溪区", "石桥区") + "\n单位GDP能耗下降10%。\n", encoding="utf-8")
    docs = load_corpus(corpus)
    sources = {d.id: document_text(d) for d in docs}
    stats = PlanStats([c for d in docs for c in iter_chunks(d, sources[d.id])], sources, docs)
    # Asked in the glossary's words (GDP → 地区生产总值): found however the plan words it, in the plan that has it.
    asked = analyse("单位地区生产总值能耗要降低多少?")
    assert missing_from_plans(asked, stats) is None
    assert missing_from_plans(asked, stats, "other-15th") is None
    assert missing_from_plans(asked, stats, "yunxi-15th") == "生产总值能耗"


def test_evidence_is_read_in_the_glossarys_words_as_the_question_was() -> None:
    from assistant.answer.scoring import QUANTITY_RE, focus_window, glossed

    # "经济总量" is what a plan says for 地区生产总值, the word a question is mapped to.
    assert "地区生产总值" in glossed("力争全市经济总量迈上两万亿元台阶")
    text = "经济增长保持合理区间，居民消费率明显提高，力争全市经济总量迈上两万亿元台阶。"
    assert "两万亿元" in focus_window(text, {"地区生产总值": 1.0, "经济": 0.2})
    # Doubling is a figure.
    assert QUANTITY_RE.search("未来产业规模实现倍增")


def test_a_full_width_percent_sign_is_a_percentage(plan) -> None:
    stats, chunks = plan
    share = candidate(chunks, "养老机构护理型床位占比")
    asked = analyse("护理型床位的比例能有多少?")
    assert unit_problem(asked, share, "护理型床位占比达到65％", stats) is None
    assert unit_problem(asked, share, "新增养老床位800张", stats) is not None


def test_a_worded_target_gives_no_figure_for_the_year_asked() -> None:
    # Of several plans that answer alike, those that state a figure for what is asked come first: a row's
    # cell may word its target instead ("完成省下达目标"), and the other years' figures do not count.
    from assistant.answer.scoring import states_figure, year_clauses

    info = analyse("2030年优良水体比例要提高到多少?")
    # a clause is the year's by the years it states a figure of, not a comparison's base year
    assert year_clauses(["到2030年达到80%，", "比2025年提高5个百分点。"], [2025]) == []
    assert year_clauses(["到2030年达到80%，", "比2025年提高5个百分点。"], [2030]) == ["到2030年达到80%，"]
    assert not states_figure(info, "地表水优良水体比例（%）：2025年完成值100%，2030年目标值完成省下达目标，属性约束性。")
    assert states_figure(info, "细颗粒物年均浓度（微克/立方米）：2025年完成值21.5，2030年目标值≤20，属性约束性。")
    assert states_figure(analyse("优良水体比例要提高到多少?"), "优良水体比例提高到85%。")
    assert states_figure(analyse("水环境质量有什么要求?"), "完成省下达目标。")  # no number asked
    insured = analyse("医保参保率要保持在多少?")
    assert not states_figure(insured, "健全覆盖城乡居民的基本医疗保障体系。")  # 健全 + 覆盖: no 全覆盖
    assert states_figure(insured, "基本医疗保险实现全覆盖。")
    assert states_figure(insured, "城乡医保参保率稳定在95%以上。")


def test_plans_shown_are_held_to_the_best_plan_that_states_a_figure() -> None:
    # Several plans answer a number question: one that speaks of the topic without a figure does not set
    # the bar that a plan stating the figure is held to.
    from assistant.answer.base import Draft
    from assistant.answer.extractive import plans_shown

    d = Draft(answer="…", found=True)
    found = [("a", d, {"content": 0.86, "figure": False}), ("b", d, {"content": 0.52, "figure": True}),
             ("c", d, {"content": 0.45, "figure": True}), ("e", d, {"content": 0.30, "figure": False})]
    assert [a[0] for a in plans_shown(found, set())] == ["b", "c", "a"]
    every = [(doc, d, {**standing, "figure": True}) for doc, d, standing in found]  # or no number asked
    assert [a[0] for a in plans_shown(every, set())] == ["a"]
    assert [a[0] for a in plans_shown(every, {"e"})] == ["e", "a"]  # lists as many as the question says


def test_a_brief_quote_is_the_clauses_of_the_figure_with_a_rows_labels() -> None:
    # A further plan's quote beside the best one: the clauses of the year and figure asked, and for a table
    # row its labels, so that the figure still says what it is a figure of.
    from assistant.answer.compose import clauses
    from assistant.text import clean

    row = "绿色低碳·细颗粒物（PM2.5）年均浓度（微克/立方米）：2025年完成值 21.5微克/立方米，2030年目标值 ≤20微克/立方米，属性 约束性。"
    info = analyse("2030年细颗粒物年均浓度的目标是多少?")
    weights = {"细颗粒物": 1.0, "年均": 0.5, "浓度": 0.5}
    brief = clauses(row, info, weights, limit=60)
    assert brief.startswith("绿色低碳·细颗粒物（PM2.5）年均浓度") and "≤20微克" in brief and "属性" not in brief
    assert clauses(row, info, weights) == clean(row)  # within the reply's limit: the whole row
    long = ("生态环境质量全面改善，主要污染物排放总量持续减少，地级及以上城市细颗粒物（PM2.5）浓度降至27微克/立方米以下，"
            "优良水体比例提高到85%，森林覆盖率达到25.8%，生态系统多样性稳定性持续性不断提升。")
    brief = clauses(long, analyse("细颗粒物浓度要降到多少?"), weights, limit=60)
    assert "27微克" in brief and "森林" not in brief


def test_a_rows_brief_is_its_labels_and_the_cell_of_the_year_asked() -> None:
    from assistant.answer.compose import row_cells

    row = "绿色发展·细颗粒物年均浓度(微克/立方米)：2025年 27微克/立方米，2030年目标 达到国家要求，属性 约束性。"
    assert row_cells(row, [2030]) == "绿色发展·细颗粒物年均浓度(微克/立方米)：2030年目标达到国家要求。"
    assert row_cells(row, [2035]) == row.replace(" ", "")  # no cell of that year: the row as it stands
