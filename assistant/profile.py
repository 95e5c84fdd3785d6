"""A plan's profile: what it is (place, level, period, years), read from its title and text.

Every rule that needs "which plan is this" reads a Profile, never a constant: the same code serves a
district's 十四五 plan, a national 十三五 outline or a province's 十五五 plan. Facts of plan language used here:
- a title names the issuing government's places from the widest to the narrowest ("某省某市某区…");
- a national plan's title begins with 中华人民共和国;
- "第十四个五年规划" / "“十四五”" name the period; the N-th period (N ≥ 3) runs from 1966 + 5·(N−3)
  for five years (三五 1966–1970 … 十四五 2021–2025), the calendar of every Chinese five-year plan;
- "二〇三五年远景目标" names the vision year.
"""

from __future__ import annotations

import re
from collections import Counter

from .models import Profile

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
PERIOD_RE = re.compile(r"(?:第)?([一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])个?五年")
SHORT_PERIOD_RE = re.compile(r"“?(十[一二三四五六七八九])五”?")
LEVEL_SUFFIXES = (("自治区", "省"), ("省", "省"), ("自治州", "市"), ("市", "市"), ("区", "区县"), ("县", "区县"),
                  ("旗", "区县"))
PLACE_RE = re.compile(r"[\u4e00-\u9fff]{2,7}?(?:自治区|自治州|省|市|区|县|旗)")
VISION_RE = re.compile(r"(20\d\d|二[〇零][一二三四五六七八九〇零]{2})\s*年远景")
_NATIONAL = "中华人民共和国"


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    return _CN_DIGIT[s]


def _cn_year(s: str) -> int:
    return int(s) if s.isdigit() else int("".join(str(_CN_DIGIT[c]) for c in s))


def period_name(n: int) -> str:
    """14 → "十四五"."""
    digits = "一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = ("十" if tens == 1 else digits[tens - 1] + "十") if tens else ""
    return head + (digits[ones - 1] if ones else "") + "五"


def period_years(n: int) -> tuple[int, int]:
    """First and last year of the N-th five-year period (N ≥ 3): 14 → (2021, 2025)."""
    start = 1966 + 5 * (n - 3)
    return start, start + 4


def period_number(name: str) -> int | None:
    """"十四五" / "第十四个五年" → 14."""
    m = SHORT_PERIOD_RE.search(name) or PERIOD_RE.search(name)
    return _cn_number(m.group(1)) if m else None


def _place(title: str) -> tuple[str | None, str | None]:
    if title.startswith(_NATIONAL):
        return "全国", "国家"
    # "中共某市委关于制定某市…的建议", "某市人民政府关于印发…": the plan's place follows the last 关于.
    head = re.split(r"国民经济|经济和社会|经济社会|[“\"（(]|第[一二三四五六七八九十]+个", title)[0].rsplit("关于", 1)[-1]
    head = re.sub(r"^(制定|印发|编制)", "", head)
    places = PLACE_RE.findall(head)
    if not places:
        return None, None
    place = places[-1]
    level = next(lv for suffix, lv in LEVEL_SUFFIXES if place.endswith(suffix))
    return place, level


def _short_place(place: str | None, level: str | None) -> str:
    if level == "国家":
        return "国家"
    return place or ""


def derive_profile(title: str, text: str) -> Profile:
    """The profile read from the title, with the text as a fallback (the period most often named)."""
    place, level = _place(title)
    n = period_number(title)
    if n is None:
        named = Counter(_cn_number(m.group(1)) for m in SHORT_PERIOD_RE.finditer(text))
        n = named.most_common(1)[0][0] if named else None
    start = target = None
    if n is not None and n >= 3:
        start, target = period_years(n)
    else:
        # No period: the year most often written as the goal ("到2030年") is the target year.
        goals = Counter(int(y) for y in re.findall(r"到\s*(20\d\d)\s*年", text))
        target = goals.most_common(1)[0][0] if goals else None
    vision = next((_cn_year(m.group(1)) for m in VISION_RE.finditer(title + text)), None)
    period = period_name(n) if n else None
    short = (_short_place(place, level) + (period or "")) or title[:12]
    return Profile(short_name=short, place=place, level=level, period=period, period_number=n,
                   start_year=start, target_year=target, vision_year=vision)
