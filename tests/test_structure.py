"""Overviews from the plan's own tree (answer/structure.py) on a small plan parsed from text: no index,
no embedder, no chain."""

from __future__ import annotations

from assistant.answer.stats import PlanStats
from assistant.answer.structure import overview
from assistant.chunking import iter_chunks
from assistant.corpus import document_text, load_corpus
from assistant.query import analyse


PARTED = """云溪区国民经济和社会发展第十五个五年规划纲要

第一篇 产业发展

第一章 做强制造业

第一节 壮大先进制造

推动先进制造业集群发展，打造一批百亿级企业。

第二篇 民生保障

第一章 办好教育

第一节 扩大学位供给

新建中小学校10所，新增学位1万个。

第二节 发展职业教育

建设高水平职业院校，推动产教融合。
"""


def test_a_section_named_by_its_part_chapter_and_number_is_overviewed(tmp_path) -> None:
    """Chapters numbered afresh in each 篇: "第二篇第一章第二节讲什么" is that 节, and a 节 with neither led
    paragraphs nor 专栏 is told by its title and first sentence."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "yunxi-15th.txt").write_text(PARTED, encoding="utf-8")
    docs = load_corpus(corpus)
    sources = {d.id: document_text(d) for d in docs}
    stats = PlanStats([c for d in docs for c in iter_chunks(d, sources[d.id])], sources, docs)
    found = overview(analyse("第二篇第一章第二节讲什么?"), docs, stats)
    assert found is not None and found.body.startswith("第二节 发展职业教育")
    assert "产教融合" in found.body and "先进制造" not in found.body
    listed = overview(analyse("第二篇第一章有哪几项重点任务?"), docs, stats)
    assert listed is not None and "扩大学位供给" in listed.body and "发展职业教育" in listed.body
