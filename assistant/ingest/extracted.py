"""What a converter returns: the text, with a placeholder line where each picture stands, and the pictures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A private-use character cannot occur in a plan's text, so a placeholder survives the repair passes
# (which may glue it to a neighbouring line) and is found again exactly.
PLACEHOLDER = "\ue000IMG{}\ue000"
PLACEHOLDER_RE = re.compile(r"[ \t\u3000]*\ue000IMG(\d+)\ue000[ \t\u3000]*")


@dataclass
class Picture:
    """One picture of the document, in the order it stands: bytes, or why they could not be had."""

    name: str  # how messages name it: "images/x.jpg", "page 3", "word image 2"
    data: bytes | None = None
    error: str | None = None
    ext: str = ".png"  # the file kept beside the plan keeps its kind


@dataclass
class Extracted:
    text: str
    pictures: list[Picture] = field(default_factory=list)
    page_title: str | None = None  # a web page's <title>/<h1>: names the plan when the body's top does not
    dropped: list[str] = field(default_factory=list)  # what was left out as not the plan (navigation, …)

    def add(self, picture: Picture) -> str:
        """Register a picture; returns the placeholder line to put where it stands."""
        self.pictures.append(picture)
        return PLACEHOLDER.format(len(self.pictures) - 1)
