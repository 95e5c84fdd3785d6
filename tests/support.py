"""Small helpers shared by test modules (pytest puts this folder on sys.path)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium (`make browser-deps`); Playwright drives it
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def print_pdf(html_text: str, out, **pdf_options) -> None:
    """Print an HTML page to a PDF file with Debian's Chromium (skips the test when it is not installed)."""
    from pathlib import Path

    import pytest

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(html_text)
            page.pdf(path=str(out), **({"format": "A4"} | pdf_options))
        finally:
            browser.close()
