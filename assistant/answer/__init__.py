"""Answering: the answerer interface, chosen by settings, and its extractive implementation.

- base.py         Draft (what every answerer returns) and the Answerer interface
- llm.py          an OpenAI-compatible model writes the reply from numbered evidence; a guard checks it
                  and falls back to the extractive answer (prompt: prompts/llm_answer.txt)
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
from .base import Answerer, Draft, StreamingAnswerer
from .extractive import ExtractiveAnswerer
from .scoring import SentenceScorer

__all__ = ["Answerer", "Draft", "ExtractiveAnswerer", "StreamingAnswerer", "make_answerer"]


def make_answerer(settings: Settings, chunks: Sequence[Chunk], sources: dict[str, str],
                  documents: Sequence[Document], scorer: SentenceScorer | None) -> Answerer:
    extractive = ExtractiveAnswerer(chunks, sources, documents, scorer)
    if settings.answerer == "extractive":
        return extractive
    if settings.answerer == "llm":
        from .llm import LLMAnswerer  # imports the OpenAI client only when it is asked for

        return LLMAnswerer.from_settings(settings, extractive)
    raise ValueError(f"PLANQA_ANSWERER={settings.answerer!r} is unknown; use 'extractive' or 'llm'")
