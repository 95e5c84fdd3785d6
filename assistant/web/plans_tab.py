"""The 规划管理 tab: the loaded plans, and (when allowed) upload and removal of a plan.

Upload and removal change the corpus every user of the page answers from, so they exist only behind
basic auth (settings.auth) or when PLANQA_ALLOW_UPLOAD=true (one user on 127.0.0.1). After a change
the assistant reloads in place (PlanAssistant.reload) and the chat answers from the new corpus.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from ..config import Settings
from ..ingest import SUPPORTED, IngestError, add_plan, remove_plan
from ..models import Document


def upload_allowed(settings: Settings) -> bool:
    return bool(settings.auth) or settings.allow_upload


def plans_table(documents: list[Document]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(d.id)}</code></td><td>{html.escape(d.profile.short_name if d.profile else d.id)}</td>"
        f"<td>{html.escape(d.title)}</td><td>{sum(1 for c in d.chapters if c.number)}</td></tr>"
        for d in documents)
    return (f"<table class='plans'><thead><tr><th>ID</th><th>简称</th><th>标题</th><th>章</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


class PlanManager:
    """The tab's handlers; every corpus change is followed by a reload of the shared assistant."""

    def __init__(self, pa: Any, settings: Settings, page_parts: Sequence[Callable[[list[Document]], str]] = ()) -> None:
        self.pa = pa  # a PlanAssistant (or a stand-in with .documents and .reload)
        self.settings = settings
        self.page_parts = list(page_parts)  # other parts of the page made from the plans (header, 目录)

    def refreshed(self) -> list[str]:
        """The page's other plan-made parts, anew: after a change the header and 目录 name the new corpus."""
        return [part(self.pa.documents) for part in self.page_parts]

    def _after_change(self, message: str, progress: gr.Progress) -> tuple[str, str, Any]:
        progress(0, desc="更新索引")
        self.pa.reload(on_progress=lambda done, total: progress((done, total), desc="更新索引", unit="句"))
        ids = [d.id for d in self.pa.documents]
        return message, plans_table(self.pa.documents), gr.Dropdown(choices=ids, value=None)

    def add(self, file_path: str | None, progress: gr.Progress = gr.Progress()) -> tuple[str, str, Any]:
        if not file_path:
            return "请先选择文件。", plans_table(self.pa.documents), gr.Dropdown()
        path = Path(file_path)
        try:
            result = add_plan(path, self.settings.corpus_dir,
                              max_bytes=int(self.settings.max_upload_mb * 1_000_000),
                              ocr_cache=self.settings.ocr_cache,
                              progress=lambda done, total, name: progress((done, total), desc="识别图片", unit="张"))
        except IngestError as e:
            return f"未添加：{e}", plans_table(self.pa.documents), gr.Dropdown()
        warned = "".join(f"\n\n注意：{w}" for w in result.warnings)
        # The add report (ingest/report.py): what the file became, what was left out, what looks wrong.
        report = "".join(f"\n\n{line}" for line in result.report.lines()) if result.report else ""
        return self._after_change(f"已添加 {result.id}：《{result.meta.title or result.id}》{report}{warned}", progress)

    def remove(self, doc_id: str | None, progress: gr.Progress = gr.Progress()) -> tuple[str, str, Any]:
        if not doc_id:
            return "请先选择要删除的规划。", plans_table(self.pa.documents), gr.Dropdown()
        try:
            remove_plan(doc_id, self.settings.corpus_dir)
        except IngestError as e:
            return f"未删除：{e}", plans_table(self.pa.documents), gr.Dropdown()
        return self._after_change(f"已删除 {doc_id}", progress)


def plans_tab(pa: Any, settings: Settings,
              refresh: Sequence[tuple[gr.components.Component, Callable[[list[Document]], str]]] = ()) -> gr.Tab:
    """Build the tab inside the caller's gr.Tabs; `refresh`: other parts of the page made from the plans
    (component, how it is made), remade after every add or remove."""
    with gr.Tab("规划管理", id="plans") as tab:
        table = gr.HTML(plans_table(pa.documents), elem_id="plans-table")
        if not upload_allowed(settings):
            gr.Markdown("上传与删除需要登录（PLANQA_AUTH），或在本机设置 PLANQA_ALLOW_UPLOAD=true。")
            return tab
        manager = PlanManager(pa, settings, [make for _, make in refresh])
        upload = gr.File(label=f"上传规划（{' '.join(SUPPORTED)}，不超过 {settings.max_upload_mb:g} MB）",
                         file_types=list(SUPPORTED), type="filepath", elem_id="plan-upload")
        add_btn = gr.Button("添加并更新索引", variant="primary", elem_id="plan-add")
        with gr.Row():
            choice = gr.Dropdown(choices=[d.id for d in pa.documents], label="删除规划", elem_id="plan-choice")
            remove_btn = gr.Button("删除", variant="stop", scale=0, elem_id="plan-remove")
        status = gr.Markdown(elem_id="plan-status")
        parts = [component for component, _ in refresh]
        for button, handler, given in ((add_btn, manager.add, upload), (remove_btn, manager.remove, choice)):
            event = button.click(handler, [given], [status, table, choice], api_visibility="private")
            if parts:
                event.then(manager.refreshed, None, parts, api_visibility="private", queue=False)
    return tab
