"""规划指标一览: every quantified target or achieved figure of every plan, as table rows."""

from __future__ import annotations

from .extract import indicators_for
from .models import FIELDS, Indicator

__all__ = ["FIELDS", "Indicator", "indicators_for"]
