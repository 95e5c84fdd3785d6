"""The web page: app.py builds and serves it over the assistant's protocol (protocol.py); handlers
(chat), reader, feedback, header, render, export and the tabs are its parts, static/ its CSS and JavaScript."""

from .app import build_app, serve
from .header import page_title
from .protocol import PlanService

__all__ = ["PlanService", "build_app", "page_title", "serve"]
