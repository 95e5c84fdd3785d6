"""The pictures of a document being added: each read by OCR, laid out into plan lines, and put into the
text where it stood, between the marker lines of pictures.py; the picture and its record are kept beside
the plan. A picture that cannot be read is named in a warning and the rest of the plan is still added."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..ocr.engine import ImageError, image_hash, read_image, release
from ..ocr.layout import layout
from ..pictures import END_LINE, PictureRecord, start_line
from .extracted import PLACEHOLDER_RE, Extracted

# `progress(done, total, name)`: called before each picture and once at the end; never for a plan without
# pictures (the page showed "0/0 张 识别图片").
Progress = Callable[[int, int, str], None]


@dataclass
class ReadPictures:
    text: str  # the plan text with every picture's lines where it stood
    files: dict[str, bytes] = field(default_factory=dict)  # name in <id>.images/ → bytes
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0  # OCR time spent (0 when every picture came from the cache)
    read: int = 0  # pictures read into the text (one picture placed twice counts twice, kept once)


def read_pictures(extracted: Extracted, text: str, doc_id: str, cache_dir: Path | None,
                  progress: Progress | None = None) -> ReadPictures:
    """`text` is extracted.text after repair: its placeholders are replaced by what each picture says."""
    out = ReadPictures(text="")
    blocks: dict[int, str] = {}
    total = len(extracted.pictures)
    for i, pic in enumerate(extracted.pictures):
        if progress:
            progress(i, total, pic.name)
        if pic.error or pic.data is None:
            out.warnings.append(f"picture {pic.name}: {pic.error or 'no data'}; skipped")
            continue
        try:
            result = read_image(pic.data, pic.name, cache_dir)
        except ImageError as e:
            out.warnings.append(f"picture {e}; skipped")
            continue
        out.seconds += result.seconds
        read = layout(result)
        if not read.lines:
            out.warnings.append(f"picture {pic.name}: no text read; skipped")
            continue
        stem = image_hash(pic.data)[:16]
        file = f"{doc_id}.images/{stem}{pic.ext}"
        record = PictureRecord(file=file, source=pic.name, width=result.width, height=result.height,
                               kind=read.kind, title=read.title, lines=read.lines, table=read.table)
        out.files[f"{stem}{pic.ext}"] = pic.data
        out.files[f"{stem}.json"] = record.model_dump_json(indent=1).encode()
        blocks[i] = "\n".join([start_line(file), *(l.text for l in read.lines), END_LINE])
        out.read += 1
    if out.seconds:
        release()
    if progress and total:
        progress(total, total, "")
    out.text = PLACEHOLDER_RE.sub(lambda m: f"\n{blocks.get(int(m.group(1)), '')}\n", text)
    return out
