"""The 规划管理 tab: the loaded plans, and (when allowed) upload and removal of a plan.

Upload and removal change the corpus every user of the page answers from, so they exist only behind
basic auth (settings.auth) or when PLANQA_ALLOW_UPLOAD=true (one user on 127.0.0.1). After a change
the assistant reloads in place (PlanAssistant.reload) and the chat answers from the new corpus.
"""

from __future__ import annotations

import html
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

    def __init__(self, pa: Any, settings: Settings) -> None:
        self.pa = pa  # a PlanAssistant (or a stand-in with .documents and .reload)
        self.settings = settings

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
        return self._after_change(f"已添加 {result.id}：《{result.meta.title or result.id}》{warned}", progress)

    def remove(self, doc_id: str | None, progress: gr.Progress = gr.Progress()) -> tuple[str, str, Any]:
        if not doc_id:
            return "请先选择要删除的规划。", plans_table(self.pa.documents), gr.Dropdown()
        try:
            remove_plan(doc_id, self.settings.corpus_dir)
        except IngestError as e:
            return f"未删除：{e}", plans_table(self.pa.documents), gr.Dropdown()
        return self._after_change(f"已删除 {doc_id}", progress)


def plans_tab(pa: Any, settings: Settings) -> gr.Tab:
    """Build the tab inside the caller's gr.Tabs."""
    with gr.Tab("规划管理", id="plans") as tab:
        table = gr.HTML(plans_table(pa.documents), elem_id="plans-table")
        if not upload_allowed(settings):
            gr.Markdown("上传与删除需要登录（PLANQA_AUTH），或在本机设置 PLANQA_ALLOW_UPLOAD=true。")
            return tab
        manager = PlanManager(pa, settings)
        upload = gr.File(label=f"上传规划（{' '.join(SUPPORTED)}，不超过 {settings.max_upload_mb:g} MB）",
                         file_types=list(SUPPORTED), type="filepath", elem_id="plan-upload")
        add_btn = gr.Button("添加并更新索引", variant="primary", elem_id="plan-add")
        with gr.Row():
            choice = gr.Dropdown(choices=[d.id for d in pa.documents], label="删除规划", elem_id="plan-choice")
            remove_btn = gr.Button("删除", variant="stop", scale=0, elem_id="plan-remove")
        status = gr.Markdown(elem_id="plan-status")
        add_btn.click(manager.add, [upload], [status, table, choice], api_visibility="private")
        remove_btn.click(manager.remove, [choice], [status, table, choice], api_visibility="private")
    return tab
