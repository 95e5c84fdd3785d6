"""What OCR reads from a picture, and what of it joins the plan's text: pydantic models at the boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# (x0, y0, x1, y1) in the image's own pixels, origin top left.
Region = tuple[float, float, float, float]


class OcrBox(BaseModel):
    """One text box as the recogniser returned it."""

    text: str
    box: Region
    conf: float


class OcrResult(BaseModel):
    """Everything the engine said about one image; cached by the image's hash, so never read twice."""

    image: str  # sha256 of the image file's bytes
    width: int
    height: int
    engine: str  # engine and settings: a cache entry made otherwise is not reused
    boxes: list[OcrBox] = Field(default_factory=list)
    seconds: float = 0.0


class ImageLine(BaseModel):
    """One line of plan text made from a picture: a heading, a paragraph, a 专栏 item or a table row."""

    text: str
    region: Region  # where it stands in the picture (the union of its boxes)
    conf: float  # the lowest confidence of the boxes it was made of


class Table(BaseModel):
    """A table rebuilt from box geometry: column names, and each data row as column name → cell text.

    A row's "" key, when present, holds what the row sits under: its 类别 (经济发展) and parent indicator.
    Empty cells ("—" or blank) are left out of the row.
    """

    header: list[str] = Field(default_factory=list)
    rows: list[dict[str, str]] = Field(default_factory=list)


class ImageText(BaseModel):
    """A picture read into the plan's structure: what the corpus text gets where the picture stands."""

    kind: Literal["box", "table", "map", "text", "empty"]
    title: str | None = None  # "专栏3 …", "图1 …", a table's caption
    lines: list[ImageLine] = Field(default_factory=list)
    table: Table | None = None  # kind "table": the grid the lines were made from
