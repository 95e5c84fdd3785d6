"""Answering: the answerer interface, chosen by settings, and its extractive implementation.

- base.py         Draft (what every answerer returns) and the Answerer interface
- extractive.py   the orchestrator: refuse, overview, score, choose, compose, ground
- scoring.py      sentence scores (params.py holds every tuned number)
- constraints.py  hard constraints: year, place, code, counted thing, unit
- structure.py    overview questions answered from the table of contents
- compose.py      clauses of a long sentence, 专栏 lists
- grounding.py    citations with offsets, the number check, refusals
- labels.py       "第七章 第三节 …", English locations, the plan's name when several are loaded
- stats.py        what is known of the loaded plans before any question
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Settings
from ..models import Chunk, Document
from .base import Answerer, Draft
from .extractive import ExtractiveAnswerer
from .scoring import SentenceScorer

__all__ = ["Answerer", "Draft", "ExtractiveAnswerer", "make_answerer"]


def make_answerer(settings: Settings, chunks: Sequence[Chunk], sources: dict[str, str],
                  documents: Sequence[Document], scorer: SentenceScorer | None) -> Answerer:
    extractive = ExtractiveAnswerer(chunks, sources, documents, scorer)
    if settings.answerer == "extractive":
        return extractive
    raise ValueError(f"PLANQA_ANSWERER={settings.answerer!r} is unknown; use 'extractive'")
