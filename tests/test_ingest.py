"""Adding plans (issue #10): real PDF (printed by Debian's Chromium) and DOCX files made from a shared
plan, one test per repair, every bad input through the CLI, a kill -9 mid-add, and the incremental
index on a tiny plan. Every corpus here is a temporary folder, never the repo's corpus/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import ROOT, get_settings
from assistant.corpus import corpus_files, load_corpus, load_document
from assistant.ingest import IngestError, add_plan, detect_meta, plan_id, remove_plan
from assistant.ingest.pdf import extract_pdf
from assistant.ingest.repair import (drop_page_furniture, fold_lookalikes, join_broken_lines,
                                     join_number_spaces, split_glued_headings, to_halfwidth)
from assistant.models import Document
from assistant.parsing import CHAPTER_RE, PART_RE, SECTION_RE
from assistant.text import normalise
from support import cli_corpus, print_plan_pdf

SHARED_PLAN = ROOT.parent / "shared" / "plans" / "national-13th-five-year-plan.txt"
runner = CliRunner()


# ---------------------------------------------------------------- one test per repair


def test_fold_lookalikes_maps_radicals_to_ideographs_only() -> None:
    assert fold_lookalikes("第⼀章 ⽤地⻓期，⼈⺠（２０２５）") == "第一章 用地长期，人民（２０２５）"
    assert fold_lookalikes("粮⻝安全") == "粮食安全"  # a radical of the supplement NFKC leaves alone
    assert fold_lookalikes("\u2e3a坚持创新") == "——坚持创新"


def test_to_halfwidth_keeps_cjk_punctuation() -> None:
    assert to_halfwidth("２０２５年ＧＤＰ增长６％，（一）") == "2025年GDP增长6％，（一）"


def test_join_number_spaces() -> None:
    assert join_number_spaces("占比60 %，增长3 . 5倍，1000元/ m 2") == "占比60%，增长3.5倍，1000元/m²"


def test_drop_page_furniture_removes_numbers_and_running_headers() -> None:
    body = ["推进产业升级。", "完善公共服务。", "加强生态保护。", "深化改革开放。"]
    pages = [f"某区发展规划\n{b}\n- {i} -" for i, b in enumerate(body, 1)] + ["末页正文。\n5"]
    assert drop_page_furniture("\f".join(pages)).splitlines() == body + ["末页正文。"]


def test_join_broken_lines_mends_wrapped_sentences_only() -> None:
    text = "第一章 总体要求\n这是一个很长的句子被排版在页面右边界处断开，需要和下一行\n连在一起才完整。\n短标题\n下一段。"
    assert join_broken_lines(text).splitlines() == [
        "第一章 总体要求", "这是一个很长的句子被排版在页面右边界处断开，需要和下一行连在一起才完整。", "短标题", "下一段。"]


def test_a_printed_line_cut_at_a_quotation_mark_is_joined_again() -> None:
    # The extractor cut printed lines after a closing quotation mark (the next piece starts with a comma, which
    # no Chinese line does; the two pieces together fill the line, so the next line joins too) and before an
    # opening one (the piece before ends in a comma or inside an open quotation: no paragraph ends so).
    text = ("第一章 总体要求\n这是一个很长的句子被排版在页面右边界处断开，需要和下一行\n连在一起，牢牢抓住这个“牛鼻子”\n"
            ",强化“两翼”牵引\n支撑作用，形成新格局。\n总的来看,\n“十五五”时期是关键时期。\n坚持“四个\n中心”功能定位。\n"
            "短标题\n下一段。")
    assert join_broken_lines(text).splitlines() == [
        "第一章 总体要求", "这是一个很长的句子被排版在页面右边界处断开，需要和下一行连在一起，牢牢抓住这个“牛鼻子”,强化“两翼”牵引支撑作用，形成新格局。",
        "总的来看,“十五五”时期是关键时期。", "坚持“四个中心”功能定位。", "短标题", "下一段。"]


def test_split_glued_headings_only_after_a_sentence_end() -> None:
    assert split_glued_headings("取得新成效。第三章 发展环境").splitlines() == ["取得新成效。", "第三章 发展环境"]
    assert split_glued_headings("按照第三章的部署推进。专栏1 重点工程").splitlines() == ["按照第三章的部署推进。", "专栏1 重点工程"]
    assert split_glued_headings("按照第三章的部署推进") == "按照第三章的部署推进"


def test_detect_meta_and_safe_ids() -> None:
    meta = detect_meta("某市国民经济和社会发展第十四个五年规划\n和二〇三五年远景目标纲要\n某市人民政府\n（2021年2月）\n正文。")
    assert meta.title == "某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert (meta.issuer, meta.year) == ("某市人民政府", "2021")
    assert plan_id("十四五规划.pdf") == "shi-si-wu-gui-hua"
    assert plan_id("../../etc/Passwd.txt") == "passwd"
    assert plan_id("《》.txt").startswith("plan-")


# ---------------------------------------------------------------- real files from a shared plan


def _tree(doc: Document) -> tuple:
    return ([(p.number, p.title) for p in doc.parts],
            [(c.number, c.part, c.title, [(s.number, s.title) for s in c.sections if s.number])
             for c in doc.chapters if c.number])


@pytest.fixture(scope="module")
def plan_lines() -> list[str]:
    """The first two 篇 of the shared plan (~9,400 chars): 篇, 章 and 节 headings, kept small for speed."""
    if not SHARED_PLAN.exists():
        pytest.skip(f"{SHARED_PLAN} is not there")
    lines = SHARED_PLAN.read_text(encoding="utf-8").splitlines()
    third = next(i for i, l in enumerate(lines) if l.startswith("第三篇"))
    return lines[:third]


@pytest.fixture(scope="module")
def reference(plan_lines: list[str], tmp_path_factory: pytest.TempPathFactory) -> Document:
    src = tmp_path_factory.mktemp("txt") / "plan.txt"
    src.write_text("\n".join(plan_lines) + "\n", encoding="utf-8")
    corpus = tmp_path_factory.mktemp("corpus")
    doc = load_document(add_plan(src, corpus).path)
    assert len(doc.parts) == 2 and sum(1 for c in doc.chapters if c.number) >= 8
    return doc


@pytest.fixture(scope="module")
def chromium_pdf(plan_lines: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    print_plan_pdf(plan_lines, out)
    return out


def test_chromium_pdf_gives_the_text_files_tree(chromium_pdf: Path, reference: Document, tmp_path: Path) -> None:
    raw = extract_pdf(chromium_pdf).text
    doc = load_document(add_plan(chromium_pdf, tmp_path).path)
    assert _tree(doc) == _tree(reference)
    assert doc.title == reference.title
    text = doc.source_path and Path(doc.source_path).read_text(encoding="utf-8")
    assert "发展规划文本" not in text and "- 3 -" not in text  # running header and page numbers gone
    # Paragraphs too: a line that ends a sentence exactly at the right margin is ambiguous (76 of 80 when written).
    got = {normalise(l) for l in text.splitlines()}
    want = [normalise(l) for l in Path(reference.source_path).read_text(encoding="utf-8").splitlines()[1:] if l != "---"]
    assert sum(w in got for w in want) >= 0.9 * len(want)
    radicals = [c for c in raw if "\u2e80" <= c <= "\u2fdf"]
    assert radicals, "Chromium's PDF no longer shows the look-alike problem: this test checks nothing"
    assert not any("\u2e80" <= c <= "\u2fdf" for c in text)


def test_docx_gives_the_text_files_tree(plan_lines: list[str], reference: Document, tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading(plan_lines[0], level=0)
    for line in plan_lines[1:]:
        level = 1 if PART_RE.match(line) else 2 if CHAPTER_RE.match(line) else 3 if SECTION_RE.match(line) else 0
        d.add_heading(line, level=level) if level else d.add_paragraph(line)
    src = tmp_path / "十三五.docx"
    d.save(src)
    doc = load_document(add_plan(src, tmp_path / "corpus").path)
    assert doc.id == "shi-san-wu" and _tree(doc) == _tree(reference)


# ---------------------------------------------------------------- bad input, through the CLI

TINY = ("某县发展规划纲要\n2021年\n第一章 总体要求\n第一节 发展目标\n到2025年，全县生产总值达到500亿元。\n"
        "第二章 民生保障\n第一节 教育\n新建学校10所，新增学位5000个。\n")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from cli_corpus(tmp_path, monkeypatch, TINY)


def _minimal_pdf(encrypt: bool = False) -> bytes:
    """A one-page PDF with no text (a scan looks like this to pdfminer); optionally with an /Encrypt dict."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream"]
    if encrypt:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    extra = b" /Encrypt 5 0 R /ID [<%s> <%s>]" % (b"ab" * 16, b"ab" * 16) if encrypt else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, extra, xref)
    return bytes(out)


BAD_INPUTS = {
    "scan.pdf": (_minimal_pdf(), "no text"),  # a blank page: OCR reads nothing
    "locked.pdf": (_minimal_pdf(encrypt=True), "encrypted"),
    "broken.pdf": (b"%PDF-1.4\n garbage \x00\x01", "corrupt"),
    "broken.docx": (b"PK\x03\x04 not really a zip", "corrupt"),
    "old.doc": (b"\xd0\xcf\x11\xe0", "unsupported file type"),
    "dup.txt": (TINY.encode(), "already in the corpus as 'base'"),
    "empty.txt": ("\n  \n".encode(), "no text"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_one_clear_error_and_changes_nothing(name: str, cli_env: Path) -> None:
    data, message = BAD_INPUTS[name]
    src = cli_env.parent / name
    src.write_bytes(data)
    before = sorted(p.name for p in cli_env.iterdir())
    result = runner.invoke(app_cli(), ["add", str(src), "--no-index"])
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and message in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in cli_env.iterdir()) == before


def test_oversized_file_and_path_tricks_are_refused(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = cli_env.parent / "plan.txt"
    src.write_text(TINY.replace("某县", "另一县"), encoding="utf-8")
    result = runner.invoke(app_cli(), ["add", str(src), "--id", "../../evil", "--no-index"])
    assert result.exit_code == 1 and "invalid plan id" in result.output
    with pytest.raises(IngestError, match="must not contain a path"):
        add_plan(src, cli_env, name="../evil.txt")
    monkeypatch.setenv("PLANQA_MAX_UPLOAD_MB", "0.0001")
    get_settings.cache_clear()
    result = runner.invoke(app_cli(), ["add", str(src), "--no-index"])
    assert result.exit_code == 1 and "limit" in result.output
    assert [p.name for p in corpus_files(cli_env)] == ["base.txt"]
    assert not (ROOT.parent / "evil.txt").exists()


def test_text_without_chapters_is_accepted_with_a_warning(cli_env: Path) -> None:
    src = cli_env.parent / "notice.md"
    src.write_text("# 关于推进某项工作的通知\n\n各单位要**加快推进**相关工作。\n\n- 明确责任分工。\n", encoding="utf-8")
    result = runner.invoke(app_cli(), ["add", str(src), "--no-index"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "flat paragraphs" in result.output
    assert (cli_env / "notice.txt").read_text(encoding="utf-8").splitlines()[1] == "各单位要加快推进相关工作。"
    assert len(load_corpus(cli_env)) == 2


def app_cli():  # imported late: typer apps read nothing at import, but keep the CLI's import cost here
    from assistant.cli import app

    return app


# ---------------------------------------------------------------- kill -9, incremental index, reload


def test_kill_9_mid_add_leaves_no_half_written_plan(cli_env: Path) -> None:
    src = cli_env.parent / "second.txt"
    text = TINY.replace("某县", "第二县") * 1  # a different plan (not a duplicate)
    src.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.2, 0.5, 0.9, 1.5, 3.0):
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "add", str(src)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        names = {p.name for p in corpus_files(cli_env)}
        assert names <= {"base.txt", "second.txt"}
        if "second.txt" in names:  # all of it or nothing
            assert (cli_env / "second.txt").read_text(encoding="utf-8") == text
            assert len(load_corpus(cli_env)) == 2
            remove_plan("second", cli_env)
        assert len(load_corpus(cli_env)) == 1


def test_adding_embeds_only_the_new_plan_and_reload_picks_it_up(cli_env: Path) -> None:
    from assistant.indexing import index_is_current, open_index
    from assistant.service import PlanAssistant

    pa = PlanAssistant.load(progress=False)
    base_passages = pa.index.embedded
    src = cli_env.parent / "new.txt"
    src.write_text(TINY.replace("某县", "新县").replace("500亿元", "800亿元"), encoding="utf-8")
    result = runner.invoke(app_cli(), ["add", str(src)])
    assert result.exit_code == 0 and "new sentences embedded" in result.output, result.output
    embedded = int(result.output.split("chunks, ")[1].split(" new")[0])
    assert 0 < embedded < base_passages  # only the sentences whose text is new
    assert index_is_current(get_settings()) is True
    started = time.perf_counter()
    again = open_index(get_settings(), progress=False)
    assert not again.built and time.perf_counter() - started < 3
    again.close()
    pa.reload()
    assert {d.id for d in pa.documents} == {"base", "new"} and set(pa.sources) == {"base", "new"}
    result = runner.invoke(app_cli(), ["list"])
    assert "new" in result.output and "index: up to date" in result.output
    assert runner.invoke(app_cli(), ["remove", "new"]).exit_code == 0
    pa.reload()
    assert [d.id for d in pa.documents] == ["base"]
    pa.index.close()


class LibraryOnly:
    """The library half of the service (web/protocol.py) without an index: adds, removes and restores
    through the real Library, then re-reads the corpus, as PlanAssistant does before re-indexing."""

    def __init__(self, settings) -> None:  # noqa: ANN001 - assistant.config.Settings
        from assistant.library import Library

        self.settings, self.library, self.reloads = settings, Library(settings), 0
        self.corpus = self.library.load()

    def _reload(self) -> None:
        self.reloads += 1
        self.corpus = self.library.load()

    def current(self):  # noqa: ANN201
        return self.corpus

    def plans(self):  # noqa: ANN201
        return self.corpus.plans

    def removed(self) -> list[str]:
        return self.library.removed()

    def add_plan(self, source: Path, *, name=None, progress=None, on_index=None):  # noqa: ANN001, ANN201
        result = self.library.add(source, name=name, progress=progress)
        self._reload()
        return result

    def remove_plan(self, doc_id: str, on_index=None) -> Path:  # noqa: ANN001
        kept = self.library.remove(doc_id)
        self._reload()
        return kept

    def restore_plan(self, doc_id=None, on_index=None) -> str:  # noqa: ANN001
        restored = self.library.restore(doc_id)
        self._reload()
        return restored


def test_web_tab_adds_removes_with_confirmation_restores_and_upload_needs_permission(cli_env: Path) -> None:
    import gradio as gr

    from assistant.config import Settings
    from assistant.web.plans_tab import PlanManager, plans_tab

    settings = Settings(corpus_dir=cli_env, allow_upload=True, auth=None)
    src = cli_env.parent / "upload.txt"
    src.write_text(TINY.replace("某县", "上传县"), encoding="utf-8")
    svc = LibraryOnly(settings)
    manager = PlanManager(svc)
    quiet = dict(progress=lambda *a, **k: None)
    message = manager.add(str(src), **quiet)
    assert message.startswith("已添加 upload") and svc.reloads == 1
    assert "upload" in [p.id for p in svc.plans()]
    assert manager.add(str(src), **quiet).startswith("未添加") and svc.reloads == 1  # a duplicate changes nothing
    shown, asked = manager.confirm("upload")
    assert shown["visible"] is True and "upload" in asked and "撤销删除" in asked  # names the plan, removes nothing
    assert svc.reloads == 1
    assert manager.confirm(None)[0]["visible"] is False
    assert manager.remove("upload", **quiet).startswith("已删除 upload") and svc.removed() == ["upload"]
    assert "upload" not in [p.id for p in svc.plans()]
    assert manager.restore(**quiet) == "已恢复 upload。" and "upload" in [p.id for p in svc.plans()]
    assert manager.restore(**quiet).startswith("未恢复")  # nothing left to restore
    for allowed in (False, True):
        with gr.Blocks() as demo, gr.Tabs():
            tab = plans_tab(svc, Settings(corpus_dir=cli_env, allow_upload=allowed, auth=None))
        assert any(isinstance(b, gr.File) for b in demo.blocks.values()) is allowed
        if allowed:
            assert tab.choice is not None and tab.choice.value in (None, [])  # nothing preselected for removal


def test_cli_remove_keeps_the_files_and_restore_brings_the_plan_back(cli_env: Path) -> None:
    src = cli_env.parent / "second.txt"
    src.write_text(TINY.replace("某县", "第二县"), encoding="utf-8")
    assert runner.invoke(app_cli(), ["add", str(src), "--no-index"]).exit_code == 0
    text = (cli_env / "second.txt").read_text(encoding="utf-8")
    result = runner.invoke(app_cli(), ["remove", "second", "--no-index"])
    assert result.exit_code == 0 and "plan-qa restore second" in result.output, result.output
    assert [p.stem for p in corpus_files(cli_env)] == ["base"]
    result = runner.invoke(app_cli(), ["restore", "--no-index"])
    assert result.exit_code == 0 and "restored second" in result.output, result.output
    assert (cli_env / "second.txt").read_text(encoding="utf-8") == text
    assert runner.invoke(app_cli(), ["restore", "--no-index"]).exit_code == 1  # nothing left in the trash


def test_a_plan_without_pictures_reports_no_picture_progress(tmp_path) -> None:
    from assistant.ingest.extracted import Extracted
    from assistant.ingest.pictures import read_pictures

    calls = []
    out = read_pictures(Extracted(text="第一章 总体要求\n正文。"), "第一章 总体要求\n正文。", "p", tmp_path,
                        progress=lambda *a: calls.append(a))
    assert calls == [] and "正文" in out.text
