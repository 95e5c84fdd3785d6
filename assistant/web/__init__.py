"""The web page: app.py builds and serves it; render, reader, handlers, feedback, suggest and export are
its parts, static/ its CSS and JavaScript."""

from .app import build_app, examples_for, page_title, serve

__all__ = ["build_app", "examples_for", "page_title", "serve"]
