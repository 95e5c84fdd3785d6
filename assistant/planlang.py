"""How Chinese plans write time: five-year periods ("十四五", "第十四个五年"), years ("2025年", "二〇三五年"), and
the calendar between them. One module, so that questions, profiles, indicators, tables and replies read a
period or a year alike.

Facts of plan language used here, none of one plan:
- the N-th five-year period (N ≥ 3) runs from 1966 + 5·(N−3) for five years (三五 1966–1970 … 十四五
  2021–2025): the calendar of every Chinese five-year plan;
- a period is written short ("十四五", with or without quotes) or long ("第十四个五年");
- followed by a time word ("十三五时期 / 期间 / 末 / 以来") it is a time: the period's years, and its last;
- followed by 规划 / 纲要 ("十三五规划") it names a plan;
- a year is written in digits ("2035年") or in Chinese digits ("二〇三五年").
Hand-written because no library knows the five-year calendar or these forms.
"""

from __future__ import annotations

import re

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")

# ---------------------------------------------------------------- periods
PERIOD = r"“?(十[一二三四五六七八九])五”?"  # group 1 + "五" is the period's short name
_TIME_AFTER = r"(?:末|期末|结束|期间|时期|以来)"
PERIOD_LONG_RE = re.compile(r"(?:第)?([一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])个?五年")
PERIOD_SHORT_RE = re.compile(PERIOD)
# A period's name, said as a plan, a time or alone.
PERIOD_WORD_RE = re.compile(rf"{PERIOD}(?:规划)?{_TIME_AFTER}?")
# A period said as a time ("“十三五”时期", "十三五规划期末"): it speaks of the period's years.
PERIOD_TIME_RE = re.compile(rf"{PERIOD}\s*(?:规划)?\s*{_TIME_AFTER}")
# A period said as the plan ("十三五规划", "“十三五”纲要").
PERIOD_PLAN_RE = re.compile(rf"{PERIOD}(?:规划|纲要)")
ENGLISH_PERIOD_RE = re.compile(r"\b(1\d)(?:th|st|nd|rd)\s+five", re.I)
ENGLISH_PERIOD_TIME_RE = re.compile(r"\b(?:during|over|in|by the end of) the (1\d)(?:th|st|nd|rd)\s+five", re.I)
# Said unmistakably as the years, not the plan ("during the 12th Five-Year Plan period"); "in the 13th
# Five-Year Plan" may be either, so it names the plan too.
ENGLISH_PERIOD_YEARS_RE = re.compile(r"\b(?:during|over|by the end of) the 1\d(?:th|st|nd|rd)\s+five\W+year(?:\s+plan)?"
                                     r"|\b1\d(?:th|st|nd|rd)\s+five-year\s+(?:plan\s+)?period", re.I)


def cn_number(s: str) -> int:
    """"十四" → 14, "三" → 3."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    return _CN_DIGIT[s]


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
    m = PERIOD_SHORT_RE.search(name) or PERIOD_LONG_RE.search(name)
    return cn_number(m.group(1)) if m else None


def named_periods(text: str, as_time: bool = False) -> list[int]:
    """Five-year periods a text names ("十三五" → 13); `as_time`: only those said as a time ("十三五时期")."""
    pattern = PERIOD_TIME_RE if as_time else PERIOD_WORD_RE
    found = [period_number(m.group(1) + "五") for m in pattern.finditer(text)]
    found += [int(m.group(1)) for m in (ENGLISH_PERIOD_TIME_RE if as_time else ENGLISH_PERIOD_RE).finditer(text)]
    return list(dict.fromkeys(n for n in found if n))


def plan_periods(text: str, bare: bool = False) -> set[int]:
    """Periods a text names as plans ("十三五规划", "13th Five-Year Plan"); `bare`: also a period named alone
    ("“十五五”主要指标"), as people name a plan by its period, but not as a time ("十五五时期": the years,
    which the next period's plan looks back on) nor as a comparison's base ("比“十四五”末")."""
    found = {period_number(m.group(1) + "五") for m in PERIOD_PLAN_RE.finditer(text)}
    if bare:
        found |= {period_number(m.group(1) + "五") for m in PERIOD_WORD_RE.finditer(BASE_YEAR_RE.sub(" ", text))
                  if not PERIOD_TIME_RE.fullmatch(m.group())}
    english = ENGLISH_PERIOD_RE.finditer(ENGLISH_PERIOD_YEARS_RE.sub(" ", text))
    return {n for n in found if n} | {int(m.group(1)) for m in english}


# ---------------------------------------------------------------- years
YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")
CN_YEAR_RE = re.compile(r"[二][〇零][〇零一二三四五六七八九]{2}")
# A text that states a time ("哪一年通车?" needs one): a year written with 年, or bare after a word that looks
# to a time ("面向2035的…项目"), a Chinese year, or a point of a period (期末, 年底前).
YEAR_IN_TEXT_RE = re.compile(r"(19|20)\d\d\s*年|(?:面向|到|至|迈向|展望)\s*(19|20)\d\d(?!\d)|二〇|中期阶段|期末|年底前|年末前")
YEAR_HEADER_RE = re.compile(r"20\d\d\s*年")  # a table column of one year ("2030年目标值")


def cn_year(s: str) -> int:
    """"2035" or "二〇三五" → 2035."""
    return int(s) if s.isdigit() else int(s.translate(_CN_YEAR_DIGITS))


def years_in(text: str) -> list[int]:
    """Every year a text writes, in digits or Chinese digits, in order of first mention."""
    years = [int(y) for y in YEAR_RE.findall(text)]
    years += [cn_year(m.group()) for m in CN_YEAR_RE.finditer(text)]
    return sorted(set(years), key=years.index)


# "是2015年的1.54倍", "较2015年增长", "比“十三五”末": a comparison's base year is not the year a figure belongs to.
# "2000年底前建成的老旧小区": a year that says which things are meant, in a clause ending in 的, is not
# the year the sentence speaks of either (unlike a deadline: "2027年底前完成改造").
BASE_YEAR_RE = re.compile(rf"(是|较|比|与|同)\s*(?:(19|20)\d\d\s*年|{PERIOD}(?:末|期末)?)(的|相比|增长|末|底)?"
                          r"|(?:19|20)\d\d\s*年底?(?:以)?前[\u4e00-\u9fff]{1,4}的")
_TITLE_RE = re.compile(r"《[^》]*》")


def stated_years(text: str) -> list[int]:
    """Years a figure belongs to: not a comparison's base year ("是2015年的1.54倍"), nor the year in a
    document's name ("《健康某市2030行动规划》")."""
    return years_in(BASE_YEAR_RE.sub("", _TITLE_RE.sub("", text)))
