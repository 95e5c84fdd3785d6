"""Text normalisation shared by parsing, matching, answering and evaluation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin

_WS = re.compile(r"\s+")
# A space the PDF put next to a CJK character or full-width punctuation is never meaningful.
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》（）【】—…·"
_PDF_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」）)]*")


def normalise(text: str) -> str:
    """The eval contract's normalisation: NFKC, no whitespace, ASCII lower-case."""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=4096)
def pinyin(text: str) -> str:
    """Toneless pinyin, run together: how an English question spells a Chinese name ("某某" → "moumou")."""
    return "".join(lazy_pinyin(text)).lower()


def clean(text: str) -> str:
    """Readable text: drop the spaces PDF extraction put around numbers and inside words."""
    return _PDF_SPACE.sub("", text.strip())


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split into sentences at 。！？； (keeping the mark); spans are shifted by offset."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s + offset, e + offset))
    return out
