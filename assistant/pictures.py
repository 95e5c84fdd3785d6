"""Pictures in the corpus: how text read from a picture stands in a plan's file, and the record kept
beside it (`corpus/<id>.images/`: the picture itself and `<name>.json`, the lines with their regions).

The text stands in the plan file, between two marker lines, where the picture stood:

    ![图片识别](<id>.images/<hash>.jpg)
    专栏10 交通建设重点工程
    （一）高速铁路：加快完善高速铁路网……
    ![/图片识别]

so what the reader shows, what is indexed and what a citation's offsets point at are one text, and the
parser reads it like any other (a 专栏 title starts a box). The record ties each line to its region.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from .ocr.models import ImageLine, Table

START_RE = re.compile(r"^\s*!\[图片识别\]\(([^)\s]+)\)\s*$")
END_RE = re.compile(r"^\s*!\[/图片识别\]\s*$")
# Below this a line read from a picture is not stated as fact. Measured on plan pictures: wrong reads
# came at 0.57-0.69 ("—" as "一"), right ones at ≥ 0.90; lower lets misreads through, higher sends
# right figures to "please check the picture".
LOW_CONFIDENCE = 0.8


def start_line(file: str) -> str:
    return f"![图片识别]({file})"


END_LINE = "![/图片识别]"


class PictureRecord(BaseModel):
    """What is kept beside the plan for one picture."""

    file: str  # "<id>.images/<hash>.jpg", relative to the corpus folder
    source: str  # where it came from in the original document ("images/x.jpg", "page 3")
    width: int
    height: int
    kind: str
    title: str | None = None
    lines: list[ImageLine] = Field(default_factory=list)
    table: Table | None = None  # a table picture's grid: column name → cell, row by row


def images_dir(corpus_dir: Path, doc_id: str) -> Path:
    return corpus_dir / f"{doc_id}.images"


def load_records(plan_path: Path) -> dict[str, PictureRecord]:
    """file → record, for the pictures of the plan at `plan_path` (none: {})."""
    folder = images_dir(plan_path.parent, plan_path.stem)
    if not folder.is_dir():
        return {}
    out = {}
    for p in sorted(folder.glob("*.json")):
        try:
            rec = PictureRecord.model_validate_json(p.read_text(encoding="utf-8"))
        except ValueError:
            continue  # a damaged record only loses regions; the text itself stands in the plan file
        out[rec.file] = rec
    return out


def line_index(record: PictureRecord) -> dict[str, ImageLine]:
    """Lines by their text with whitespace removed, as the parser sees a paragraph."""
    return {re.sub(r"\s+", "", l.text): l for l in record.lines}
