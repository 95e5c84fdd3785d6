"""Word (.docx) → text with python-docx (MIT): one line per paragraph, a table row per line."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import IngestError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # a password-protected .docx (or an old .doc) is an OLE container


def extract_docx(path: Path) -> str:
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
    lines: list[str] = []
    # Body order matters (a table sits between the paragraphs that introduce and discuss it).
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(" ".join(c.text.strip() for c in row.cells) for row in block.rows)
        else:
            lines.append(block.text)
    return "\n".join(lines)
