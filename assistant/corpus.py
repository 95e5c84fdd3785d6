"""The corpus folder: plan text files, each with an optional `<stem>.json` metadata file beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel

from .models import Document
from .parsing import PlanParseError, parse_file


class DocumentMeta(BaseModel):
    title: str | None = None
    issuer: str | None = None
    year: str | None = None


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.glob("*.txt") if p.is_file())


def load_meta(path: Path) -> DocumentMeta:
    meta_path = path.with_suffix(".json")
    if not meta_path.exists():
        return DocumentMeta()
    try:
        return DocumentMeta.model_validate_json(meta_path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise PlanParseError(f"{meta_path}: invalid metadata: {e}") from None


def load_corpus(corpus_dir: Path) -> list[Document]:
    files = corpus_files(corpus_dir)
    if not files:
        raise FileNotFoundError(f"no plan files (*.txt) in {corpus_dir}")
    return [parse_file(p, **load_meta(p).model_dump()) for p in files]


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Content hash of every plan file and its metadata: changes whenever the index must."""
    h = hashlib.sha256()
    for p in corpus_files(corpus_dir):
        for part in (p, p.with_suffix(".json")):
            if part.exists():
                h.update(part.name.encode())
                h.update(part.read_bytes())
    return h.hexdigest()[:16]


def document_text(doc: Document) -> str:
    return Path(doc.source_path).read_text(encoding="utf-8")


def dump_meta(meta: DocumentMeta) -> str:
    return json.dumps(meta.model_dump(exclude_none=True), ensure_ascii=False, indent=2)
