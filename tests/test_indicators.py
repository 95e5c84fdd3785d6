"""规划指标一览: the extractor on tricky sentences, the CLI formats, and recall on all three real plans."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.indicators import Indicator
from assistant.indicators.extract import chunk_indicators
from assistant.models import Chunk, Profile, Sentence
from assistant.text import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
PROFILE = Profile(short_name="测试区十四五", period="十四五", period_number=14, start_year=2021, target_year=2025)


def extract(text: str, review: bool = False) -> list[Indicator]:
    """The extractor on one paragraph, as if it were a plan's whole text."""
    sentences = [Sentence(text=text[s:e], start=s, end=e) for s, e in sentence_spans(text)]
    chunk = Chunk(id="t:0", doc_id="t", text=text, start=0, end=len(text), chapter=1, chapter_title="",
                  section=1, section_title="", block_index=0, sentences=sentences)
    return list(chunk_indicators(chunk, text, PROFILE, review))


def by_value(rows: list[Indicator]) -> dict[str, Indicator]:
    return {r.value: r for r in rows}


def test_comparison_base_year_is_not_the_figure_year() -> None:
    rows = by_value(extract("2020年,全区实现地区生产总值653亿元,人均地区生产总值7.39万元,分别是2015年的1.71倍、1.42倍。"))
    assert set(rows) == {"653亿元", "7.39万元", "1.71倍", "1.42倍"}
    assert rows["653亿元"].number == pytest.approx(6.53e10) and rows["653亿元"].unit == "元"
    assert rows["1.71倍"].year == 2020 and rows["1.71倍"].base_year == 2015
    assert rows["1.71倍"].comparator == "multiple" and rows["1.71倍"].kind == "achieved"
    assert rows["1.42倍"].indicator == "人均地区生产总值"  # "分别是…" inherits the clause's subjects


def test_growth_against_a_base_year() -> None:
    (row,) = [r for r in extract("2020年,规模以上工业企业产值较2015年增长24.5%。") if r.value == "24.5%"]
    assert (row.comparator, row.year, row.base_year, row.kind) == ("increase", 2020, 2015, "achieved")


def test_range() -> None:
    (row,) = extract("到2025年,研发经费投入年均增长3%—5%。")
    assert row.value == "3%—5%" and row.number == 3 and row.number_max == 5 and row.comparator == "range"


def test_doubling_and_half() -> None:
    rows = by_value(extract("高新技术企业数量较2015年实现翻番。"))
    assert rows["翻番"].number == 2 and rows["翻番"].comparator == "multiple" and rows["翻番"].base_year == 2015
    (half,) = extract("农村贫困人口减少一半。")
    assert half.value == "一半" and half.number == 50 and half.comparator == "decrease"


def test_chinese_numerals() -> None:
    rows = by_value(extract("新建三个产业园区,产值达到2015年的两倍。"))
    assert rows["三个"].number == 3 and rows["三个"].indicator == "产业园区"
    assert rows["两倍"].number == 2 and rows["两倍"].comparator == "multiple"
    assert extract("三大主导产业支撑明显,实现“四个一流”目标。") == []  # names, not counts


def test_several_figures_each_with_its_own_subject() -> None:
    rows = extract("新增转移农村劳动力1600人,城乡就业困难人员再就业2800人,城镇登记失业率控制在3%以内。")
    assert [(r.indicator, r.value) for r in rows] == [
        ("新增转移农村劳动力", "1600人"), ("城乡就业困难人员再就业", "2800人"), ("城镇登记失业率", "3%")]
    assert rows[2].comparator == "at_most"
    assert all(r.year == 2025 and r.kind == "target" for r in rows)  # no year said: the plan's target year


def test_years_list_numbers_and_names_are_not_figures() -> None:
    text = "1. 到2025年建成5G基站,建设S1线和3A景区,PM2.5浓度持续下降,连续6年入选前20强。"
    assert extract(text) == []


def test_a_figure_inside_the_subject_is_not_a_row() -> None:
    (row,) = extract("残疾儿童接受15年免费教育比例达98%以上。")
    assert row.indicator == "残疾儿童接受15年免费教育比例" and row.comparator == "at_least"


def test_a_ratio_is_one_value_with_its_subject() -> None:
    rows = extract("三次产业比重由“十三五”末的 6.1:28.6:65.3 调整为 2025 年的3.3：22.3：74.4 。")
    assert [r.value for r in rows] == ["6.1:28.6:65.3", "3.3：22.3：74.4"]  # not six figures
    assert all(r.indicator == "三次产业比重" and r.unit == "比" for r in rows), [r.indicator for r in rows]
    assert rows[0].number == 6.1 and rows[1].year == 2025


def test_comparators() -> None:
    rows = by_value(extract("一般公共预算收入突破100亿元,每年新增高标准农田3万亩左右,养老机构护理型床位占比不低于60%,"
                            "单位能耗降低16%。"))
    assert {v: r.comparator for v, r in rows.items()} == {
        "100亿元": "at_least", "3万亩": "about", "60%": "at_least", "16%": "decrease"}
    assert rows["60%"].indicator == "养老机构护理型床位占比"


def test_review_section_is_achieved() -> None:
    (row,) = extract("城乡居民人均可支配收入达4.1万元。", review=True)
    assert row.kind == "achieved" and row.year == 2020


# ---------------------------------------------------------------- CLI


def test_cli_json() -> None:
    result = CliRunner().invoke(app, ["indicators", "--grep", "护理型", "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(r["year"] == 2025 for r in rows)
    keys = {"doc", "part", "chapter", "section", "box", "indicator", "value", "number", "unit", "comparator", "year",
            "base_value", "base_year", "kind", "quote", "start", "end"}
    assert keys <= set(rows[0])
    assert any(r["value"] == "60%" and r["comparator"] == "at_least" for r in rows)


def test_cli_csv_and_filters() -> None:
    result = CliRunner().invoke(app, ["indicators", "--chapter", "7", "--csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert table and {r["章"] for r in table} == {"第七章"}
    bad = CliRunner().invoke(app, ["indicators", "--doc", "no-such-plan"])
    assert bad.exit_code == 1


# ---------------------------------------------------------------- real plans


def test_recall_on_the_three_plans_against_the_checked_lists() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from indicators import PLANS, measure  # bench/indicators.py

    if not all(p.exists() for p in PLANS.values()):
        pytest.skip("the national plans are not in /work/shared/plans")
    for name, s in measure().items():
        assert s["recall"] >= 0.9, (name, s["missed"])
        assert s["year"] >= 0.9 and s["comparator"] >= 0.85, (name, s["wrong"])


def test_rows_of_a_table_read_from_a_picture_come_from_its_grid(tmp_path) -> None:
    """The 主要指标 table as a picture: each year column a level for that year, the pace column a change,
    the unit from after the name, and 属性 kept (its sentence alone would give none of that)."""
    from assistant.corpus import document_text, load_document
    from assistant.indicators import indicators_for
    from assistant.ocr.models import ImageLine, Table
    from assistant.pictures import END_LINE, PictureRecord, start_line

    row = "创新驱动 · 每万人口发明专利拥有量（件）：2015年 6.3，2020年 12，年均增速[累计] [5.7]，属性 预期性。"
    file = "p.images/abc.png"
    (tmp_path / "p.images").mkdir()
    record = PictureRecord(file=file, source="images/t.png", width=600, height=300, kind="table",
                           title="专栏2 主要指标", lines=[ImageLine(text=row, region=(0, 50, 600, 70), conf=0.99)],
                           table=Table(header=["指标", "2015年", "2020年", "年均增速[累计]", "属性"],
                                       rows=[{"": "创新驱动", "指标": "每万人口发明专利拥有量（件）", "2015年": "6.3",
                                              "2020年": "12", "年均增速[累计]": "[5.7]", "属性": "预期性"}]))
    (tmp_path / "p.images" / "abc.json").write_text(record.model_dump_json(), encoding="utf-8")
    (tmp_path / "p.txt").write_text("\n".join(["某市国民经济和社会发展第十三个五年规划纲要", "第一章 主要目标",
                                                start_line(file), "专栏2 主要指标", row, END_LINE]), encoding="utf-8")
    doc = load_document(tmp_path / "p.txt")
    rows = indicators_for([doc], {doc.id: document_text(doc)})
    by_year = {r.year: r for r in rows if r.indicator == "每万人口发明专利拥有量"}
    assert by_year[2020].number == 12 and by_year[2020].kind == "target" and by_year[2020].unit == "件"
    assert by_year[2015].kind == "achieved" and all(r.attribute == "预期性" for r in rows)
    assert by_year[2020].group == "创新驱动"  # the row's 类别, apart from its name
    pace = next(r for r in rows if r.comparator == "increase")
    # [5.7] in the 年均增速[累计] column: a five-year total, in the row's unit, for the table's last year.
    assert pace.value == "5.7件" and pace.number == 5.7 and pace.unit == "件" and pace.box == "2 主要指标"
    assert pace.indicator == "每万人口发明专利拥有量（累计）" and pace.year == 2020


def test_a_review_table_keeps_the_previous_plans_targets_apart_from_what_was_achieved(tmp_path) -> None:
    """"…规划主要指标实现情况": its 规划目标 columns are targets and its 实现情况 columns achieved figures,
    whatever their year, and a pace runs to the table's last year (the end of the period reviewed)."""
    from assistant.corpus import document_text, load_document
    from assistant.indicators import indicators_for
    from assistant.ocr.models import ImageLine, Table
    from assistant.pictures import END_LINE, PictureRecord, start_line

    header = ["指标", "规划目标 2015年", "实现情况 2015年", "实现情况 年均增速[累计]"]
    cells = {"指标": "常住人口城镇化率（%）", "规划目标 2015年": "51.5", "实现情况 2015年": "56.1",
             "实现情况 年均增速[累计]": "[6.2]"}
    row = "常住人口城镇化率（%）：规划目标 2015年 51.5，实现情况 2015年 56.1，实现情况 年均增速[累计] [6.2]。"
    file = "p.images/rev.png"
    (tmp_path / "p.images").mkdir()
    record = PictureRecord(file=file, source="images/r.png", width=600, height=300, kind="table",
                           title="专栏1 上一规划主要指标实现情况",
                           lines=[ImageLine(text=row, region=(0, 50, 600, 70), conf=0.99)],
                           table=Table(header=header, rows=[cells]))
    (tmp_path / "p.images" / "rev.json").write_text(record.model_dump_json(), encoding="utf-8")
    (tmp_path / "p.txt").write_text("\n".join(["某市国民经济和社会发展第十三个五年规划纲要", "第一章 发展环境",
                                                start_line(file), "专栏1 上一规划主要指标实现情况", row, END_LINE]),
                                    encoding="utf-8")
    doc = load_document(tmp_path / "p.txt")
    rows = {r.value: r for r in indicators_for([doc], {doc.id: document_text(doc)}) if r.box}
    assert (rows["51.5%"].kind, rows["51.5%"].year) == ("target", 2015)
    assert (rows["56.1%"].kind, rows["56.1%"].year) == ("achieved", 2015)
    # A five-year total of a share is a change in percentage points.
    total = rows["6.2百分点"]
    assert (total.kind, total.year, total.comparator, total.unit) == ("achieved", 2015, "increase", "百分点")


# ---------------------------------------------------------------- one indicator across plans (indicators/compare.py)


def test_names_are_matched_whatever_the_list_number_unit_column_or_table_group() -> None:
    from assistant.indicators.compare import display_name, name_key

    assert display_name("（3）城镇化率 常住人口城镇化率（%）") == "常住人口城镇化率"
    assert display_name("城镇化率（年均增长(%)）") == "城镇化率"  # a pace column's bracket inside a bracket
    assert name_key("（22）森林发展 森林覆盖率") == name_key("森林增长 森林覆盖率（%）") == "森林覆盖率"
    assert name_key("单位GDP能源消耗降低（规划目标 年均增速[累计]）") == name_key("单位国内生产总值能源消耗降低")
    assert name_key("人均地区生产总值") == name_key("人均国内生产总值") != name_key("地区生产总值")
    assert name_key("常住人口城镇化率") != name_key("户籍人口城镇化率")


def national_rows() -> tuple[list[Indicator], dict[str, int]]:
    from assistant.corpus import document_text, load_document
    from assistant.indicators import indicators_for

    paths = [Path(f"/work/shared/plans/national-{n}-five-year-plan.txt") for n in ("13th", "12th")]
    if not all(p.exists() for p in paths):
        pytest.skip("the national plans are not in /work/shared/plans")
    docs = [load_document(p) for p in paths]
    order = {d.id: d.profile.start_year for d in docs}  # type: ignore[union-attr]
    return indicators_for(docs, {d.id: document_text(d) for d in docs}), order


def test_an_indicator_in_two_plans_is_shown_side_by_side_in_period_order() -> None:
    from assistant.indicators.compare import rows_named, shared_names

    rows, order = national_rows()
    shared = {s.label: s.plans for s in shared_names(rows)}
    assert shared.get("全国总人口") == 2 and shared.get("高中阶段教育毛入学率") == 2, shared
    assert all(len(label) >= 3 for label in shared)
    life = rows_named(rows, "全国总人口", order)
    assert [r.doc for r in life] == sorted((r.doc for r in life), key=order.__getitem__)  # the 12th plan first
    assert {r.doc for r in life} == set(order)
    # 城镇化率 stands as itself in one plan only: the other plan's 常住人口城镇化率 joins it.
    urban = rows_named(rows, "城镇化率", order)
    assert {r.doc for r in urban} == set(order) and any(r.indicator == "常住人口城镇化率" for r in urban)
    assert rows_named(rows, "火星基地", order) == [] and rows_named(rows, "", order) == []


def test_the_chart_draws_levels_of_one_unit_only() -> None:
    from assistant.indicators.compare import level_points

    rows, order = national_rows()
    urban = [r for r in rows if "城镇化率" in r.indicator]
    points = level_points(urban)
    assert points and all(r.comparator in ("reach", "at_least", "at_most", "about") for r in points)
    assert {r.unit for r in points} == {"%"}
    assert not any(r.value == "4个百分点" for r in points)  # a change over the period is not a level


# ---------------------------------------------------------------- the web tabs' handlers


class Plans:
    """What the reader and the tabs read of a PlanAssistant: the real plans, nothing else."""

    def __init__(self, paths: list[Path]) -> None:
        from assistant.corpus import document_text, load_document

        self.documents = [load_document(p) for p in paths]
        self.sources = {d.id: document_text(d) for d in self.documents}


def test_a_clicked_row_opens_its_quote_marked_in_its_section() -> None:
    import gradio as gr

    from assistant.indicators import indicators_for
    from assistant.web.indicators_tab import view
    from assistant.web.rows import open_quote, picked_row

    pa = Plans([ROOT / "corpus" / "haizhou-14th-five-year-plan.txt"])
    rows = indicators_for(pa.documents, pa.sources)
    shown = [i for i, r in enumerate(rows) if "护理型床位" in r.indicator]
    table = view([rows[i] for i in shown], {})
    click = gr.SelectData(None, {"index": [0, 2], "value": table.iat[0, 2], "row_value": list(table.iloc[0])})
    row = picked_row(rows, shown, click)
    assert row is rows[shown[0]]
    page, tab = open_quote(pa, row)
    mark = page.split("<mark>")[1].split("</mark>")[0]
    assert "护理型床位" in mark and row.value.replace(" ", "") in mark.replace(" ", "")
    assert "第三节 着力提升民生保障水平" in page and tab.selected == "reader"  # type: ignore[attr-defined]
    # A click the state no longer matches (another filter in between) finds the clicked row by its cells.
    assert picked_row(rows, list(range(len(rows))), click) is row
    assert picked_row(rows, shown, gr.SelectData(None, {"index": [99999, 0], "value": ""})) is None
    nothing = open_quote(pa, None)
    assert all(u == gr.update() for u in nothing)
