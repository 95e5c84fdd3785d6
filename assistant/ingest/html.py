"""A web page saved with its pictures (.html / .htm) → text, a line per block, each <img> where it stands.

Python's html.parser (stdlib) is enough: a plan page is headings, paragraphs, tables and pictures; what
a browser would not show (script, style, head) is left out.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

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

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "img" and not self.hidden:
            src = dict(attrs).get("src")
            if src:
                self.lines += [self.out.add(local_picture(self.folder, src)), ""]
        elif tag in ("td", "th"):
            self.lines[-1] += " "
        elif tag in _BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.lines[-1] += data.replace("\n", " ")


def extract_html(path: Path) -> Extracted:
    out = Extracted("")
    page = _PlanPage(path.parent, out)
    page.feed(read_plain(path))
    page.close()
    out.text = "\n".join(line.strip() for line in page.lines if line.strip())
    return out
