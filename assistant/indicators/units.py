"""The units and magnitudes a plan's figures take: one vocabulary for the prose rules (extract.py) and
the table rows (from_tables.py)."""

from __future__ import annotations

import re

# Longest first: "个百分点" before "个", "万平方米" before "万".
UNITS = sorted("""% ‰ 个百分点 百分点 倍 元 美元 人次 人 名 位 家 个 所 座 项 条 处 张 套 台 辆 艘 架 亩 公顷 平方米 平方公里
    公里 千米 米 吨 吨标准煤 标准煤 千瓦 千瓦时 瓦 立方米 件 岁 年一遇 年 户 头 羽 床 间 小时 分钟 天 次 篇 部 批 场 届 期 只 株 棵
    盏 根 块 片 栋 幢 层 辆 路 班 支 种 款 宗 笔 单 份 册 GW MW kW 微克/立方米""".split(), key=len, reverse=True)
# "1000亿台阶": a measure word that begins a longer word is not a unit.
UNIT = "(?:" + "|".join(re.escape(u) for u in UNITS) + ")(?!阶)"
MAG = r"(?:万亿|千亿|百亿|亿|千万|百万|万|千)"
MAGNITUDE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
