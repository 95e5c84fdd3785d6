"""The staff chat (Gradio Blocks) around the one PlanAssistant the CLI also uses.

Layout: chat on the left; on the right a reader that opens any cited or chosen section with the quote
highlighted, the plan's table of contents, the indicator table and plan management. Everything the page
loads comes from this server.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from ..config import Settings
from ..models import Document
from ..service import PlanAssistant
from .feedback import RATING_CHOICES, FeedbackLog
from .handlers import CHAT_HEIGHT, ChatHandlers, close_feedback, pick_example, reset_chat, restore_chat, saved_chat
from .indicators_tab import indicators_tab
from .pictures import add_picture_route
from .plans_tab import plans_tab, upload_allowed
from .reader import READER_WELCOME, render_toc
from .render import esc

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
CHAT_CONCURRENCY = 32  # open chats streamed at once; each mostly waits on ASK_SLOTS or sleeps between chunks
QUEUE_MAX = 256  # beyond this a user gets Gradio's "queue full" instead of an unbounded backlog
STORAGE_KEY = "planqa-chat"

# Plain family names only: a gr.themes.GoogleFont would make every page load call fonts.googleapis.com.
FONT = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"]
FONT_MONO = ["SFMono-Regular", "Menlo", "Consolas", "Noto Sans Mono CJK SC", "monospace"]

# Gradio's chatbot strings that its Chinese locale lacks; app.js covers the ones it never translates.
CHATBOT_ZH = {"chatbot.copy_message": "复制", "chatbot.copied_message": "已复制", "chatbot.like": "赞",
              "chatbot.dislike": "踩", "chatbot.clear": "清空对话", "chatbot.retry": "重试", "chatbot.undo": "撤销",
              "chatbot.edit": "编辑", "chatbot.submit": "发送", "chatbot.cancel": "取消"}

PLACEHOLDER = (
    "<div class='welcome'><h2>您好，请问想了解规划的哪方面？</h2>"
    "<p>我只依据规划原文回答，并标出所在的章、节和专栏；规划里没有的内容会直接说明。</p></div>"
)


def page_title(docs: list[Document]) -> str:
    """"<plan>规划问答助手" for one plan; several plans are named by count, each in its labels."""
    if len(docs) == 1 and docs[0].profile:
        return f"{docs[0].profile.short_name}规划问答助手"
    return f"规划问答助手 · {len(docs)} 部规划" if docs else "规划问答助手"


def examples_for(docs: list[Document], sources: dict[str, str], n: int = 3) -> list[str]:
    """Example questions drawn from the loaded plans' own targets (assistant/indicators), one plan after the
    other, plus a chapter overview, so that every example is answerable in whatever plans are loaded."""
    from ..indicators import loaded_indicators

    rows = [r for r in loaded_indicators(docs, sources)
            if r.kind == "target" and r.year and 4 <= len(r.indicator) <= 14 and r.unit]
    picked: list[str] = []
    for doc in docs:
        mine = [r for r in rows if r.doc == doc.id]
        if mine:
            r = mine[len(mine) // 2]  # the middle of the plan, away from the summary chapter
            name = doc.profile.short_name if len(docs) > 1 and doc.profile else ""
            picked.append(f"{name}规划中{r.year}年{r.indicator}目标是多少?" if name else f"{r.year}年{r.indicator}目标是多少?")
    picked.append("第二章讲什么?")
    return picked[:n]


def header_html(docs: list[Document]) -> str:
    source = (f"依据《{esc(docs[0].title)}》原文作答" if len(docs) == 1
              else f"依据{len(docs)}部规划原文作答：" + "、".join(esc(d.profile.short_name if d.profile else d.id)
                                                           for d in docs) if docs else "依据规划原文作答")
    return (f'<header class="app-header"><div class="brand">{esc(page_title(docs))}</div>'
            f'<div class="subtitle">{source} · 每个回答都注明章节出处 · 本机离线运行</div></header>')


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def build_app(pa: PlanAssistant, *, feedback_path: Path | None = None) -> gr.Blocks:
    """The whole page around one loaded assistant; feedback goes to settings.feedback_path unless given."""
    title = page_title(pa.documents)
    handlers = ChatHandlers(pa, FeedbackLog(Path(feedback_path or pa.settings.feedback_path)), title)
    examples = examples_for(pa.documents, pa.sources)
    with gr.Blocks(title=title, analytics_enabled=False, fill_width=True) as demo:
        header = gr.HTML(header_html(pa.documents), js_on_load=static_text("app.js"), elem_id="app-header")
        turns = gr.State([])
        saved = gr.BrowserState(None, storage_key=STORAGE_KEY)  # the chat, kept in this browser across reloads
        # Which answer the open form is about; outside the form, so showing the form never shows it.
        fb_turn = gr.Number(visible="hidden", precision=0, elem_id="fb-turn")
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=420, elem_id="chat-col"):
                chatbot = gr.Chatbot(
                    elem_id="chat", show_label=False, height=CHAT_HEIGHT, min_height=360,
                    placeholder=PLACEHOLDER, examples=[{"text": q} for q in examples],
                    feedback_options=("Like", "Dislike"), buttons=["copy"], latex_delimiters=[],
                    allow_tags=False, group_consecutive_messages=False, layout="bubble",
                )
                with gr.Column(visible=False, variant="panel", elem_id="feedback") as fb_group:
                    with gr.Row(equal_height=True):
                        fb_note = gr.Markdown(elem_id="fb-note")
                        fb_rating = gr.Radio(RATING_CHOICES, show_label=False, container=False, scale=0,
                                             min_width=220, elem_id="fb-rating")
                    with gr.Row(equal_height=True):
                        fb_comment = gr.Textbox(show_label=False, placeholder="例如：应为“不低于60%”，见第七章第三节",
                                                scale=6, max_lines=3, elem_id="fb-comment")
                        fb_send = gr.Button("提交反馈", variant="primary", scale=0, min_width=96, elem_id="fb-send")
                        fb_close = gr.Button("收起", variant="secondary", scale=0, min_width=64, elem_id="fb-close")
                fb_status = gr.HTML("", elem_id="fb-status")
                with gr.Row(elem_id="input-row"):
                    box = gr.Textbox(show_label=False, placeholder="输入问题，按回车发送",
                                     lines=1, max_lines=4, submit_btn="发送", scale=8, elem_id="question",
                                     autofocus=True)
                    export = gr.DownloadButton("导出对话", None, variant="secondary", scale=1, min_width=96,
                                               interactive=False, elem_id="export")
                    clear = gr.Button("清空对话", variant="secondary", scale=1, min_width=96, elem_id="clear")
            with gr.Column(scale=2, min_width=360, elem_id="side-col"):
                with gr.Tabs(selected="reader", elem_id="side-tabs") as tabs:
                    with gr.Tab("原文", id="reader"):
                        search = gr.Textbox(show_label=False, placeholder="在规划全文中查找，按回车", max_lines=1,
                                            elem_id="reader-search")
                        reader = gr.HTML(READER_WELCOME, js_on_load=static_text("reader.js"), elem_id="reader")
                    with gr.Tab("目录", id="toc"):
                        toc = gr.HTML(render_toc(pa.documents), elem_id="toc")
                    indicators_tab(pa, reader, tabs)  # 指标一览 (and 指标对比): web/indicators_tab.py
                    # 规划管理 (web/plans_tab.py): after a plan is added or removed, the header and 目录 follow.
                    plans_tab(pa, pa.settings, refresh=[(header, header_html), (toc, render_toc)])

        def after_chat(event: Any) -> Any:
            """Once a chat event ends: keep the chat in the browser and refresh the export file."""
            return event.then(saved_chat, [chatbot, turns], saved, api_visibility="private", queue=False).then(
                handlers.export, [turns], export, api_visibility="private", queue=False)

        chat_io = dict(inputs=[box, chatbot, turns], outputs=[box, chatbot, turns])
        after_chat(box.submit(handlers.chat, **chat_io, api_name="chat", show_progress="hidden"))
        after_chat(chatbot.example_select(pick_example, None, box, api_visibility="private", queue=False).then(
            handlers.chat, **chat_io, api_visibility="private", show_progress="hidden"))
        after_chat(demo.load(restore_chat, [saved], [chatbot, turns], api_visibility="private", queue=False))
        header.click(handlers.open_target, None, [reader, tabs], api_visibility="private", queue=False)
        search.submit(handlers.search, [search], [reader, tabs], api_visibility="private", queue=False)
        chatbot.like(handlers.on_like, [turns], [fb_group, chatbot, fb_turn, fb_rating, fb_comment, fb_note, fb_status],
                     api_visibility="private", queue=False, show_progress="hidden")
        fb_send.click(handlers.submit_feedback, [fb_turn, fb_rating, fb_comment, turns], fb_status,
                      api_name="feedback", queue=False).success(
            close_feedback, None, [fb_group, chatbot, fb_comment], api_visibility="private", queue=False)
        fb_close.click(close_feedback, None, [fb_group, chatbot, fb_comment], api_visibility="private", queue=False)
        for cleared in (clear.click, chatbot.clear):  # our button and the chatbot's own bin icon
            cleared(reset_chat, None, [chatbot, turns, fb_group, box, reader, saved, fb_status, export],
                    api_visibility="private", queue=False)
        gr.api(handlers.ask_api, api_name="ask")
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY, max_size=QUEUE_MAX)
    demo.planqa_assistant = pa  # serve() adds the route for its pictures once the server exists
    return demo


# ---------------------------------------------------------------- look and serving


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="blue", secondary_hue="sky", neutral_hue="slate",
                          font=FONT, font_mono=FONT_MONO).set(
        body_background_fill="#f4f6fa", block_radius="12px", button_large_radius="10px")


def i18n() -> gr.I18n:
    # Chinese browsers get Gradio's zh-CN locale; these fill the chatbot strings it leaves in English.
    return gr.I18n(**{locale: CHATBOT_ZH for locale in ("zh-CN", "zh", "zh-TW")})


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("PLANQA_AUTH must look like user:password")
    return user, password


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """launch() options that keep the page on this machine: no share tunnel, no outside calls, no extra pages."""
    return dict(
        server_name=settings.host, server_port=settings.port, auth=parse_auth(settings.auth),
        auth_message="规划问答助手：请输入账号和密码", share=False, theme=theme(), css_paths=[STATIC / "app.css"],
        i18n=i18n(), footer_links=[], run_history=False, enable_monitoring=False, mcp_server=False, pwa=False,
        ssr_mode=False, show_error=False, max_threads=64, quiet=False,
        # Gradio refuses larger uploads before they reach us: a plan up to the upload limit where staff
        # may add plans, and nothing big anywhere else.
        max_file_size=f"{settings.max_upload_mb:g}mb" if upload_allowed(settings) else "1mb",
    )


def serve(demo: gr.Blocks, settings: Settings, *, block: bool = True, **overrides: Any) -> str:
    """Start the server; returns its local URL (only useful with block=False, e.g. in tests)."""
    problem = FeedbackLog(Path(settings.feedback_path)).problem()
    if problem:
        log.warning("feedback cannot be saved (%s): votes will show an error until this is fixed", problem)
    app, url, _ = demo.launch(**{**launch_kwargs(settings), **overrides, "prevent_thread_lock": True})
    pa = getattr(demo, "planqa_assistant", None)
    if pa is not None:
        add_picture_route(app, lambda: pa.documents)  # the plans' pictures: web/pictures.py says why this way
    if block:
        demo.block_thread()
    return url
