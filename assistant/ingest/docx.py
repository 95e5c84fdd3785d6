"""Word (.docx) → text with python-docx (MIT): one line per paragraph, a table row per line, and each
embedded picture where it stands."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from .errors import IngestError
from .extracted import Extracted, Picture

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # a password-protected .docx (or an old .doc) is an OLE container
_BLIP = ".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def _pictures(paragraph, out: Extracted) -> list[str]:
    """Placeholders for the pictures anchored in a paragraph (inline or floating, both are a:blip)."""
    lines = []
    part = paragraph.part
    for blip in paragraph._p.iterfind(_BLIP):
        rid = blip.get(_EMBED)
        n = len(out.pictures) + 1
        try:
            image_part = part.related_parts[rid]
            ext = PurePosixPath(str(image_part.partname)).suffix.lower() or ".png"
            lines.append(out.add(Picture(f"Word picture {n}", data=image_part.blob, ext=ext)))
        except KeyError:
            lines.append(out.add(Picture(f"Word picture {n}", error="linked, not embedded, in the file")))
    return lines


def extract_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    with open(path, "rb") as f:
        if f.read(4) == _OLE_MAGIC:
            raise IngestError(f"{path.name}: the Word file is encrypted or in the old .doc format; save it as an unprotected .docx")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise IngestError(f"{path.name}: the Word file is corrupt or unreadable ({type(e).__name__})") from None
    out = Extracted("")
    lines: list[str] = []
    # Body order matters (a table sits between the paragraphs that introduce and discuss it).
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                lines.append(" ".join(c.text.strip() for c in row.cells))
                # A picture set in a table cell (a 专栏 framed as a one-cell table) was dropped without
                # a word: its placeholders follow the row. A merged cell is listed once per column.
                seen: list = []
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):
                        continue
                    seen.append(cell._tc)
                    for paragraph in cell.paragraphs:
                        lines.extend(_pictures(paragraph, out))
        else:
            lines.append(block.text)
            lines.extend(_pictures(block, out))
    out.text = "\n".join(lines)
    return out
