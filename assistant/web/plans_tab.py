"""The 规划管理 tab: the loaded plans, and (when allowed) upload, removal with a confirmation, and undo of
the last removal.

Upload and removal change the corpus every user of the page answers from, so they exist only behind
basic auth (settings.auth) or when PLANQA_ALLOW_UPLOAD=true (one user on 127.0.0.1). The service does
the change (ingest, index, reload: the same flow as the CLI); the page then refreshes every view made
from the plans (app.py's `refresh`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ..config import Settings
from ..ingest import SUPPORTED, IngestError
from ..library import PlanEntry
from .protocol import PlanService


def upload_allowed(settings: Settings) -> bool:
    return bool(settings.auth) or settings.allow_upload


def plans_table(plans: list[PlanEntry]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(p.id)}</code></td><td>{html.escape(p.name)}</td>"
        f"<td>{html.escape(p.title)}</td><td>{html.escape(p.group)}</td><td>{p.chapters}</td></tr>"
        for p in plans)
    return (f"<table class='plans'><thead><tr><th>ID</th><th>简称</th><th>标题</th><th>层级 · 时期</th><th>章</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def removal_choices(plans: list[PlanEntry]) -> list[tuple[str, str]]:
    return [(f"{p.name}（{p.id}）", p.id) for p in plans]


def undo_button(svc: PlanService) -> Any:
    """The 撤销删除 button: shown while a removed plan can be restored, naming it."""
    waiting = svc.removed()
    return gr.update(visible=bool(waiting), value=f"撤销删除：恢复 {waiting[0]}" if waiting else "撤销删除")


class PlanManager:
    """The tab's handlers. Each returns the status line; the page then refreshes its plan-made views."""

    def __init__(self, svc: PlanService) -> None:
        self.svc = svc

    def add(self, file_path: str | None, progress: gr.Progress = gr.Progress()) -> str:
        if not file_path:
            return "请先选择文件。"
        path = Path(file_path)
        try:
            result = self.svc.add_plan(
                path, progress=lambda done, total, name: progress((done, total), desc="识别图片", unit="张"),
                on_index=self._index_progress(progress))
        except IngestError as e:
            return f"未添加：{e}"
        warned = "".join(f"\n\n注意：{w}" for w in result.warnings)
        # The add report (ingest/report.py): what the file became, what was left out, what looks wrong.
        report = "".join(f"\n\n{line}" for line in result.report.lines()) if result.report else ""
        return f"已添加 {result.id}：《{result.meta.title or result.id}》{report}{warned}"

    def confirm(self, doc_id: str | None) -> tuple[Any, str]:
        """The confirmation row, naming the plan (nothing is removed yet)."""
        entry = next((p for p in self.svc.plans() if p.id == doc_id), None)
        if entry is None:
            return gr.update(visible=False), "请先选择要删除的规划。"
        return gr.update(visible=True), f"确定删除《{entry.title}》（{entry.id}）吗？删除后可用“撤销删除”恢复。"

    def remove(self, doc_id: str | None, progress: gr.Progress = gr.Progress()) -> str:
        if not doc_id:
            return "请先选择要删除的规划。"
        try:
            self.svc.remove_plan(doc_id, on_index=self._index_progress(progress))
        except IngestError as e:
            return f"未删除：{e}"
        return f"已删除 {doc_id}（文件移入回收区，可点“撤销删除”恢复）。"

    def restore(self, progress: gr.Progress = gr.Progress()) -> str:
        try:
            doc_id = self.svc.restore_plan(on_index=self._index_progress(progress))
        except IngestError as e:
            return f"未恢复：{e}"
        return f"已恢复 {doc_id}。"

    @staticmethod
    def _index_progress(progress: gr.Progress) -> Callable[[int, int], None]:
        progress(0, desc="更新索引")
        return lambda done, total: progress((done, total), desc="更新索引", unit="句")


@dataclass
class PlansTab:
    """The tab's parts the page refreshes after a change (None when changes are not allowed)."""

    table: gr.HTML
    choice: gr.Dropdown | None = None
    undo: gr.Button | None = None
    confirm_row: gr.Row | None = None
    changed: list[Any] | None = None  # events after which the page refreshes its views


def plans_tab(svc: PlanService, settings: Settings) -> PlansTab:
    """Build the tab inside the caller's gr.Tabs."""
    with gr.Tab("规划管理", id="plans"):
        table = gr.HTML(plans_table(svc.plans()), elem_id="plans-table")
        if not upload_allowed(settings):
            gr.Markdown("上传与删除需要登录（PLANQA_AUTH），或在本机设置 PLANQA_ALLOW_UPLOAD=true。")
            return PlansTab(table)
        manager = PlanManager(svc)
        upload = gr.File(label=f"上传规划（{' '.join(SUPPORTED)}，不超过 {settings.max_upload_mb:g} MB）",
                         file_types=list(SUPPORTED), type="filepath", elem_id="plan-upload")
        add_btn = gr.Button("添加并更新索引", variant="primary", elem_id="plan-add")
        with gr.Row():
            # Nothing chosen at first: a removal is always a choice someone made.
            choice = gr.Dropdown(choices=removal_choices(svc.plans()), value=None, label="删除规划",
                                 elem_id="plan-choice")
            ask_btn = gr.Button("删除…", variant="secondary", scale=0, elem_id="plan-remove")
        with gr.Row(visible=False, elem_id="plan-confirm") as confirm_row:
            question = gr.Markdown(elem_id="plan-confirm-text")
            yes = gr.Button("确认删除", variant="stop", scale=0, elem_id="plan-remove-yes")
            no = gr.Button("取消", variant="secondary", scale=0, elem_id="plan-remove-no")
        undo = gr.Button("撤销删除", visible=bool(svc.removed()), variant="secondary", elem_id="plan-undo")
        status = gr.Markdown(elem_id="plan-status")
        hide = dict(fn=lambda: gr.update(visible=False), inputs=None, outputs=confirm_row,
                    api_visibility="private", queue=False)
        ask_btn.click(manager.confirm, [choice], [confirm_row, question], api_visibility="private", queue=False)
        no.click(**hide)
        changed = [add_btn.click(manager.add, [upload], [status], api_visibility="private"),
                   yes.click(manager.remove, [choice], [status], api_visibility="private"),
                   undo.click(manager.restore, None, [status], api_visibility="private")]
        yes.click(**hide)
    return PlansTab(table, choice, undo, confirm_row, changed)
