"""`python app.py`: the staff chat on settings.host:settings.port (default 127.0.0.1:7860).

Thin on purpose: the same PlanAssistant as the CLI, loaded once per process, wrapped by assistant.ui.
"""

from __future__ import annotations

import logging

from assistant.config import get_settings  # first: sets the offline / no-analytics environment
from assistant.service import PlanAssistant
from assistant.ui import build_app, serve


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per health check is noise
    settings = get_settings()
    assistant = PlanAssistant.load(settings)
    serve(build_app(assistant), settings)


if __name__ == "__main__":
    main()
