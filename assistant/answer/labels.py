"""How a reply names where its evidence stands: "第七章 第三节 着力提升民生保障水平 · 专栏:…", in Chinese
for staff, in English words for an English reader, with the plan's short name when several are loaded."""

from __future__ import annotations

from ..models import Chunk, Citation, box_label, chapter_label, part_label, section_label

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def english_number(n: int) -> str:
    """Spelled out (0–999), so that every digit in a reply is one of the quoted figures."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {english_number(rest)}" if rest else "")


def label(chapter: int | None, chapter_title: str, section: int | None, section_title: str | None,
          box: str | None, part: int | None = None, plan: str | None = None, picture: bool = False,
          in_part: bool = False, brief: bool = False) -> str:
    """"第七章 第三节 着力提升民生保障水平 · 专栏:民生保障重点项目" — the form staff cite; `plan` prefixes
    the plan's short name ("国家十三五 · …") when more than one plan is loaded. `brief`: the numbers without
    the titles ("南京市十五五 · 第三章 第三节 · 专栏2"), for a reply that names several plans' places and must
    still fit; the citations keep the titles."""
    if brief and chapter:
        chapter_title = section_title = ""
        box = box.split()[0] if box and box[:1].isdigit() else box
    if chapter is None:
        parts = f"{part_label(part)} {chapter_title}" if part is not None else chapter_title
    elif chapter == 0:
        parts = "序言"
    elif section is None:
        parts = f"{chapter_label(chapter)} {chapter_title}"
    else:
        parts = f"{chapter_label(chapter)} {section_label(section)} {section_title}"
    if in_part and part is not None and chapter:
        parts = f"{part_label(part)} {parts}"  # chapters numbered afresh in every 篇
    parts = parts.strip() + (f" · {box_label(box)}" if box else "") + (" · 图片识别" if picture else "")
    return f"{plan} · {parts}" if plan else parts


def english_location(where: Chunk | Citation) -> str:
    """"Chapter Seven, Section Three"; the Chinese label still follows the quote."""
    def word(n: int) -> str:
        return english_number(n).title()

    if where.chapter is None:
        return f"Part {word(where.part)}" if where.part is not None else "Part"
    if where.chapter == 0:
        return "Preface"
    text = f"Chapter {word(where.chapter)}" + (f", Section {word(where.section)}" if where.section is not None else "")
    return text + (", box" if where.box else "")
