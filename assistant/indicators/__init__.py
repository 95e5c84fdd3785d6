"""规划指标一览: every quantified target or achieved figure of every plan, as table rows."""

from __future__ import annotations

from ..models import Document
from .extract import indicators_for
from .models import FIELDS, Indicator

__all__ = ["FIELDS", "Indicator", "indicators_for", "loaded_indicators"]

_loaded: tuple[list[Document], list[Indicator]] | None = None


def loaded_indicators(documents: list[Document], sources: dict[str, str]) -> list[Indicator]:
    """indicators_for the loaded plans, once per corpus: the page's examples, its 指标一览 tab and the
    suggested questions share one set of rows. PlanAssistant.reload assigns a new documents list (identity),
    which makes a new set."""
    global _loaded
    if _loaded is None or _loaded[0] is not documents:
        _loaded = (documents, indicators_for(documents, sources))
    return _loaded[1]
