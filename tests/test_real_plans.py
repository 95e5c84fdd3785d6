"""Plans as staff receive them: the four files of ../shared/plans/real/ exactly as found, read into the
trees and identities counted by hand (tests/data/real_trees.json, written by reading the files, not the
code), and pages we make the way gazettes and news sites serve them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.config import ROOT
from assistant.ingest import add_plan
from assistant.parsing import parse_file
from conftest import SHARED_PLANS
from support import gazette_page

REAL = SHARED_PLANS / "real"
TRUTH = json.loads((ROOT / "tests" / "data" / "real_trees.json").read_text(encoding="utf-8"))


def _bare(s: str) -> str:
    return re.sub(r"[\s\d*]+", "", s)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_real_file_reads_into_its_true_tree(name: str, tmp_path: Path) -> None:
    source = REAL / name
    if not source.exists():
        pytest.skip(f"{source} is missing")
    truth = TRUTH[name]
    r = add_plan(source, tmp_path / "corpus", dry_run=True)
    rep = r.report
    assert (rep.parts, rep.chapters, rep.sections, rep.boxes) == (
        truth["parts"], truth["chapters"], truth["sections"], truth["boxes"])
    assert (r.meta.title, rep.place, rep.period) == (truth["title"], truth["place"], truth["period"])
    assert rep.chapters_numbered_in_parts == (truth["chapter_numbering"] == "per_part")
    assert not (tmp_path / "corpus").exists()  # a dry run writes nothing

    added = add_plan(source, tmp_path / "corpus")
    doc = parse_file(added.path)
    got = [(c.part if c.in_part else None, c.number, _bare(c.title)) for c in doc.chapters if c.number and not c.appendix]
    want = [(c["part"] if truth["chapter_numbering"] == "per_part" else None, c["number"], _bare(c["title"]))
            for c in truth["chapter_list"]]
    assert [g[:2] for g in got] == [w[:2] for w in want]
    titled = sum(g[2] == w[2] for g, w in zip(got, want))
    assert titled >= len(want) - 2, [(g, w) for g, w in zip(got, want) if g[2] != w[2]]


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_no_paragraph_of_a_real_file_starts_mid_sentence(name: str, tmp_path: Path) -> None:
    # A Chinese line never starts with "，" or a closing mark, and no paragraph ends in a comma or inside a
    # quotation: a paragraph that does is a printed line the extractor cut in two (北京's PDF text, at
    # quotation marks). (A 篇 title wrapped after its comma is a heading the parser joins.)
    source = REAL / name
    if not source.exists():
        pytest.skip(f"{source} is missing")
    text = add_plan(source, tmp_path / "corpus").path.read_text(encoding="utf-8")
    assert [l for l in text.splitlines() if re.match(r"[，,、。；;：:？?！!）)」』》”’]", l)] == []
    assert [l for l in text.splitlines() if re.search(r"[，,、“]$", l) and not re.match(r"第\S+篇", l)] == []


def test_one_line_gazette_page(tmp_path: Path) -> None:
    plan = SHARED_PLANS / "national-12th-five-year-plan.txt"
    if not plan.exists():
        pytest.skip(f"{plan} is missing")
    page = tmp_path / "gazette.html"
    page.write_text(gazette_page(plan, "附录　名词解释　　1.战略性新兴产业：以重大技术突破为基础的产业。"), encoding="utf-8")
    want = parse_file(plan)
    r = add_plan(page, tmp_path / "corpus", dry_run=True)
    assert (r.report.parts, r.report.chapters, r.report.sections) == (
        len(want.parts), sum(1 for c in want.chapters if c.number), sum(1 for c in want.chapters if c.number
                                                                         for s in c.sections if s.number))
    assert r.report.appendices and "十二个五年规划纲要" in r.meta.title
    assert any("导航" in d for d in r.report.dropped) and any("责任编辑" in d for d in r.report.dropped)
    assert any("另一则新闻" in d for d in r.report.dropped)  # news after the plan, inside the plan's element


def test_news_after_the_plan_is_dropped() -> None:
    from assistant.ingest.furniture import drop_trailing_furniture

    plan = "\n".join(f"第{n}章 标题{n}\n正文{n}，分享到朋友圈的做法要推广。" for n in "一二三四五六七八九十")
    kept, dropped = drop_trailing_furniture(plan + "\n责任编辑：某某\n第三章 另一则新闻\n视频：某地活动\n")
    assert kept.rstrip().endswith("分享到朋友圈的做法要推广。") and dropped[0] == "责任编辑：某某" and len(dropped) == 3
    assert drop_trailing_furniture(plan) == (plan, [])


def _cells_found(text: str, table: dict) -> tuple[int, int]:
    """Hand-checked cells (each year's value and 属性) that stand in the row sentence of their indicator."""
    rows = [l for l in text.splitlines() if "：" in l and l.endswith("。")]
    found = total = 0
    for r in table["rows"]:
        name = _bare(r["indicator"])
        line = next((l for l in rows if name in _bare(l.split("：")[0])), "")
        cells = [*r["values"].values(), r["attribute"]]
        total += len(cells)
        found += sum(bool(line) and _bare(c) in _bare(line) for c in cells)
    return found, total


@pytest.mark.parametrize("name", ["nanjing-15th.txt", "guangzhou-15th.html"])
def test_text_indicator_table_reads_as_rows(name: str, tmp_path: Path) -> None:
    """Their 主要指标 tables (text cells split by gaps; an HTML table with merged cells) become one
    sentence per row, with units after the figures; cell accuracy against the hand-checked rows."""
    source = REAL / name
    if not source.exists():
        pytest.skip(f"{source} is missing")
    text = add_plan(source, tmp_path / "corpus").path.read_text(encoding="utf-8")
    found, total = _cells_found(text, TRUTH[name]["indicator_table"])
    print(f"{name}: {found}/{total} cells")
    assert found >= 0.9 * total


def test_a_part_and_its_restarted_chapters_are_found_by_their_numbers(tmp_path: Path) -> None:
    """Beijing numbers its chapters afresh in every 篇: "第十三篇有哪几章" lists that 篇's chapters, and
    "第五篇第三章有哪几节" is the third chapter of the fifth 篇, not of the first."""
    from assistant.answer.stats import PlanStats
    from assistant.answer.structure import overview
    from assistant.chunking import iter_chunks
    from assistant.corpus import document_text, load_corpus
    from assistant.query import analyse

    if not (REAL / "beijing-15th.txt").exists():
        pytest.skip("../shared/plans/real is missing")
    add_plan(REAL / "beijing-15th.txt", tmp_path / "corpus")
    docs = load_corpus(tmp_path / "corpus")
    sources = {d.id: document_text(d) for d in docs}
    stats = PlanStats([c for d in docs for c in iter_chunks(d, sources[d.id])], sources, docs)
    part = overview(analyse("第十三篇有哪几章?"), docs, stats)
    assert part is not None and part.chapter.part == 13 and part.chapter.number is None
    assert part.body.startswith("第十三篇 加快绿色转型共五章：第一章 持续深化污染防治；") and "第五章 提升生态文明治理效能" in part.body
    chapter = overview(analyse("第五篇第三章有哪几节?"), docs, stats)
    assert chapter is not None and (chapter.chapter.part, chapter.chapter.number) == (5, 3)
    assert "加快建设中关村世界领先科技园区" in chapter.body and "第二节 统筹“三城一区”主平台联动发展" in chapter.body
