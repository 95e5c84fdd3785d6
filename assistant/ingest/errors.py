"""The one error type of adding a plan: a one-line message for the CLI and the web page."""

from __future__ import annotations


class IngestError(ValueError):
    """The file cannot be added; nothing in the corpus was changed."""
