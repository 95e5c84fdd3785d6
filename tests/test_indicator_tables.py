"""指标一览 from indicator tables read as tables (issue 26): a table that stood in the plan's text is written
at ingest as one sentence per row (tables.py), read back into its cells here, and read by the same row
reader as a table read from a picture (indicators/from_tables.py).

Expected rows are checked by hand against the plans' files as found (../shared/plans/real/): Nanjing's
专栏2 (a text table, cells split by tabs) and Guangzhou's 专栏1 (an HTML table with merged cells and a 单位
column); and against small tables drawn here in shapes neither has (a review table of 目标 / 完成 columns,
a 2035 column and a pace column)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus import document_text, load_corpus
from assistant.indicators import Indicator, indicators_for
from assistant.ingest import add_plan
from assistant.tables import is_row_sentence, parse_row_sentence, read_table, with_unit
from conftest import SHARED_PLANS

REAL = SHARED_PLANS / "real"


def plan_rows(source: Path, corpus: Path) -> tuple[list[Indicator], str]:
    added = add_plan(source, corpus)
    (doc,) = [d for d in load_corpus(corpus) if Path(d.source_path) == added.path]
    text = document_text(doc)
    return indicators_for([doc], {doc.id: text}), text


def real_rows(name: str, tmp_path: Path) -> tuple[list[Indicator], str]:
    source = REAL / name
    if not source.exists():
        pytest.skip(f"{source} is missing")
    return plan_rows(source, tmp_path / "corpus")


def table_rows(rows: list[Indicator], text: str) -> list[Indicator]:
    """The rows that stand in a table row's sentence."""
    return [r for r in rows if is_row_sentence(text[r.start:r.end])]


def one(rows: list[Indicator], indicator: str, year: int, kind: str) -> Indicator:
    found = [r for r in rows if r.indicator == indicator and r.year == year and r.kind == kind]
    assert len(found) == 1, (indicator, year, kind, [(r.indicator, r.year, r.kind, r.value) for r in rows])
    return found[0]


def check(rows: list[Indicator], expected: list[tuple]) -> None:
    """(indicator, year, kind, value, number, unit, comparator, attribute, group) per expected row."""
    for indicator, year, kind, value, number, unit, comparator, attribute, group in expected:
        r = one(rows, indicator, year, kind)
        got = (r.value, r.number, r.unit, r.comparator, r.attribute, r.group)
        assert got == (value, pytest.approx(number), unit, comparator, attribute, group), (indicator, year, got)


# ---------------------------------------------------------------- the real plans, as found

# Nanjing 专栏2 "“十五五”经济社会发展主要指标": 分类 | 序号 | 指标 | 属性 | 2030年目标值, read by hand from the file.
NANJING = [
    ("地区生产总值（GDP）年均增长率", 2030, "target", "5%", 5, "%", "at_least", "预期性", "经济强"),  # 5以上
    ("全社会研发经费投入年均增长", 2030, "target", "7.5%", 7.5, "%", "increase", "预期性", "经济强"),
    ("每万人口拥有高价值发明专利数", 2030, "target", "120件", 120, "件", "reach", "预期性", "经济强"),
    ("全员劳动生产率", 2030, "target", "48万元", 4.8e5, "元", "reach", "预期性", "经济强"),
    ("规上数字经济核心产业企业营业收入占比", 2030, "target", "24%", 24, "%", "reach", "预期性", "经济强"),
    ("人均预期寿命", 2030, "target", "85岁", 85, "岁", "at_least", "预期性", "百姓富"),  # ≥85
    ("3岁以下婴幼儿入托率", 2030, "target", "20%", 20, "%", "reach", "预期性", "百姓富"),
    ("养老机构护理型床位占比", 2030, "target", "85%", 85, "%", "reach", "预期性", "百姓富"),
    ("劳动年龄人口平均受教育年限", 2030, "target", "13.5年", 13.5, "年", "reach", "约束性", "社会文明程度高"),
    ("文化产业增加值占GDP比重", 2030, "target", "6.5%", 6.5, "%", "about", "预期性", "社会文明程度高"),  # 6.5左右
    ("旅游业总收入", 2030, "target", "3300亿元", 3.3e11, "元", "reach", "预期性", "社会文明程度高"),
    ("粮食综合生产能力", 2030, "target", "100万吨", 1e6, "吨", "at_least", "约束性", "城市安全韧性"),  # ＞100
    # 〔16〕: the note says 〔〕 is the change over the period
    ("死亡人数下降（累计）", 2030, "target", "16%", 16, "%", "decrease", "约束性", "城市安全韧性"),
]


def test_nanjing_indicator_table_rows_read_by_their_columns(tmp_path: Path) -> None:
    rows, text = real_rows("nanjing-15th.txt", tmp_path)
    table = table_rows(rows, text)
    check(table, NANJING)
    nurses = [r for r in table if r.indicator.endswith("注册护士数")]
    assert [(r.number, r.unit, r.year, r.kind) for r in nurses] == [(5.5, "人", 2030, "target")]
    # Cells without a figure (基本稳定, 与经济增长保持同步, 完成省定目标) give no row, and no name keeps a
    # comparator, a column's name or a list number.
    assert not any("森林覆盖率" in r.indicator or "制造业增加值占比" in r.indicator for r in table)
    assert all(not any(w in r.indicator for w in ("≥", "目标值", "预期性", "约束性")) for r in rows)
    assert len(table) == 18
    # The 十四五 review table that ingest could not read (its header stands over four lines) gives no
    # row guessed from its cells as if they were a sentence ("1地区生产总值（亿元）预期性20000以上" 6.5%).
    assert not any("预期性" in r.indicator or "20000以上" in r.indicator or r.indicator.startswith("1地区") for r in rows)


# Guangzhou 专栏1: 类别 | 指标 | 单位 | 2025年完成值 | 2030年目标值 | 属性 (an HTML table), read by hand.
GUANGZHOU = [
    ("地区生产总值年均增长", 2025, "achieved", "4.0%", 4.0, "%", "increase", "预期性", "经济发展"),  # “十四五”年均增长4.0
    ("地区生产总值年均增长", 2030, "target", "5.0%", 5.0, "%", "about", "预期性", "经济发展"),
    ("全员劳动生产率", 2025, "achieved", "28万元/人", 2.8e5, "元/人", "reach", "预期性", "经济发展"),
    ("全员劳动生产率", 2030, "target", "36万元/人", 3.6e5, "元/人", "reach", "预期性", "经济发展"),
    ("“15+8”产业增加值占地区生产总值比重", 2030, "target", "67.5%", 67.5, "%", "reach", "预期性", "经济发展"),  # * a note
    ("海洋生产总值", 2025, "achieved", "5231亿元", 5.231e11, "元", "reach", "预期性", "经济发展"),
    ("全社会研发经费支出占地区生产总值比重", 2030, "target", "4.0%", 4.0, "%", "about", "预期性", "科技创新"),
    ("机场旅客吞吐量", 2025, "achieved", "8358万人次", 8.358e7, "人次", "reach", "预期性", "对外开放"),  # 8358/244
    ("机场货邮吞吐量", 2030, "target", "350万吨", 3.5e6, "吨", "reach", "预期性", "对外开放"),
    ("港口集装箱吞吐量", 2025, "achieved", "2805万标箱", 2.805e7, "标箱", "reach", "预期性", "对外开放"),
    # "2021-2024年累计降低8.2" in the 2025年完成值 column: achieved, through 2024, a total
    ("单位地区生产总值二氧化碳排放降低（累计）", 2024, "achieved", "8.2%", 8.2, "%", "decrease", "约束性", "绿色低碳"),
    ("细颗粒物（PM2.5）年均浓度", 2030, "target", "20微克/立方米", 20, "微克/立方米", "at_most", "约束性", "绿色低碳"),
    ("累计城镇新增就业人数", 2025, "achieved", "160万人", 1.6e6, "人", "increase", "预期性", "民生福祉"),
    ("城乡居民人均可支配收入比值", 2025, "achieved", "1.99", 1.99, "", "reach", "预期性", "民生福祉"),  # unit "—"
    ("普通高中入学率", 2030, "target", "70%", 70, "%", "at_least", "预期性", "民生福祉"),
    ("人均预期寿命", 2025, "achieved", "84.38岁", 84.38, "岁", "reach", "预期性", "民生福祉"),
    ("人均预期寿命", 2030, "target", "85岁", 85, "岁", "at_least", "预期性", "民生福祉"),
    ("单位地区生产总值生产安全事故死亡率", 2025, "achieved", "0.61人/百亿元", 0.61, "人/百亿元", "reach", "约束性",
     "安全保障"),
]


def test_guangzhou_indicator_table_rows_read_by_their_columns(tmp_path: Path) -> None:
    rows, text = real_rows("guangzhou-15th.html", tmp_path)
    table = table_rows(rows, text)
    check(table, GUANGZHOU)
    # 完成值 columns are achieved, 目标值 columns targets: never the other way round.
    assert {r.kind for r in table if r.year == 2030} == {"target"}
    assert {r.kind for r in table if r.year in (2024, 2025)} == {"achieved"}
    assert not any("森林覆盖率" in r.indicator and r.year == 2030 for r in table)  # 完成省下达目标: no figure
    assert all(r.attribute in ("预期性", "约束性") for r in table)
    assert not any(w in r.indicator for r in rows for w in ("目标值", "完成值", "≥"))


# ---------------------------------------------------------------- drawn tables of other shapes

DRAWN = ["某县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "",
         "第一章 发展基础", "", "“十三五”时期，全县经济社会发展取得显著成就。", "",
         "专栏1  “十三五”规划主要指标完成情况",
         "类别\t指标\t单位\t2020年目标\t2020年完成\t属性",
         "经济发展\t地区生产总值\t亿元\t1000以上\t1050\t预期性",
         "\t常住人口城镇化率\t%\t65\t66.2\t预期性",
         "绿色发展\t单位地区生产总值能耗降低\t%\t〔15〕\t〔16.5〕\t约束性",
         "\t森林覆盖率\t%\t≥30\t31.2*\t约束性",
         "注：〔 〕内为五年累计数；带*为2019年数据。", "",
         "第二章 主要目标", "",
         "专栏2  主要指标",
         "指标\t2025年\t2035年\t年均增长（%）\t属性",
         "居民人均可支配收入（万元）\t6.5\t10左右\t6左右\t预期性",
         "每千人口医疗卫生机构床位数（张）\t6.1\t7.5\t—\t约束性",
         "规模以上工业增加值（亿元）\t300\t600\t＞7\t预期性",
         "", "到2025年，全县综合实力显著增强。", ""]


def test_a_drawn_review_table_and_a_table_with_a_vision_and_a_pace_column(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "drawn.txt"
    source.write_text("\n".join(DRAWN), encoding="utf-8")
    rows, text = plan_rows(source, tmp_path / "corpus")
    table = table_rows(rows, text)
    check(table, [
        # a review table: 目标 and 完成 columns of one year are a target and what was achieved
        ("地区生产总值", 2020, "target", "1000亿元", 1e11, "元", "at_least", "预期性", "经济发展"),
        ("地区生产总值", 2020, "achieved", "1050亿元", 1.05e11, "元", "reach", "预期性", "经济发展"),
        ("常住人口城镇化率", 2020, "achieved", "66.2%", 66.2, "%", "reach", "预期性", "经济发展"),  # 类别 merged
        ("单位地区生产总值能耗降低（累计）", 2020, "target", "15%", 15, "%", "decrease", "约束性", "绿色发展"),
        ("单位地区生产总值能耗降低（累计）", 2020, "achieved", "16.5%", 16.5, "%", "decrease", "约束性", "绿色发展"),
        ("森林覆盖率", 2020, "target", "30%", 30, "%", "at_least", "约束性", "绿色发展"),
        ("森林覆盖率", 2020, "achieved", "31.2%", 31.2, "%", "reach", "约束性", "绿色发展"),  # * a note
        # no 类别 column; a 2035 column; a pace column over the plan's five years, in %
        ("居民人均可支配收入", 2025, "target", "6.5万元", 6.5e4, "元", "reach", "预期性", None),
        ("居民人均可支配收入", 2035, "target", "10万元", 1e5, "元", "about", "预期性", None),
        ("居民人均可支配收入（年均增长）", 2025, "target", "6%", 6, "%", "about", "预期性", None),
        ("每千人口医疗卫生机构床位数", 2035, "target", "7.5张", 7.5, "张", "reach", "约束性", None),
        ("规模以上工业增加值（年均增长）", 2025, "target", "7%", 7, "%", "at_least", "预期性", None),
    ])
    assert len(table) == 16  # 8 + 8 cells with figures; "—" is none


def test_a_row_sentence_reads_back_into_the_cells_it_was_written_from() -> None:
    lines = [line for line in DRAWN if "\t" in line]
    header_at = [i for i, line in enumerate(lines) if line.startswith(("类别", "指标"))]
    for start, end in zip(header_at, [*header_at[1:], len(lines)]):
        read = read_table(lines[start:end])
        assert read is not None
        table, sentences, _ = read
        for record, sentence in zip(table.rows, sentences, strict=True):
            labels, cells = parse_row_sentence(sentence)  # type: ignore[misc]
            assert labels == ([record[""]] if record.get("") else []) + [record["指标"]]
            assert cells.keys() == set(record) - {"", "指标"}
            # each cell comes back as written: the figure with the unit the writer put after it
            unit = record["指标"].rpartition("（")[2].rstrip("）")
            assert cells == {k: v if k == "属性" else with_unit(v, unit) for k, v in record.items() if k in cells}
    assert parse_row_sentence("到2025年，全县综合实力显著增强。") is None
    assert parse_row_sentence("经济发展 · 地区生产总值（亿元）：2025年完成值 “十四五”年均增长4.0，2030年目标值 5，6，属性 预期性。") == (
        ["经济发展", "地区生产总值（亿元）"],
        {"2025年完成值": "“十四五”年均增长4.0", "2030年目标值": "5，6", "属性": "预期性"})


def test_the_picture_route_and_the_text_route_read_one_row_alike() -> None:
    """The same row, as a picture's grid (no units in its cells) and as its written sentence: one reading."""
    from assistant.indicators.from_tables import read_row

    header = ["类别", "指标", "2025年", "2030年", "年均/累计", "属性"]
    grid = {"类别": "民生福祉", "指标": "12.3岁以下婴幼儿入托率提高（百分点）", "年均/累计": "[6]", "属性": "预期性"}
    sentence = {"类别": "民生福祉", "指标": "3岁以下婴幼儿入托率提高（百分点）", "年均/累计": "[6]", "属性": "预期性"}
    a, b = list(read_row(grid, header, 2026, 2030)), list(read_row(sentence, header, 2026, 2030))
    assert a == b and len(a) == 1
    assert (a[0]["indicator"], a[0]["value"], a[0]["unit"], a[0]["comparator"], a[0]["year"], a[0]["kind"]) == (
        "3岁以下婴幼儿入托率提高（累计）", "6百分点", "百分点", "increase", 2030, "target")
    grid = {"类别": "民生福祉", "指标": "7.城镇调查失业率（%）", "2025年": "5.2", "年均/累计": "<5.5", "属性": "预期性"}
    sentence = {"类别": "民生福祉", "指标": "城镇调查失业率（%）", "2025年": "5.2%", "年均/累计": "<5.5%", "属性": "预期性"}
    a, b = list(read_row(grid, header, 2026, 2030)), list(read_row(sentence, header, 2026, 2030))
    assert a == b
    assert [(r["value"], r["comparator"], r["year"], r["kind"]) for r in a] == [
        ("5.2%", "reach", 2025, "achieved"), ("5.5%", "at_most", 2030, "target")]


# ---------------------------------------------------------------- a numbered table copied out of a PDF


def test_beijings_table_copied_from_its_pdf_is_read_row_by_row(tmp_path: Path) -> None:
    """Beijing's 主要指标 table as its PDF text has it: cells split by one space, wrapped cells on lines of
    their own, 类别 cells as short lines between rows, and four row numbers lost as page numbers. Every
    row but the one with two sub-rows (29) reads; the expected cells were checked by hand against the file."""
    if not (SHARED_PLANS / "real" / "beijing-15th.txt").exists():
        pytest.skip("../shared/plans/real is missing")
    result = add_plan(SHARED_PLANS / "real" / "beijing-15th.txt", tmp_path / "corpus")
    text = result.path.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if is_row_sentence(line)]
    assert len(rows) == 30, rows
    expected = [
        "创新发展 · 全社会研究与试验发展经费支出占地区生产总值比重(%)：2025年 6左右∗，2030年目标 >6%，属性 预期性。",
        "创新发展 · 地区生产总值年均增速(%)：2025年 5.4%，2030年目标 4.5-5,努力争取更好结果，属性 预期性。",
        "协调发展 · 常住人口规模(万人)：2025年 2180万人，2030年目标 ≤2300万人，属性 约束性。",
        "绿色发展 · 优良水体比例(%)：2030年目标 达到国家要求，属性 约束性。",
        "开放发展 · 实际利用外资规模(亿美元)：2025年 68.7亿美元，2030年目标 【350左右】，属性 预期性。",
        "安全稳定 · 单位地区生产总值生产安全事故死亡率(人/百亿元)：2025年 0.6人/百亿元，2030年目标 <0.6人/百亿元，属性 约束性。",
        # a parent indicator over two sub-indicators, its 属性 a cell merged over both
        "安全稳定 · 食品药品安全 · 食品安全抽检合格率(%)：2025年 >98.5∗，2030年目标 >98.7%，属性 约束性。",
        "安全稳定 · 食品药品安全 · 药品抽检合格率(%)：2025年 >99∗，2030年目标 >99%，属性 约束性。",
    ]
    assert all(row in rows for row in expected), [r for r in expected if r not in rows]
    assert "注:1.【 】为5年累计数,带∗为预计数。" in text  # the notes stay, under the rows


def test_a_drawn_numbered_table_of_another_shape() -> None:
    from assistant.tables import rewrite_tables

    drawn = "\n".join([
        "表1 主要指标", "序号 指标 2030年 属性",
        "1 森林覆盖率(%) 32 约束性", "2", "城镇新增就业人数", "(万人)", "【50】 预期性",
        "3 空气质量优良天数比率(%) >85", "约束性", "— 7 —", "序号 指标 2030年 属性",
        "4 人均预期寿命(岁) 80左右 预期性", "注:【 】为五年累计数。", "第二章 发展环境"])
    out = rewrite_tables(drawn).splitlines()
    assert out[1:5] == ["森林覆盖率(%)：2030年 32%，属性 约束性。", "城镇新增就业人数(万人)：2030年 【50】，属性 预期性。",
                        "空气质量优良天数比率(%)：2030年 >85%，属性 约束性。", "人均预期寿命(岁)：2030年 80岁左右，属性 预期性。"], out
    assert out[0] == "表1 主要指标" and out[5:] == ["注:【 】为五年累计数。", "第二章 发展环境"]


def test_a_worded_cell_takes_its_unit_after_the_figure_that_ends_it() -> None:
    assert with_unit("“十五五”年均增长5.0左右", "%") == "“十五五”年均增长5.0%左右"
    assert with_unit("2021-2024年累计降低8.2", "%") == "2021-2024年累计降低8.2%"
    assert with_unit("73", "%") == "73%" and with_unit("5以上", "%") == "5%以上"
    # Words without a figure, a year, or a code's digit take no unit.
    assert with_unit("完成省下达目标", "%") == "完成省下达目标"
    assert with_unit("2025年", "%") == "2025年"
    assert with_unit("〔10〕", "%") == "〔10〕"
    assert with_unit("8358/244", "万人次") == "8358/244"  # two figures in one cell: neither is worded
