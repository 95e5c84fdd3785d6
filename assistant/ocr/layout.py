"""Stand-in layout (replaced by the real one): boxes → visual lines, one ImageLine per line."""

from __future__ import annotations

import re

from .models import ImageLine, ImageText, OcrResult


def layout(result: OcrResult) -> ImageText:
    boxes = sorted(result.boxes, key=lambda b: (b.box[1], b.box[0]))
    lines: list[list] = []
    for b in boxes:
        cy = (b.box[1] + b.box[3]) / 2
        if lines and abs(cy - (lines[-1][0].box[1] + lines[-1][0].box[3]) / 2) < (b.box[3] - b.box[1]) / 2:
            lines[-1].append(b)
        else:
            lines.append([b])
    out = []
    for ln in lines:
        ln.sort(key=lambda b: b.box[0])
        text = " ".join(b.text for b in ln)
        region = (min(b.box[0] for b in ln), min(b.box[1] for b in ln), max(b.box[2] for b in ln), max(b.box[3] for b in ln))
        out.append(ImageLine(text=text, region=region, conf=min(b.conf for b in ln)))
    if not out:
        return ImageText(kind="empty")
    first = out[0].text
    if re.match(r"^\s*图\s*\d", first):
        return ImageText(kind="map", title=first, lines=out[:1])
    return ImageText(kind="box" if first.startswith("专栏") else "text", title=first, lines=out)
