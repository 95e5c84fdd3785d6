"""The parser on the real plan and on small synthetic plans with the PDF artefacts it must survive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.corpus import load_corpus
from assistant.models import Document
from assistant.parsing import PlanParseError, cn_to_int, parse_file, parse_text
from assistant.text import normalise

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "corpus" / "haizhou-14th-five-year-plan.txt"


@pytest.fixture(scope="module")
def plan() -> Document:
    return parse_file(PLAN)


def _sections(doc: Document):
    return [(c, s) for c in doc.chapters for s in c.sections]


def _blocks(doc: Document):
    return [b for _, s in _sections(doc) for b in s.blocks]


def test_real_plan_structure(plan: Document) -> None:
    assert [c.number for c in plan.chapters] == list(range(11))
    assert plan.chapters[0].title == "序言"
    numbered = [(c.number, s.number) for c, s in _sections(plan) if s.number is not None]
    assert len(numbered) == 31
    assert len([b for b in _blocks(plan) if b.kind == "box"]) == 19
    assert plan.chapters[10].sections and all(s.number is None for s in plan.chapters[10].sections)
    # Headings with PDF spaces: "第四节 推动重点群体共享发展", chapter titles keep their separator.
    ch7 = plan.chapters[7]
    assert [s.title for s in ch7.sections if s.number == 4] == ["推动重点群体共享发展"]
    assert plan.chapters[3].title == "不断提高发展质效 着力打造实力海州"
    assert plan.title.startswith("连云港市海州区国民经济和社会发展第十四个五年规划")


def test_chapter_text_outside_sections(plan: Document) -> None:
    intro = plan.chapters[3].sections[0]
    assert intro.number is None and intro.blocks[0].text.startswith("始终把产业强区作为推动发展的核心战略")


def test_box_heading_mid_line(plan: Document) -> None:
    sec = next(s for c, s in _sections(plan) if (c.number, s.number) == (3, 2))
    box = next(b for b in sec.blocks if b.kind == "box")
    assert box.title == "服务业重点工程、重点项目"
    assert len(box.items) == 4 and box.items[1].text.startswith("旅游发展重点项目")
    para_before = sec.blocks[sec.blocks.index(box) - 1]
    assert para_before.text.endswith("综合性仓储物流园区。")
    # Item 6 of the infrastructure box is "6.233 国道…": the item number must not eat the road number.
    infra = next(b for b in _blocks(plan) if b.kind == "box" and b.title == "重大基础设施项目")
    assert infra.items[5].text.startswith("233 国道")


def test_table_title_without_table(plan: Document) -> None:
    sec = next(s for c, s in _sections(plan) if (c.number, s.number) == (2, 3))
    assert [b.title for b in sec.blocks if b.kind == "table"] == ["海州区“十四五”经济社会发展主要指标"]


def test_lead_phrases(plan: Document) -> None:
    leads = {b.lead for b in _blocks(plan) if b.kind == "paragraph"}
    assert {"提升发展生活性服务业", "优化养老服务供给", "经济总量不断扩大,产业结构得到新优化"} <= leads


def test_offsets_point_into_source(plan: Document) -> None:
    source = PLAN.read_text(encoding="utf-8")
    for block in _blocks(plan):
        for para in block.items if block.kind == "box" else [block] if block.kind == "paragraph" else []:
            assert source[para.span.start : para.span.end] == para.text


def test_every_body_character_lands_in_exactly_one_block(plan: Document) -> None:
    source = PLAN.read_text(encoding="utf-8")
    # The expected body: the source minus headings, found here by independent rules.
    body_lines = []
    for i, line in enumerate(source.splitlines()):
        if i < 3 or re.match(r"^\s*(序\s*言|第[一二三四五六七八九十]+[章节].*)\s*$", line):
            continue  # title lines, 序言, 章 and 节 headings
        if line.strip() == "海州区“十四五”经济社会发展主要指标":
            continue
        line = re.sub(r"专栏\s*:.*$", "", line)
        line = re.sub(r"^\s*\d{1,2}\.(?=\s|\D|233)", "", line)  # 专栏 item numbers
        body_lines.append(line)
    expected = normalise("".join(body_lines))
    texts = []
    for block in _blocks(plan):
        if block.kind == "paragraph":
            texts.append(block.text)
        elif block.kind == "box":
            texts.extend(item.text for item in block.items)
    assert normalise("".join(texts)) == expected
    spans = sorted(
        (p.span.start, p.span.end)
        for b in _blocks(plan)
        for p in (b.items if b.kind == "box" else [b] if b.kind == "paragraph" else [])
    )
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "blocks overlap"


def test_box_starting_mid_line_synthetic() -> None:
    text = "第一章 总则\n第一节 目标\n正文第一句。正文最后一句。专栏:重点项目\n1. 项目甲:建设。\n2. 项目乙。\n第二节 其他\n其他内容。\n"
    doc = parse_text(text, "t")
    sec = doc.chapters[0].sections[0]
    assert [b.kind for b in sec.blocks] == ["paragraph", "box"]
    assert sec.blocks[0].text == "正文第一句。正文最后一句。"
    assert sec.blocks[1].title == "重点项目" and [i.text for i in sec.blocks[1].items] == ["项目甲:建设。", "项目乙。"]
    assert sec.blocks[1].items[0].lead == "项目甲"
    assert doc.chapters[0].sections[1].blocks[0].text == "其他内容。"


def test_chapter_without_sections() -> None:
    doc = parse_text("标题行\n第一章 一\n第一节 甲\n甲文。\n第十章 保障\n加强领导 。全面贯彻。\n强化监督。\n", "t")
    last = doc.chapters[-1]
    assert last.number == 10 and len(last.sections) == 1 and last.sections[0].number is None
    assert [b.text for b in last.sections[0].blocks] == ["加强领导 。全面贯彻。", "强化监督。"]
    assert last.sections[0].blocks[0].lead == "加强领导"
    assert doc.title == "标题行"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    doc = parse_file(path)
    assert doc.chapters == [] and doc.title == "empty"


def test_file_without_headings_is_one_document_level_block(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("这是一份没有任何标题的文件,只有一段话。\n", encoding="utf-8")
    doc = parse_file(path)
    assert len(doc.chapters) == 1 and doc.chapters[0].number == 0
    blocks = doc.chapters[0].sections[0].blocks
    assert [b.text for b in blocks] == ["这是一份没有任何标题的文件,只有一段话。"]


def test_invalid_utf8_names_file_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes("第一章 总则\n".encode() + b"\xff\xfe bad")
    with pytest.raises(PlanParseError, match=r"bad\.txt.*byte offset 17"):
        parse_file(path)


def test_corpus_metadata_and_more_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("第一章 甲\n内容。\n", encoding="utf-8")
    (tmp_path / "a.json").write_text('{"title": "甲规划", "issuer": "某区人民政府", "year": "2021"}', encoding="utf-8")
    (tmp_path / "b.txt").write_text("序言\n前言内容。\n", encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert [(d.id, d.title, d.issuer) for d in docs] == [("a", "甲规划", "某区人民政府"), ("b", "b", None)]
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path / "missing")


@pytest.mark.parametrize(("cn", "n"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23)])
def test_chinese_numerals(cn: str, n: int) -> None:
    assert cn_to_int(cn) == n


SHARED = ROOT.parent / "shared" / "plans"


@pytest.mark.parametrize(("stem", "parts", "chapters"), [("national-12th-five-year-plan", 16, 62),
                                                         ("national-13th-five-year-plan", 20, 80)])
def test_national_outline_parts_and_untitled_preface(stem: str, parts: int, chapters: int) -> None:
    if not (SHARED / f"{stem}.txt").exists():
        pytest.skip("../shared/plans is missing")
    doc = parse_file(SHARED / f"{stem}.txt")
    assert len(doc.parts) == parts and [p.number for p in doc.parts] == list(range(1, parts + 1))
    numbered = [c.number for c in doc.chapters if c.number]
    assert numbered == list(range(1, chapters + 1))  # numbered through the whole document, across 篇
    # The text before 第一篇 has no 序言 heading: it is chapter 0, indexed, and says which years it covers.
    assert doc.chapters[0].number == 0 and "规划纲要" in doc.chapters[0].sections[0].blocks[0].text
    # A 篇's heading and intro text are its own unit (chapter None), not a caption or the previous section.
    part_units = [c for c in doc.chapters if c.number is None]
    assert len(part_units) == parts and all(c.sections[0].blocks for c in part_units[:1])
    assert not [b for _, s in _sections(doc) for b in s.blocks if b.kind == "table"]
    assert all(c.part is not None for c in doc.chapters if c.number)


def test_enumerated_headings_are_chapters_and_sections() -> None:
    text = "某市规划\n一、发展基础\n（一）主要成就\n全市生产总值达到100亿元。\n（二）面临形势\n机遇与挑战并存。\n二、主要目标\n到2025年，生产总值达到150亿元。\n"
    doc = parse_text(text, "t")
    assert [(c.number, c.title) for c in doc.chapters if c.number] == [(1, "发展基础"), (2, "主要目标")]
    assert [s.title for s in doc.chapters[0].sections] == ["主要成就", "面临形势"]
    # An enumerated sentence ("一、…。") in a plan with 第N章 headings stays a paragraph.
    doc2 = parse_text("第一章 总则\n一、坚持创新。创新是第一动力。\n", "t2")
    assert [c.number for c in doc2.chapters] == [1] and doc2.chapters[0].sections[0].blocks[0].kind == "paragraph"


def test_run_in_numbered_paragraphs_are_sections_numbered_in_their_chapter() -> None:
    """A 建议 sets its 节 as paragraphs numbered through the document, headed by their first sentence."""
    text = ("某市委关于制定某市第十五个五年规划的建议\n一、发展基础\n1.“十四五”时期发展取得历史性成就。全市生产总值"
            "达到100亿元。\n2.面临的形势。机遇与挑战并存。\n二、主要任务\n推动高质量发展。\n3.推进制造业扩容提质。"
            "实施技术改造。\n4.加快发展现代服务业。扩大服务供给。\n")
    doc = parse_text(text, "t")
    assert [(c.number, [(s.number, s.title) for s in c.sections if s.number]) for c in doc.chapters if c.number] == [
        (1, [(1, "“十四五”时期发展取得历史性成就"), (2, "面临的形势")]),
        (2, [(1, "推进制造业扩容提质"), (2, "加快发展现代服务业")])]
    section = doc.chapters[-1].sections[-1]
    assert section.blocks[0].text == "扩大服务供给。"  # the rest of the paragraph is the 节's text


def test_profiles_read_from_titles() -> None:
    from assistant.profile import derive_profile

    district = derive_profile("连云港市海州区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "")
    assert (district.place, district.level, district.period, district.start_year, district.target_year,
            district.vision_year) == ("海州区", "区县", "十四五", 2021, 2025, 2035)
    national = derive_profile("中华人民共和国国民经济和社会发展第十三个五年规划纲要", "")
    assert (national.short_name, national.target_year) == ("国家十三五", 2020)
    province = derive_profile("江苏省国民经济和社会发展第十五个五年规划纲要", "")
    assert (province.short_name, province.level, province.start_year, province.target_year) == ("江苏省十五五", "省", 2026, 2030)
