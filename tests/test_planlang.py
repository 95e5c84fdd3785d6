"""Periods and years as plans write them (planlang.py), and the plans a question's time points to when it
names none (query.dated_plans). Pure functions: no index, no embedder."""

from __future__ import annotations

import pytest

from assistant.models import Profile
from assistant.planlang import named_periods, period_name, period_number, period_years, plan_periods, stated_years
from assistant.profile import derive_profile
from assistant.query import named_plans


def test_the_five_year_calendar() -> None:
    assert period_years(14) == (2021, 2025) and period_years(3) == (1966, 1970)
    assert period_name(14) == "十四五" and period_number("第十五个五年规划") == 15 and period_number("“十三五”") == 13


def test_a_period_is_a_time_with_a_time_word_and_a_plan_with_规划() -> None:
    assert named_periods("“十三五”时期新增就业多少") == [13] == named_periods("十三五 期间", as_time=True)
    assert named_periods("十三五规划讲什么", as_time=True) == []
    assert plan_periods("十三五规划讲什么") == {13} and plan_periods("十三五期间新增就业") == set()
    assert stated_years("2025年是2015年的1.5倍，见《某市2030行动计划》") == [2025]
    # Named alone, a period is its plan; as a time or a comparison's base it is not.
    assert plan_periods("“十五五”主要指标里哪些是约束性指标", bare=True) == {15}
    assert plan_periods("十五五时期城镇化率目标", bare=True) == set() == plan_periods("比十四五末增长多少", bare=True)
    assert plan_periods("“十五五”主要指标里哪些是约束性指标") == set()


def _profile(place: str, level: str, n: int) -> Profile:
    start, end = period_years(n)
    return Profile(short_name=f"{place}{period_name(n)}", place=place, level=level, period=period_name(n),
                   period_number=n, start_year=start, target_year=end)


# A library of three periods: a district's 十四五, a city's 十五五, a national 十三五.
PROFILES = {"district-14": _profile("某区", "区县", 14), "city-15": _profile("某市", "市", 15),
            "national-13": _profile("全国", "国家", 13)}


@pytest.mark.parametrize("question, plans", [
    # A target for a year is set by the plan whose period holds it.
    ("到2025年研发投入占比要达到百分之几?", ["district-14"]),
    ("“十五五”时期城镇化率目标是多少?", ["city-15"]),
    ("What is the target for life expectancy by 2020?", ["national-13"]),
    # What was achieved in a period is told by the plan of the next one.
    ("“十四五”期间地区生产总值实际增长了多少?", ["city-15"]),
    # Neither a target nor an achievement, or a time no plan holds: not narrowed.
    ("2025年城镇化率是多少?", []),
    ("到2035年人均生产总值要达到什么水平?", []),
    # A period named alone names its plan; asked what was reached in it, the plan of the next period tells.
    ("“十四五”主要指标中约束性指标有几项?", ["district-14"]),
    ("“十四五”地区生产总值实际增长了多少?", ["city-15"]),
    # A named place outranks the time.
    ("某市到2025年的目标是多少?", ["city-15"]),
    # 国内生产总值 is the nation's measure (a city states its 地区生产总值).
    ("单位国内生产总值能耗要降低多少?", ["national-13"]),
    ("单位地区生产总值能耗要降低多少?", []),
])
def test_a_questions_time_points_to_the_plans_that_hold_it(question: str, plans: list[str]) -> None:
    assert named_plans(question, PROFILES) == plans


def test_a_follow_up_is_read_in_its_own_words() -> None:
    # "那2020年呢?" after a target question moves the year, not the asking for a target.
    rewritten = "2020年地区生产总值目标是多少?"
    assert named_plans(rewritten, PROFILES) == ["national-13"]
    assert named_plans(rewritten, PROFILES, said="那2020年呢?") == []


def test_profiles_read_the_period_from_a_title() -> None:
    p = derive_profile("某某市国民经济和社会发展第十五个五年规划纲要", "")
    assert (p.period, p.start_year, p.target_year, p.place) == ("十五五", 2026, 2030, "某某市")


def test_plans_stand_superior_level_first_then_newest_period() -> None:
    from assistant.profile import precedence

    library = PROFILES | {"city-14": _profile("某市", "市", 14)}
    assert sorted(library, key=lambda d: precedence(library[d])) == ["national-13", "city-15", "city-14", "district-14"]


def test_of_the_plans_of_a_level_the_one_whose_period_holds_the_year() -> None:
    library = PROFILES | {"national-12": _profile("全国", "国家", 12)}
    assert named_plans("2015年国内生产总值要达到多少?", library) == ["national-12"]
    assert sorted(named_plans("单位国内生产总值能耗要降低多少?", library)) == ["national-12", "national-13"]



def test_a_question_may_state_how_many_there_are() -> None:
    from assistant.query import analyse

    assert analyse("发展的基本要求提出了哪四个“更加注重”？").count == 4
    assert analyse("国家综合性重大场景培育开放行动包括哪两类场景？").count == 2
    assert analyse("三大枢纽分别是哪几个").count is None


def test_a_question_names_a_plan_by_one_of_its_专栏() -> None:
    from assistant.models import box_title
    from assistant.query import boxed_plans

    boxes = {doc: {box_title(b) for b in bs} for doc, bs in {
        "city-15": {"3 数字基础设施建设", "重大基础设施项目"}, "national-13": {"3 科技创新2030—重大项目"}}.items()}
    sources = {"city-15": "……推进数字基础设施建设，实施重大基础设施项目……", "national-13": "……科技创新2030—重大项目……",
               "district-14": "……加快数字基础设施建设，推进重大基础设施项目……"}
    # A title no other plan writes names its plan; so does one said with 专栏 or in quotes.
    assert boxed_plans("科技创新2030—重大项目中列出的项目有哪些?", boxes, sources) == ["national-13"]
    assert boxed_plans("专栏“数字基础设施建设”里有哪些项目?", boxes, sources) == ["city-15"]
    # Words that other plans write too name no plan.
    assert boxed_plans("数字基础设施建设有哪些项目?", boxes, sources) == []
