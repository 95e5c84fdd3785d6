"""PDF → text with pdfminer.six (pure Python, MIT), pages separated by form feeds; pages without a text
layer (a scan) rendered with pypdfium2 (Apache-2.0/BSD) for OCR, and pictures on text pages kept too."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from .errors import IngestError
from .extracted import Extracted, Picture

# Fewer readable characters than this on a page: the page is an image (a scan), read by OCR.
_MIN_CHARS_PER_PAGE = 20
# 200 dpi: PP-OCR reads 10.5-point body text reliably from ~150 dpi up; more only costs time.
_RENDER_DPI = 200
# A picture on a text page smaller than this (points, either side) is a logo or a rule, not a table.
_MIN_PICTURE_PT = 120
# A picture covering this share of the page's width and height is the page (a scan), not a figure:
# printed figures stand inside the margins (≥ 2 cm each side of A4's 21 cm, so at most ~80%).
_SCAN_COVER = 0.9


def _png(pil_image) -> bytes:
    buf = io.BytesIO()
    pil_image.convert("RGB").save(buf, format="PNG")
    return buf.getvalue()


def _page_pictures(pdf, index: int, out: Extracted, scanned: bool) -> list[str]:
    """Placeholders for a scanned page, or for the large pictures on a text page."""
    import pypdfium2.raw as pdfium_c

    try:
        page = pdf[index]
        if scanned:
            bitmap = page.render(scale=_RENDER_DPI / 72)
            return [out.add(Picture(f"page {index + 1}", data=_png(bitmap.to_pil())))]
        lines = []
        page_w, page_h = page.get_size()
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
            left, bottom, right, top = obj.get_bounds()
            if min(right - left, top - bottom) < _MIN_PICTURE_PT:
                continue
            if right - left >= _SCAN_COVER * page_w and top - bottom >= _SCAN_COVER * page_h:
                # The page itself, scanned, under a text layer (a scanner's "searchable PDF"): that text
                # is its reading already. OCR'd again, every line, heading included, came in twice.
                continue
            n = sum(1 for p in out.pictures if p.name.startswith(f"page {index + 1} ")) + 1
            lines.append(out.add(Picture(f"page {index + 1} picture {n}",
                                         data=_png(obj.get_bitmap(render=True).to_pil()))))
        return lines
    except Exception as e:  # noqa: BLE001 - pdfium raises its own PdfiumError and plain ones; all mean one page lost
        return [out.add(Picture(f"page {index + 1}", error=f"the page could not be rendered ({type(e).__name__})"))]


def extract_pdf(path: Path) -> Extracted:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException
    from pdfminer.psexceptions import PSException

    # pdfminer logs a warning per glyph for fonts Chromium embeds without a FontBBox: harmless, and noise.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with open(path, "rb") as f:
        if not f.read(1024).lstrip().startswith(b"%PDF-"):
            raise IngestError(f"{path.name}: not a PDF file (no %PDF header); the file may be corrupt")
    try:
        # Default LAParams: lines grouped into text boxes, a blank line between boxes and \f between
        # pages, which repair.py uses to tell a paragraph end from a wrapped line.
        text = extract_text(str(path), laparams=LAParams())
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError(f"{path.name}: the PDF is encrypted (password-protected); save an unprotected copy") from None
    except (PDFException, PSException, ValueError, KeyError, TypeError, AssertionError) as e:
        # pdfminer reports damage as whatever its parser tripped over; all mean the same to staff.
        raise IngestError(f"{path.name}: the PDF is corrupt or unreadable ({type(e).__name__})") from None
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # extract_text ends every page with \f
    import pypdfium2 as pdfium

    out = Extracted("")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as e:  # noqa: BLE001 - pdfium's error for a file pdfminer could read: pictures are lost
        logging.getLogger(__name__).warning("%s: pictures not read (%s)", path.name, e)
        out.text = "\f".join(pages) + "\f"
        return out
    with pdf:
        kept = []
        for i, page_text in enumerate(pages):
            scanned = sum(1 for c in page_text if c.isalnum()) < _MIN_CHARS_PER_PAGE
            pictures = _page_pictures(pdf, i, out, scanned) if i < len(pdf) else []
            body = "" if scanned else page_text
            kept.append("\n".join([body.rstrip("\n"), *pictures]) + "\n")
    out.text = "\f".join(kept) + "\f"
    return out
