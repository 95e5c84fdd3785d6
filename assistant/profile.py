"""A plan's profile: what it is (place, level, period, years), read from its title and text.

Every rule that needs "which plan is this" reads a Profile, never a constant: the same code serves a
district's 十四五 plan, a national 十三五 outline or a province's 十五五 plan. Facts of plan language used here:
- a title names the issuing government's places from the widest to the narrowest ("某省某市某区…");
- a national plan's title begins with 中华人民共和国;
- "第十四个五年规划" / "“十四五”" name the period (planlang.py holds the five-year calendar);
- "二〇三五年远景目标" names the vision year.
"""

from __future__ import annotations

import re
from collections import Counter

from .models import Profile
from .planlang import PERIOD_SHORT_RE, cn_number, cn_year, period_name, period_number, period_years

LEVEL_SUFFIXES = (("自治区", "省"), ("省", "省"), ("自治州", "市"), ("市", "市"), ("区", "区县"), ("县", "区县"),
                  ("旗", "区县"))
PLACE_RE = re.compile(r"[\u4e00-\u9fff]{2,7}?(?:自治区|自治州|省|市|区|县|旗)")
LEVELS = ("国家", "省", "市", "区县")  # the order plans are listed in: the superior plan first


def precedence(profile: Profile | None) -> tuple[int, int]:
    """Where a plan stands among loaded plans: the superior level first (the plans below must fit it,
    规划衔接), then the newest period (the plans in force)."""
    level = profile.level if profile else None
    rank = LEVELS.index(level) if level in LEVELS else len(LEVELS)
    return rank, -((profile.start_year if profile else None) or 0)


VISION_RE = re.compile(r"(20\d\d|二[〇零][一二三四五六七八九〇零]{2})\s*年远景")
_NATIONAL = "中华人民共和国"


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
        named = Counter(cn_number(m.group(1)) for m in PERIOD_SHORT_RE.finditer(text))
        n = named.most_common(1)[0][0] if named else None
    start = target = None
    if n is not None and n >= 3:
        start, target = period_years(n)
    else:
        # No period: the year most often written as the goal ("到2030年") is the target year.
        goals = Counter(int(y) for y in re.findall(r"到\s*(20\d\d)\s*年", text))
        target = goals.most_common(1)[0][0] if goals else None
    vision = next((cn_year(m.group(1)) for m in VISION_RE.finditer(title + text)), None)
    period = period_name(n) if n else None
    short = (_short_place(place, level) + (period or "")) or title[:12]
    return Profile(short_name=short, place=place, level=level, period=period, period_number=n,
                   start_year=start, target_year=target, vision_year=vision)
