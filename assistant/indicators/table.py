"""Filtering and export of Indicator rows, shared by the CLI and the web tab."""

from __future__ import annotations

import csv
import io

from .models import FIELDS, Indicator


def filter_rows(rows: list[Indicator], doc: str | None = None, chapter: int | None = None, year: int | None = None,
                grep: str | None = None) -> list[Indicator]:
    """Rows of one plan / chapter / target year whose indicator or quote contains `grep`."""
    needle = (grep or "").strip()
    return [r for r in rows
            if (doc is None or r.doc == doc) and (chapter is None or r.chapter == chapter)
            and (year is None or r.year == year)
            and (not needle or needle in r.indicator or needle in r.quote.replace(" ", ""))]


def to_records(rows: list[Indicator]) -> list[dict]:
    return [r.model_dump(include=set(FIELDS)) for r in rows]


def to_csv(rows: list[Indicator]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(FIELDS)
    writer.writerows(r.row() for r in rows)
    return buf.getvalue()
