"""What a web page prints after the plan: share and print buttons, 责任编辑, related articles, the site's
footer. Words every Chinese government and news site uses for its furniture, never a plan's words at the
start of a line; only a line after which (almost) none of the plan's headings follow ends the plan."""

from __future__ import annotations

import re

from ..parsing import APPENDIX_RE, CHAPTER_RE, ENUM_CHAPTER_RE, PART_RE, SECTION_RE

FURNITURE_RE = re.compile(
    r"^\s*[【\[]?\s*(责任编辑|编辑[:：]|来源[:：]|分享到?|打印|关闭(窗口)?|收藏|扫一扫|相关(稿件|新闻|阅读|链接|文章|报道)|"
    r"上一篇|下一篇|版权所有|主办单位|网站标识码|ICP备|返回顶部|推荐阅读|热门(文章|新闻)|延伸阅读)")
_HEADINGS = (PART_RE, CHAPTER_RE, SECTION_RE, ENUM_CHAPTER_RE, APPENDIX_RE)


# What may follow the cut, as a share of the page's heading lines (at least two): a news item after the plan may name a
# 第N章 of something else; the plan itself has dozens.
STRAY_HEADINGS = 0.05


def drop_trailing_furniture(text: str) -> tuple[str, list[str]]:
    """The text up to the first furniture line after which (almost) none of the plan's headings
    follow, and the lines dropped."""
    lines = text.splitlines()
    heads = [i for i, l in enumerate(lines) if any(r.match(l) for r in _HEADINGS)]
    if not heads:
        return text, []
    for i in range(heads[0] + 1, len(lines)):
        if FURNITURE_RE.match(lines[i]) and sum(h > i for h in heads) <= max(2, STRAY_HEADINGS * len(heads)):
            return "\n".join(lines[:i]) + "\n", [l for l in lines[i:] if l.strip()]
    return text, []
