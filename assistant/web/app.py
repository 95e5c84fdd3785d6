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
from .align_tab import align_tab
from .compare_tab import compare_tab
from .feedback import CHAT_HEIGHT, RATING_CHOICES, FeedbackHandlers, FeedbackLog, close_feedback
from .handlers import ChatHandlers, pick_example, reset_chat, restore_chat, saved_chat
from .header import header_html, page_title
from .indicators_tab import indicators_tab
from .pictures import add_picture_route
from .plans_tab import plans_table, plans_tab, removal_choices, undo_button, upload_allowed
from .protocol import PlanService
from .reader import READER_WELCOME, ReaderHandlers, render_toc
from .rows import plan_choices

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
CHAT_CONCURRENCY = 32  # open chats streamed at once; each mostly waits on ASK_SLOTS or sleeps between chunks
QUEUE_MAX = 256  # beyond this a user gets Gradio's "queue full" instead of an unbounded backlog
# Back from a wide tab: the 原文 tab is the chat's companion (selecting it ends the wide layout).
BACK_TO_CHAT_JS = "() => document.querySelector('#side-tabs [role=tab][data-tab-id=reader]')?.click()"
STORAGE_KEY = "planqa-chat"
PICKER_KEY = "planqa-plans"

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


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def build_app(svc: PlanService, *, feedback_path: Path | None = None) -> gr.Blocks:
    """The whole page around one assistant (through its protocol, web/protocol.py); feedback goes to
    settings.feedback_path unless given. Every part made from the plans is made again when a page opens
    and after every add or remove (`refresh`), so no view shows the plans of an earlier moment."""
    settings = svc.settings
    chat = ChatHandlers(svc)
    reader_events = ReaderHandlers(svc)
    feedback = FeedbackHandlers(FeedbackLog(Path(feedback_path or settings.feedback_path)))
    corpus0 = svc.current()
    plans0 = corpus0.plans
    with gr.Blocks(title=page_title(plans0), analytics_enabled=False, fill_width=True) as demo:
        header = gr.HTML(header_html(plans0), js_on_load=static_text("app.js"), elem_id="app-header")
        turns = gr.State([])
        saved = gr.BrowserState(None, storage_key=STORAGE_KEY)  # the chat, kept in this browser across reloads
        picked_saved = gr.BrowserState([], storage_key=PICKER_KEY)  # the plans chosen, kept likewise
        # Which answer the open form is about; outside the form, so showing the form never shows it.
        fb_turn = gr.Number(visible="hidden", precision=0, elem_id="fb-turn")
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=420, elem_id="chat-col"):
                picker = gr.Dropdown(plan_choices(plans0), value=[], multiselect=True,
                                     label="提问范围（不选即全部规划）", visible=corpus0.several,
                                     elem_id="plan-picker")
                chatbot = gr.Chatbot(
                    elem_id="chat", show_label=False, height=CHAT_HEIGHT, min_height=360,
                    placeholder=PLACEHOLDER, examples=[{"text": q} for q in svc.examples()],
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
                # The tables' tabs take the whole width (app.css `:has`); this leads back to the chat.
                back = gr.Button("← 返回对话", size="sm", variant="secondary", elem_id="back-to-chat")
                with gr.Tabs(selected="reader", elem_id="side-tabs") as tabs:
                    with gr.Tab("原文", id="reader"):
                        search = gr.Textbox(show_label=False, placeholder="在规划全文中查找，按回车", max_lines=1,
                                            elem_id="reader-search")
                        reader = gr.HTML(READER_WELCOME, js_on_load=static_text("reader.js"), elem_id="reader")
                    with gr.Tab("目录", id="toc"):
                        toc = gr.HTML(render_toc(corpus0.documents), elem_id="toc")
                    indicators_tab(svc, reader, tabs)  # 指标一览: web/indicators_tab.py
                    compare = compare_tab(svc, reader, tabs)  # 指标对比: web/compare_tab.py
                    aligned = align_tab(svc, reader, tabs)  # 规划衔接: web/align_tab.py
                    managed = plans_tab(svc, settings)  # 规划管理: web/plans_tab.py

        def refresh(picked: list[str] | None) -> tuple[Any, ...]:
            """Every view made from the plans, from the plans loaded now (one corpus read once)."""
            corpus = svc.current()
            plans = corpus.plans
            ids = {p.id for p in plans}
            kept = [d for d in (picked or []) if d in ids]  # a removed plan leaves the choice
            updates = [header_html(plans), render_toc(corpus.documents),
                       gr.update(examples=[{"text": q} for q in svc.examples()]),
                       gr.update(choices=plan_choices(plans), value=kept, visible=corpus.several),
                       gr.update(visible=corpus.several), gr.update(visible=corpus.several),
                       plans_table(plans)]
            if managed.choice is not None:
                updates += [gr.update(choices=removal_choices(plans), value=None), undo_button(svc)]
            return tuple(updates)

        views = [header, toc, chatbot, picker, compare, aligned, managed.table]
        if managed.choice is not None:
            views += [managed.choice, managed.undo]
        # The views first, then the chat kept in the browser: the chatbot's new examples must not land on
        # (and clear) a restored chat.
        loaded = demo.load(refresh, [picked_saved], views, api_visibility="private", queue=False)
        for event in managed.changed or []:
            event.then(refresh, [picker], views, api_visibility="private", queue=False)
        picker.change(lambda chosen: list(chosen or []), [picker], [picked_saved], api_visibility="private",
                      queue=False)

        def after_chat(event: Any) -> Any:
            """Once a chat event ends: keep the chat in the browser and refresh the export file."""
            return event.then(saved_chat, [chatbot, turns], saved, api_visibility="private", queue=False).then(
                chat.export, [turns], export, api_visibility="private", queue=False)

        chat_io = dict(inputs=[box, chatbot, turns, picker], outputs=[box, chatbot, turns])
        after_chat(box.submit(chat.chat, **chat_io, api_name="chat", show_progress="hidden"))
        after_chat(chatbot.example_select(pick_example, None, box, api_visibility="private", queue=False).then(
            chat.chat, **chat_io, api_visibility="private", show_progress="hidden"))
        after_chat(loaded.then(restore_chat, [saved], [chatbot, turns], api_visibility="private", queue=False))
        header.click(reader_events.open_target, None, [reader, tabs], api_visibility="private", queue=False)
        search.submit(reader_events.search, [search], [reader, tabs], api_visibility="private", queue=False)
        chatbot.like(feedback.on_like, [turns], [fb_group, chatbot, fb_turn, fb_rating, fb_comment, fb_note, fb_status],
                     api_visibility="private", queue=False, show_progress="hidden")
        fb_send.click(feedback.submit_feedback, [fb_turn, fb_rating, fb_comment, turns], fb_status,
                      api_name="feedback", queue=False).success(
            close_feedback, None, [fb_group, chatbot, fb_comment], api_visibility="private", queue=False)
        fb_close.click(close_feedback, None, [fb_group, chatbot, fb_comment], api_visibility="private", queue=False)
        for cleared in (clear.click, chatbot.clear):  # our button and the chatbot's own bin icon
            cleared(reset_chat, None, [chatbot, turns, fb_group, box, reader, saved, fb_status, export],
                    api_visibility="private", queue=False)
        back.click(None, js=BACK_TO_CHAT_JS, api_visibility="private", queue=False)
        gr.api(chat.ask_api, api_name="ask")
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY, max_size=QUEUE_MAX)
    demo.planqa_service = svc  # serve() adds the route for its pictures once the server exists
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
    svc = getattr(demo, "planqa_service", None)
    if svc is not None:  # the plans' pictures: web/pictures.py says why this way
        add_picture_route(app, lambda: svc.current().documents)
    if block:
        demo.block_thread()
    return url
