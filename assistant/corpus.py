"""The corpus folder: plan text files, each with an optional `<stem>.json` metadata file beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel

from .models import Document, Profile
from .parsing import PlanParseError, parse_file, read_text
from .pictures import images_dir, load_records
from .profile import derive_profile


class DocumentMeta(BaseModel):
    title: str | None = None
    issuer: str | None = None
    year: str | None = None
    # Any Profile field overrides what profile.py reads from the title and text, e.g. {"short_name": "…"}.
    profile: dict | None = None


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


def load_document(path: Path) -> Document:
    """Parse one plan file and attach its profile (derived, then the metadata's overrides)."""
    meta = load_meta(path)
    doc = parse_file(path, pictures=load_records(path), **meta.model_dump(exclude={"profile"}))
    derived = derive_profile(doc.title, read_text(path))
    try:
        doc.profile = Profile.model_validate({**derived.model_dump(), **(meta.profile or {})})
    except ValueError as e:
        raise PlanParseError(f"{path.with_suffix('.json')}: invalid profile: {e}") from None
    return doc


def load_corpus(corpus_dir: Path) -> list[Document]:
    files = corpus_files(corpus_dir)
    if not files:
        raise FileNotFoundError(f"no plan files (*.txt) in {corpus_dir}")
    docs = [load_document(p) for p in files]
    _distinct_short_names(docs)
    return docs


def _distinct_short_names(docs: list[Document]) -> None:
    """Labels name the plan by its short name: two plans of one place and period get their id added."""
    names = [d.profile.short_name for d in docs if d.profile]
    for d in docs:
        if d.profile and names.count(d.profile.short_name) > 1:
            d.profile.short_name = f"{d.profile.short_name}({d.id})"


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Content hash of every plan file and its metadata: changes whenever the index must."""
    h = hashlib.sha256()
    for p in corpus_files(corpus_dir):
        records = images_dir(corpus_dir, p.stem)
        pictures = sorted(records.glob("*.json")) if records.is_dir() else []
        for part in (p, p.with_suffix(".json"), *pictures):
            if part.exists():
                h.update(part.name.encode())
                h.update(part.read_bytes())
    return h.hexdigest()[:16]


def document_text(doc: Document) -> str:
    return Path(doc.source_path).read_text(encoding="utf-8")


def dump_meta(meta: DocumentMeta) -> str:
    return json.dumps(meta.model_dump(exclude_none=True), ensure_ascii=False, indent=2)
