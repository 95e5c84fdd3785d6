"""Scores that compare the same on every machine.

Embeddings and distances computed on another CPU (another SIMD or BLAS path) differ from ours by ~1e-7.
Left as they are, such noise decided near ties, and the same question got another answer on another
server. Every score that is compared is rounded here first, and every ranking breaks ties by a fixed key
(place in the plan), never by the order a set or a merge happened to give.
"""

from __future__ import annotations

# Far above float32 noise (~1e-7), far below any difference the scores mean (params.py's margins are ≥ 0.01).
SCORE_DECIMALS = 6


def settled(score: float) -> float:
    return round(float(score), SCORE_DECIMALS)
