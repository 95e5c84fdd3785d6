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


PARALLEL = """云溪区国民经济和社会发展第十五个五年规划纲要

第一章 总体要求

第一节 基本要求

把握好以下基本要求：

——更加注重创新驱动。把创新摆在发展全局的核心位置。

——更加注重统筹协调。推动城乡区域协调发展。

——更加注重绿色低碳。推进生产生活方式绿色转型。

第二节 发展目标

到2030年，全区地区生产总值达到760亿元，更加注重民生改善。
"""


def test_a_list_of_what_the_question_quotes_is_the_items_that_begin_with_it(tmp_path) -> None:
    """"哪几个“更加注重”": parallel items begin alike; their leads are the list, whichever sentence ranked first."""
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.followup import RewrittenQuery
    from assistant.models import Hit

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "yunxi-15th.txt").write_text(PARALLEL, encoding="utf-8")
    docs = load_corpus(corpus)
    sources = {d.id: document_text(d) for d in docs}
    chunks = [c for d in docs for c in iter_chunks(d, sources[d.id])]
    answerer = ExtractiveAnswerer(chunks, sources, docs)
    hits = [Hit(chunk=c, score=1.0) for c in reversed(chunks)]  # the 发展目标 sentence ranked first
    question = "基本要求提出了哪几个“更加注重”?"
    draft = answerer(RewrittenQuery(query=question), hits)
    assert draft.found
    assert all(w in draft.answer for w in ("更加注重创新驱动", "更加注重统筹协调", "更加注重绿色低碳"))
    assert "民生改善" not in draft.answer
    assert draft.trace["decision"].startswith("the led items that share")


TOPICS = """云溪区国民经济和社会发展第十五个五年规划纲要

第一章 产业发展

第一节 培育未来产业

聚力推动具备发展基础的未来产业创新发展。量子科技产业，推进量子通信创新突破。氢能产业，加快制储运用一体发展。生物制造产业，建设中试平台。

第二节 发展目标

今后五年的主要目标是：

——经济实力迈上新台阶。地区生产总值年均增长6%。

——创新能力实现新突破。研发投入强度达到3.5%。

到2035年，经济实力、创新能力大幅跃升，基本实现现代化。
"""


def _answer(tmp_path, plan: str, question: str):
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.followup import RewrittenQuery
    from assistant.models import Hit

    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "yunxi-15th.txt").write_text(plan, encoding="utf-8")
    docs = load_corpus(corpus)
    sources = {d.id: document_text(d) for d in docs}
    chunks = [c for d in docs for c in iter_chunks(d, sources[d.id])]
    return ExtractiveAnswerer(chunks, sources, docs)(RewrittenQuery(query=question),
                                                     [Hit(chunk=c, score=1.0) for c in chunks])


def test_sentences_that_open_with_parallel_topics_are_a_list(tmp_path) -> None:
    draft = _answer(tmp_path, TOPICS, "要发展哪些未来产业?")
    assert draft.found and all(t in draft.answer for t in ("量子科技产业", "氢能产业", "生物制造产业"))
    assert "量子通信" not in draft.answer  # the topics, not the sentences


def test_a_list_question_takes_the_sentence_that_announces_the_list(tmp_path) -> None:
    """"主要目标包括哪几个方面": the led paragraphs the announcing sentence introduces are the list. A question
    that asks no list never gets the announcement alone."""
    draft = _answer(tmp_path, TOPICS, "今后五年经济发展的主要目标包括哪几个方面?")
    assert "经济实力迈上新台阶" in draft.answer and "创新能力实现新突破" in draft.answer
    assert "2035" not in draft.answer
    number = _answer(tmp_path, TOPICS, "主要目标是多少?")
    assert "主要目标是：" not in number.answer and "主要目标是。" not in number.answer


COINED = """云溪区国民经济和社会发展第十五个五年规划纲要

第一章 建设现代化都市圈

第一节 推动同城化发展

编制都市圈发展规划，推动中心城区和周边县同城化。建设便捷高效的“通勤圈”，推动轨道“四网融合”。建设梯次配套的“产业圈”，加快产业协作。建设便利共享的“生活圈”，推动公共服务共享。

第二节 深化开放合作

健全开放型经济体系，拓展国际市场。
"""


def test_names_a_paragraph_coins_around_what_the_question_quotes_are_a_list(tmp_path) -> None:
    draft = _answer(tmp_path, COINED, "都市圈要建哪几个“圈”?")
    assert draft.found and all(f"“{n}”" in draft.answer for n in ("通勤圈", "产业圈", "生活圈"))
    assert "四网融合" not in draft.answer  # the names in their clauses, not the paragraph
    assert [c.quote for c in draft.citations][:1] == ["建设便捷高效的“通勤圈”"]


def test_a_brief_label_names_the_place_by_its_numbers() -> None:
    # One of several plans' replies after the first: 篇/章/节/专栏 by number, so that several fit in a reply;
    # the citations keep the titles.
    from assistant.answer.labels import label

    box = "2 “十五五”经济社会发展主要指标"
    full = label(3, "主要目标", 3, "发展目标", box, plan="南京市十五五")
    assert full == "南京市十五五 · 第三章 第三节 发展目标 · 专栏2 “十五五”经济社会发展主要指标"
    assert label(3, "主要目标", 3, "发展目标", box, plan="南京市十五五", brief=True) == "南京市十五五 · 第三章 第三节 · 专栏2"
    assert label(3, "主要目标", None, None, None, plan="国家十五五", brief=True) == "国家十五五 · 第三章"
    assert label(3, "主要目标", 1, "x", "民生保障重点项目", brief=True) == "第三章 第一节 · 专栏:民生保障重点项目"
