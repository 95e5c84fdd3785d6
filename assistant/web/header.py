"""The page's title and header, made from the plans loaded now (the same words head the exported chat)."""

from __future__ import annotations

from ..library import PlanEntry
from .render import esc


def page_title(plans: list[PlanEntry]) -> str:
    """"<plan>规划问答助手" for one plan; several plans are named by count, each in its labels."""
    if len(plans) == 1:
        return f"{plans[0].name}规划问答助手"
    return f"规划问答助手 · {len(plans)} 部规划" if plans else "规划问答助手"


def header_html(plans: list[PlanEntry]) -> str:
    source = (f"依据《{esc(plans[0].title)}》原文作答" if len(plans) == 1
              else f"依据{len(plans)}部规划原文作答：" + "、".join(esc(p.name) for p in plans) if plans
              else "依据规划原文作答")
    return (f'<header class="app-header"><div class="brand">{esc(page_title(plans))}</div>'
            f'<div class="subtitle">{source} · 每个回答都注明章节出处 · 本机离线运行</div></header>')
