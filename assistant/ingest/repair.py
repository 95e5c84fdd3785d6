"""Repairs for what text extraction (above all from PDF) does to a Chinese plan.

Each repair is one small function on the whole text, so each can be tested alone; `repair_pdf_text`
chains them in the order they depend on one another. Input pages are separated by form feeds (\\f),
as pdfminer's extract_text writes them; output is one paragraph per line, as parsing.py expects.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..parsing import BOX_RE, CHAPTER_RE, PAGE_REF_RE, PART_RE, PREFACE_RE, SECTION_RE
from ..tables import rewrite_tables

# Kangxi radicals (U+2F00–U+2FDF) and the CJK radicals supplement (U+2E80–U+2EFF): fonts draw them
# with the same glyph as the ideograph, so a PDF's ToUnicode map often names the radical (⼀ for 一),
# and then neither search nor the heading patterns find the word.
_RADICALS = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf]")


# NFKC maps every Kangxi radical but only two of the supplement: these simplified radicals are whole
# characters of their own (a component-only form such as ⻈ for 讠 is left as it is).
# ⻣⻤⻪ added: Chromium's PDF of the 13th plan names 骨 (in 骨干) as ⻣, so "骨干工程" was not found.
_SUPPLEMENT = str.maketrans("⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳", "民西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟")


def fold_lookalikes(text: str) -> str:
    """⼀ (U+2F00) → 一, ⽤ (U+2F64) → 用, ⻓ (U+2ED3) → 长: NFKC for the radical ranges only.

    NFKC on the whole text would also turn full-width punctuation (，：（）) and the ideographic space
    into ASCII, which the plan's own text and the parser's patterns keep.
    """
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group().translate(_SUPPLEMENT)), text)
    # The plan's "——" (two em dashes) leading a 目标 item comes out of a browser's PDF as one ligature.
    return text.replace("\u2e3b", "———").replace("\u2e3a", "——")


_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def to_halfwidth(text: str) -> str:
    """Full-width digits and Latin letters (２０２５, ＧＤＰ) to ASCII; CJK punctuation stays full-width."""
    return _FULLWIDTH_ALNUM.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)


_SUPERSCRIPT = {"2": "²", "3": "³"}
_PERCENT = re.compile(r"(?<=\d)[ \t]+(?=[%‰])")
_DECIMAL = re.compile(r"(?<=\d)[ \t]*\.[ \t]*(?=\d)")
_SLASH = re.compile(r"(?<=[\w\u4e00-\u9fff])[ \t]*/[ \t]*(?=[\w\u4e00-\u9fff])")
# "m 2" / "km2" as a unit: after a slash or a number; never inside a word ("m2m").
_SQUARE = re.compile(r"(?<=[/\d])[ \t]*(k?m)[ \t]*([23])(?![\d.\w])")


def join_number_spaces(text: str) -> str:
    """"60 %" → "60%", "3 . 5" → "3.5", "1000元/ m 2" → "1000元/m²": PDF spacing inside numbers and units."""
    text = _PERCENT.sub("", text)
    text = _DECIMAL.sub(".", text)
    text = _SLASH.sub("/", text)
    return _SQUARE.sub(lambda m: f"{m.group(1)}{_SUPERSCRIPT[m.group(2)]}", text)


_PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-–—])?\s*$"
                          r"|^\s*\d{1,4}\s*/\s*\d{1,4}\s*$")
_FURNITURE_MIN_PAGES = 3  # a header must repeat on this many pages (and half of them) to be one


def drop_page_furniture(text: str) -> str:
    """Page numbers ("12", "- 12 -", "第12页") and running headers/footers (a line on most pages) go.

    Pages are \\f-separated. Repeats are counted per page, with digits masked, so "规划 3" and
    "规划 4" count as one footer.
    """
    pages = text.split("\f")
    key = lambda line: re.sub(r"\d+", "#", line.strip())  # noqa: E731 - a one-line local key
    seen = Counter(k for page in pages for k in {key(l) for l in page.splitlines() if l.strip()})
    threshold = max(_FURNITURE_MIN_PAGES, len(pages) // 2 + 1)
    repeated = {k for k, n in seen.items() if n >= threshold} if len(pages) >= _FURNITURE_MIN_PAGES else set()
    kept = [[l for l in page.splitlines() if not _PAGE_NUMBER.match(l) and key(l) not in repeated]
            for page in pages]
    # A page break is not a paragraph break: pages join with a plain newline, so a sentence split
    # across pages is mended by join_broken_lines like any other wrapped line.
    return "\n".join("\n".join(lines) for lines in kept)


_HEADING_RES = (PART_RE, CHAPTER_RE, SECTION_RE, PREFACE_RE)
_SENTENCE_END = re.compile(r"[。！？!?；;:：”’」）)]\s*$")
_FULL_LINE = 0.75  # a line narrower than this share of the page's text width ended its paragraph


def _is_heading(line: str) -> bool:
    return any(r.match(line) for r in _HEADING_RES) or bool(BOX_RE.match(line.strip()))


def _width(line: str) -> int:
    """Printed width: a CJK character is as wide as two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.strip())


def join_broken_lines(text: str) -> str:
    """Lines wrapped mid-sentence become one line per paragraph.

    A line is joined to the next when it runs to the right margin (a shorter line ended its
    paragraph: titles, captions, last lines), does not end a sentence, and neither line is a
    heading. Blank lines say nothing: pdfminer puts one between text boxes, and a PDF printed from
    a browser makes every visual line a box of its own.
    """
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    widths = sorted(_width(l) for l in lines)
    full = widths[int(len(widths) * 0.9)] if widths else 0  # the text width, robust to a few wide lines
    out: list[str] = []
    joinable = left_open = False
    printed = 0  # width of the printed line the current piece belongs to
    for line in lines:
        # The extractor also cuts a printed line before or after a quotation mark. No paragraph ends in a
        # comma or inside an open quotation (`left_open`), and Chinese typesetting never starts a line with
        # "，" or a closing mark (避头): either way the piece belongs to the paragraph before it.
        rest_of_line = bool(out) and _LINE_START_BANNED.match(line) and not _is_heading(out[-1])
        if (joinable or left_open or rest_of_line) and not _is_heading(line):
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
        # (a piece cut off a printed line that had not reached the margin is on that same printed line)
        same_line = rest_of_line or (left_open and printed < _FULL_LINE * full)
        printed = printed + _width(line) if same_line else _width(line)
        left_open = _left_open(line) and not _is_heading(out[-1])
        joinable = (printed >= _FULL_LINE * full and not _SENTENCE_END.search(line)
                    and not _is_heading(out[-1]) and not PAGE_REF_RE.search(line))  # a 目录 line ends so
    return "\n".join(out)


_LINE_START_BANNED = re.compile(r"[，,、。．；;：:？?！!）)」』》〉”’]")
_OPEN_END = re.compile(r"[，,、“‘（(《〈「『]$")


def _left_open(line: str) -> bool:
    return bool(_OPEN_END.search(line)) or line.count("“") > line.count("”")


def _join(left: str, right: str) -> str:
    # Latin words wrapped at a line end need their space back; Chinese never had one.
    if re.search(r"[A-Za-z0-9]$", left) and re.match(r"[A-Za-z0-9]", right):
        return f"{left} {right}"
    return left + right


_GLUED = re.compile(r"(?<=[。！？；”])\s*(?=(?:第\s*[零〇一二三四五六七八九十百]+\s*[篇章节]|专栏\s*\d*\s*[:：\s]))")


def split_glued_headings(text: str) -> str:
    """"…取得新成效。第三章 发展环境" → two lines: a heading glued to the end of the previous sentence.

    Only after a sentence end, so "按照第三章的部署" inside a sentence stays as it is.
    """
    return "\n".join(_GLUED.sub("\n", line) for line in text.splitlines())


# A line longer than any paragraph of a plan (the longest we have is ~2,100 characters) is a page whose
# body is one element: the 通知, 目录 and all chapters run together.
LONG_LINE = 4000
_RUN_ON_HEADING = re.compile(r"(?:(?<=\s)|(?<=[。！？；”]))(?=第\s*[零〇一二三四五六七八九十百]+\s*[篇章节](?!的))")
_HEADING_THEN_TEXT = re.compile(r"^(第\s*[零〇一二三四五六七八九十百]+\s*[篇章节]\s*[^\s。；]{1,40}?)\s+(?=\S)")
_SENTENCE = re.compile(r"(?<=[。！？；])")
_TITLE_MAX = 60


def split_run_on_lines(text: str) -> str:
    """A one-line body becomes lines again: cut before each heading (after a space or a sentence end) and
    at gaps of two or more spaces; a heading's title apart from the text run into it; what is still
    longer than a paragraph at its sentence ends. Lines of ordinary length are untouched."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= LONG_LINE:
            out.append(line)
            continue
        for piece in _RUN_ON_HEADING.split(line):
            for para in re.split(r"[ \t\u3000\xa0]{2,}", piece.strip()):
                # A heading run into its text with one space between ("第三章 发展环境 当前…"): a title
                # is short, so only a long piece is cut there.
                m = _HEADING_THEN_TEXT.match(para) if len(para) > _TITLE_MAX else None
                if m:
                    out.append(m.group(1))
                    para = para[m.end():]
                out.extend(_sentences(para) if len(para) > LONG_LINE // 4 else [para])
    return "\n".join(out)


def _sentences(para: str) -> list[str]:
    """A long run of text cut at sentence ends into lines of about a paragraph's length."""
    lines, current = [], ""
    for sentence in _SENTENCE.split(para):
        if current and len(current) + len(sentence) > LONG_LINE // 8:
            lines.append(current)
            current = ""
        current += sentence
    return lines + [current] if current else lines


def looks_wrapped(text: str) -> bool:
    """Text copied out of a PDF keeps the PDF's line breaks: most of its lines stop mid-sentence."""
    lines = [l.strip() for l in text.splitlines() if len(l.strip()) >= 25]  # not headings, cells, page numbers
    return len(lines) >= 20 and sum(not _SENTENCE_END.search(l) for l in lines) / len(lines) >= WRAPPED_SHARE


# Share of lines ending mid-sentence above which a text file is read as PDF text. Plan text with one
# paragraph per line has 1-28% (table rows, 目录 lines); wrapped PDF text ~94%.
WRAPPED_SHARE = 0.6


def tidy_lines(text: str) -> str:
    """One paragraph per line: trailing spaces, blank lines and stray form feeds go."""
    lines = (l.strip(" \t\f\r") for l in text.replace("\f", "\n").splitlines())
    return "\n".join(l for l in lines if l) + "\n"


def repair_text(text: str) -> str:
    """The repairs every format needs (a Word or text file has no page layout to undo)."""
    text = rewrite_tables(split_run_on_lines(to_halfwidth(fold_lookalikes(text))))
    return tidy_lines(join_number_spaces(text))


def repair_pdf_text(text: str) -> str:
    """All repairs, in order: characters first (so headings match), then page furniture, then lines."""
    text = rewrite_tables(drop_page_furniture(to_halfwidth(fold_lookalikes(text))))
    text = split_glued_headings(join_broken_lines(text))
    return tidy_lines(join_number_spaces(text))
