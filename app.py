"""`python app.py`: the staff chat on settings.host:settings.port (default 127.0.0.1:7860).

Thin on purpose: the same PlanAssistant as the CLI, loaded once per process, wrapped by assistant.web.
"""

from __future__ import annotations

import logging
import time

from assistant.config import get_settings  # first: sets the offline / no-analytics environment
from assistant.service import PlanAssistant
from assistant.web import build_app, serve

log = logging.getLogger("app")


def warm_up(assistant: PlanAssistant) -> None:
    """One throw-away question, so the first member of staff does not pay for lazy model start-up."""
    started = time.perf_counter()
    try:
        assistant.ask(assistant.examples()[0], [])
    except Exception:
        log.exception("warm-up question failed; the chat will show an error for questions that fail the same way")
        return
    log.info("warm-up answered in %.0f ms", (time.perf_counter() - started) * 1000)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up probes, one line each
    settings = get_settings()
    assistant = PlanAssistant.load(settings)
    warm_up(assistant)
    serve(build_app(assistant), settings)


if __name__ == "__main__":
    main()
