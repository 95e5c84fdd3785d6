"""Document → Chunks: one per paragraph or 专栏 item, so no chunk crosses a 节 or 专栏 boundary.

Paragraphs in this plan are at most ~600 characters, small enough to embed whole; sentence offsets
travel with each chunk so the answerer can quote single sentences.
"""

from __future__ import annotations

from collections.abc import Iterator

from .models import Chunk, Document, Paragraph, Sentence
from .text import sentence_spans

CHUNKING_VERSION = "paragraph-v1"


def _chunk(doc: Document, index: int, para: Paragraph, chapter, section, box: str | None, source: str) -> Chunk:
    start, end = para.span.start, para.span.end
    sentences = [Sentence(text=source[s:e], start=s, end=e) for s, e in sentence_spans(source[start:end], start)]
    return Chunk(
        id=f"{doc.id}:{index}",
        doc_id=doc.id,
        text=para.text,
        start=start,
        end=end,
        chapter=chapter.number,
        chapter_title=chapter.title,
        section=section.number,
        section_title=section.title or None,
        box=box,
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
