"""Document → Chunks: one per paragraph or 专栏 item, so no chunk crosses a 节 or 专栏 boundary.

Paragraphs in this plan are at most ~600 characters, small enough to embed whole; sentence offsets
travel with each chunk so the answerer can quote single sentences.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from .models import Chunk, Document, Paragraph, Sentence
from .text import clean, sentence_spans

CHUNKING_VERSION = "paragraph-v5"  # v2: 篇 and the untitled preface; v3: text read from pictures; v4: 篇-numbered chapters; v5: run-in numbered 节


def _chunk(doc: Document, index: int, para: Paragraph, chapter, section, box: str | None, source: str) -> Chunk:
    start, end = para.span.start, para.span.end
    sentences = [Sentence(text=source[s:e], start=s, end=e) for s, e in sentence_spans(source[start:end], start)]
    return Chunk(
        id=f"{doc.id}:{index}",
        doc_id=doc.id,
        text=para.text,
        start=start,
        end=end,
        part=chapter.part,
        part_title=next((p.title for p in doc.parts if p.number == chapter.part), None),
        chapter=chapter.number,
        chapter_title=chapter.title,
        section=section.number,
        section_title=section.title or None,
        box=box,
        image=para.image,
        in_part=chapter.in_part,
        block_index=index,
        lead=para.lead,
        sentences=sentences,
    )


def iter_chunks(doc: Document, source: str) -> Iterator[Chunk]:
    """`source` is the document's file text; chunk offsets point into it."""
    index = 0
    for chapter in doc.chapters:
        for section in chapter.sections:
            for block in section.blocks:
                if block.kind == "paragraph":
                    yield _chunk(doc, index, block, chapter, section, None, source)
                    index += 1
                elif block.kind == "box":
                    for item in block.items:
                        yield _chunk(doc, index, item, chapter, section, block.title, source)
                        index += 1


def chunk_documents(docs: list[Document], sources: dict[str, str]) -> list[Chunk]:
    return [c for doc in docs for c in iter_chunks(doc, sources[doc.id])]


def prepare_text(text: str) -> str:
    """Text as both retrievers see it: PDF artefact spaces removed, full-width forms folded (NFKC)."""
    return unicodedata.normalize("NFKC", clean(text))


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    """Chroma metadata: scalar values only (Chroma rejects None), enough to cite without the corpus."""
    meta: dict[str, str | int] = {
        "chunk_id": chunk.id,
        "doc_id": chunk.doc_id,
        "path": chunk.path,
        "start": chunk.start,
        "end": chunk.end,
    }
    if chunk.part is not None:
        meta["part"] = chunk.part
    if chunk.chapter is not None:
        meta["chapter"] = chunk.chapter
    if chunk.section is not None:
        meta["section"] = chunk.section
    if chunk.box:
        meta["box"] = chunk.box
    if chunk.lead:
        meta["lead"] = chunk.lead
    if chunk.image:
        meta["image"] = chunk.image.file
    return meta
