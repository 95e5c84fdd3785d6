"""HTML for text read from a picture: the thumbnail of the cited line in a chip, and the picture in the
reader with that line framed. Cropping and framing are CSS over the picture file itself (percentages of
the picture's size from its record): nothing is cut or drawn on the server."""

from __future__ import annotations

import html

from ..models import Block, Citation, Document
from ..pictures import LOW_CONFIDENCE, PictureRecord
from .pictures import picture_record, picture_url

Region = tuple[float, float, float, float]
PICTURE_BADGE = "图片识别"
CHECK_BADGE = "请核对原图"
# A thumbnail shows the line at a legible scale with a little room above and below: a long line is cut
# to its first part (the box is at most this many times as wide as high), a tall region padded to a square.
THUMB_MAX_ASPECT = 6.0
THUMB_MIN_ASPECT = 1.0
THUMB_PAD = 1.5  # the crop's height over the line's


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _pct(x: float) -> str:
    return f"{x * 100:.3f}".rstrip("0").rstrip(".") + "%"


def low_confidence(c: Citation) -> bool:
    return c.ocr_conf is not None and c.ocr_conf < LOW_CONFIDENCE


def clamp_region(region: Region | None, width: int, height: int) -> Region:
    """The region inside the picture; the whole picture when there is none (or it is empty)."""
    if not region:
        return 0.0, 0.0, float(width), float(height)
    x0, y0, x1, y1 = (max(0.0, min(float(v), float(lim))) for v, lim in zip(region, (width, height, width, height)))
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else (0.0, 0.0, float(width), float(height))


def _grow(lo: float, hi: float, size: float, limit: float) -> tuple[float, float]:
    """[lo, hi] widened about its middle to `size` (at most `limit`), kept inside [0, limit]."""
    size = min(size, limit)
    mid = (lo + hi) / 2
    lo = min(max(0.0, mid - size / 2), limit - size)
    return lo, lo + size


def thumb_crop(region: Region | None, width: int, height: int) -> Region:
    """What a thumbnail shows: the line's region with some room above and below, cut to its beginning when
    the line is long (a whole long line at 28 pixels high could not be read), widened when it is narrow."""
    x0, y0, x1, y1 = clamp_region(region, width, height)
    if region:
        y0, y1 = _grow(y0, y1, (y1 - y0) * THUMB_PAD, height)
    h = y1 - y0
    if (x1 - x0) / h > THUMB_MAX_ASPECT:
        x1 = x0 + h * THUMB_MAX_ASPECT
    elif (x1 - x0) / h < THUMB_MIN_ASPECT:
        x0, x1 = _grow(x0, x1, h * THUMB_MIN_ASPECT, width)
    return x0, y0, x1, y1


def _inside(inner: Region, outer: Region) -> str:
    """CSS placing `inner` within a box showing `outer` (both in picture pixels)."""
    ow, oh = outer[2] - outer[0], outer[3] - outer[1]
    return (f"left:{_pct((inner[0] - outer[0]) / ow)};top:{_pct((inner[1] - outer[1]) / oh)};"
            f"width:{_pct((inner[2] - inner[0]) / ow)};height:{_pct((inner[3] - inner[1]) / oh)}")


def thumb_html(c: Citation, record: PictureRecord | None) -> str:
    """The cited line cut out of its picture by CSS: a box the crop's shape, the whole picture inside it
    scaled and shifted so that the crop fills the box, and the line itself framed."""
    if not c.image or record is None or record.width <= 0 or record.height <= 0:
        return ""
    w, h = record.width, record.height
    crop = thumb_crop(c.region, w, h)
    line = clamp_region(c.region, w, h)
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    # left/top/width of the whole picture in % of the box (the box's height follows from its aspect ratio)
    img_style = f"width:{_pct(w / cw)};left:{_pct(-crop[0] / cw)};top:{_pct(-crop[1] / ch)}"
    mark = f'<span class="cite-thumb-line" style="{_inside(line, crop)}"></span>' if c.region else ""
    return (f'<span class="cite-thumb" style="aspect-ratio:{cw / ch:.4f}">'
            f'<img src="{_esc(picture_url(c.image))}" alt="原图中引用的这一行" style="{img_style}">{mark}</span>')


def badges_html(c: Citation) -> str:
    if not c.image:
        return ""
    check = f'<span class="chip-badge chip-check">{CHECK_BADGE}</span>' if low_confidence(c) else ""
    return f'<span class="chip-badge chip-picture">{PICTURE_BADGE}</span>{check}'


def chip_title(c: Citation) -> str:
    """The chip's tooltip: its path, and for a picture how sure the reading is."""
    if not c.image:
        return c.path
    conf = f"，识别置信度 {c.ocr_conf:.2f}" if c.ocr_conf is not None else ""
    check = f"；{CHECK_BADGE}" if low_confidence(c) else ""
    return f"{c.path} · 文字由图片识别得到{conf}{check}"


def picture_alt(record: PictureRecord | None) -> str:
    if record is None:
        return "规划原文中的图片"
    first = record.title or next((l.text for l in record.lines if l.text.strip()), "")
    return f"原图：{first.strip()}" if first.strip() else "规划原文中的图片"


def figure_html(file: str, record: PictureRecord | None, region: Region | None, low: bool = False) -> str:
    """The picture in the reader, the cited line framed (positioned in % of the picture's size), a link to
    the full picture, and a caption saying the text that follows was read from it."""
    url = _esc(picture_url(file))
    marked = ""
    if region and record and record.width > 0 and record.height > 0:
        full = (0.0, 0.0, float(record.width), float(record.height))
        marked = (f'<span class="pic-region{" pic-region-check" if low else ""}" '
                  f'style="{_inside(clamp_region(region, record.width, record.height), full)}"></span>')
    size = f' width="{record.width}" height="{record.height}"' if record and record.width and record.height else ""
    note = "下面的文字由这张图片识别得到" + ("，框出的是引用的这一行" if marked else "")
    check = f'<span class="chip-badge chip-check">{CHECK_BADGE}</span>' if low and marked else ""
    return (f'<figure class="pic-figure"><div class="pic-frame"><img src="{url}" alt="{_esc(picture_alt(record))}"{size}>'
            f'{marked}</div><figcaption><span class="chip-badge chip-picture">{PICTURE_BADGE}</span>{check}'
            f'{note}。<a class="pic-open" href="{url}" target="_blank" rel="noopener">查看原图</a></figcaption></figure>')


# ---------------------------------------------------------------- the reader


def block_picture(block: Block) -> str | None:
    """The picture a block was read from (a box: its own, or its items')."""
    if block.kind == "paragraph":
        return block.image.file if block.image else None
    if block.kind == "box":
        return block.image or next((it.image.file for it in block.items if it.image), None)
    return None


def cited_line(blocks: list[Block], file: str, span: tuple[int, int] | None) -> tuple[Region | None, float | None]:
    """The region (and OCR confidence) of the cited line among blocks read from `file`, if one is cited."""
    if span is None:
        return None, None
    for b in blocks:
        for para in [b] if b.kind == "paragraph" else b.items if b.kind == "box" else []:
            if para.image and para.image.file == file and para.span.start < span[1] and span[0] < para.span.end:
                return para.image.region, para.image.conf
    return None, None


def picture_group(doc: Document, blocks: list[Block], file: str, span: tuple[int, int] | None, text: str) -> str:
    """A run of blocks read from one picture (`text`: their HTML), under the picture with the cited line framed."""
    region, conf = cited_line(blocks, file, span)
    low = conf is not None and conf < LOW_CONFIDENCE
    return (f'<div class="pic-group">{figure_html(file, picture_record(doc, file), region, low)}'
            f'<div class="pic-text">{text}</div></div>')
