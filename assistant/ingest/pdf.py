"""PDF → raw text with pdfminer.six (pure Python, MIT): pages separated by form feeds."""

from __future__ import annotations

import logging
from pathlib import Path

from .errors import IngestError

# Fewer readable characters than this on average per page: the pages are images (a scan).
_MIN_CHARS_PER_PAGE = 20


def extract_pdf(path: Path) -> str:
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
    pages = max(1, text.count("\f"))  # extract_text ends every page with \f
    readable = sum(1 for c in text if c.isalnum())
    if readable < _MIN_CHARS_PER_PAGE * pages:
        raise IngestError(f"{path.name}: the PDF has no text layer (a scan); it needs OCR, which this version does not do")
    return text
