"""A web page saved with its pictures (.html / .htm) → text, a line per block, each <img> where it stands.

lxml (already installed with chromadb's dependencies; a tolerant, well-kept HTML parser) finds the element
that holds the plan: the deepest one holding nearly all of the page's 第N章/第N篇 mentions, so that the
site's navigation, related news and footer around it are left out, by the page's own structure and not
by a list of site furniture. Python's html.parser then turns that element into lines: a plan is headings,
paragraphs, tables and pictures; what a browser would not show (script, style, head) is left out.
trafilatura was considered: it is built for news articles and drops table cells and short heading lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import lxml.html

from .extracted import Extracted
from .plaintext import local_picture, read_plain

_BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section", "article",
           "blockquote", "pre", "figure", "figcaption", "dt", "dd", "hr", "title"}
_HIDDEN = {"script", "style", "head", "noscript", "template", "svg"}


class _PlanPage(HTMLParser):
    def __init__(self, folder: Path, out: Extracted) -> None:
        super().__init__(convert_charrefs=True)
        self.folder, self.out = folder, out
        self.lines: list[str] = [""]
        self.hidden = 0
        self.cell = 0  # inside a table cell: its blocks stay on the row's line (cells split by tabs)
        self.row_cells = 0
        self.spans: dict[int, int] = {}  # column → rows a cell above still covers (rowspan)

    def _covered(self) -> None:
        """Columns a rowspan cell above covers get an empty cell here, so every row keeps its columns and
        tables.py carries the merged value down."""
        while self.spans.get(self.row_cells, 0) > 0:
            self.spans[self.row_cells] -= 1
            self.lines[-1] += "\t" if self.row_cells else ""
            self.row_cells += 1

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "img" and not self.hidden:
            src = dict(attrs).get("src")
            if src:
                self.lines += [self.out.add(local_picture(self.folder, src)), ""]
        elif tag in ("td", "th"):
            # A row is one line, its cells split by tabs (tables.py reads it as a row); an empty cell
            # keeps its tab, so the columns stay in place.
            self._covered()
            self.lines[-1] += "\t" if self.row_cells else ""
            span = dict(attrs).get("rowspan") or "1"
            if span.isdigit() and int(span) > 1:
                self.spans[self.row_cells] = int(span) - 1
            self.row_cells += 1
            self.cell += 1
        elif tag == "tr":
            self.lines.append("")
            self.row_cells = 0
        elif tag in _BLOCKS and not self.cell:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in ("td", "th"):
            self.cell = max(0, self.cell - 1)
        elif tag == "tr":
            self._covered()
            self.lines.append("")
        elif tag in _BLOCKS and not self.cell:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.lines[-1] += data.replace("\n", " ")


_HEADING_MENTION = re.compile(r"第[一二三四五六七八九十百零〇]{1,4}[篇章]|(?:^|\n)\s*[一二三四五六七八九十]{1,3}、")
# The share of the page's heading mentions an element must hold to be the plan. Lower would take a
# sidebar list of chapters for the plan; 1.0 would refuse a plan whose 目录 stands apart from its body.
PLAN_SHARE = 0.85


def _mentions(el) -> int:  # noqa: ANN001 - an lxml element
    return len(_HEADING_MENTION.findall(el.text_content()))


def plan_element(root):  # noqa: ANN001, ANN201 - lxml elements
    """The deepest element holding PLAN_SHARE of the page's heading mentions (the page itself if it has few)."""
    total = _mentions(root)
    el = root
    while total >= 3:
        kids = [k for k in el if isinstance(k.tag, str) and k.tag not in _HIDDEN]
        best = max(kids, key=_mentions, default=None)
        if best is None or _mentions(best) < PLAN_SHARE * total:
            break
        el = best
    return el


def _page_title(root) -> str | None:  # noqa: ANN001
    for path in ("//title", "//h1"):
        found = [t.text_content().strip() for t in root.xpath(path)]
        if found and found[0]:
            return re.sub(r"\s+", " ", found[0])
    return None


def _lines_of(html: str, folder: Path, out: Extracted) -> list[str]:
    page = _PlanPage(folder, out)
    page.feed(html)
    page.close()
    # Leading tabs are a row's empty first cells, kept; spaces around a line are not text.
    return [line.rstrip().lstrip(" \u3000\xa0") for line in page.lines if line.strip()]


def extract_html(path: Path) -> Extracted:
    out = Extracted("")
    html = read_plain(path)
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # empty or not HTML at all: read it as it is
        root = None
    if root is None:
        out.text = "\n".join(_lines_of(html, path.parent, out))
        return out
    out.page_title = _page_title(root)
    body = plan_element(root)
    lines = _lines_of(lxml.html.tostring(body, encoding="unicode"), path.parent, out)
    if body is not root:
        kept = set(lines)
        out.dropped = [l for l in _lines_of(html, path.parent, Extracted("")) if l not in kept]
    out.text = "\n".join(lines)
    return out
