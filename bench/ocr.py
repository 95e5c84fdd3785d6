"""Reading plans' pictures: OCR seconds per picture (cold, no cache), `add` time for a published plan with
its pictures (cold, then from the cache), OCR seconds per scanned A4 page (a plan's text printed by
Chromium, rendered at the 200 dpi `add` renders scans at), and the process's peak RSS. Prints the figures.

Run: .venv/bin/python bench/ocr.py [PLAN.md ...]   (default: both published outlines in ../shared/plans)
Measure on an idle machine: OCR uses both cores, and anything else running slows it in proportion.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from assistant.config import ROOT
from assistant.ingest import add_plan
from assistant.ocr import engine
from assistant.ocr.engine import read_image

PUBLISHED = ROOT.parent / "shared" / "plans" / "published"
A4_TEXT = ROOT.parent / "shared" / "plans" / "national-13th-five-year-plan.txt"
A4_PAGES = 6  # full pages of running text: the densest kind of page a scan brings


def a4_pages() -> None:
    """A scan's pages are the other unit of the ≤ 3 s target: a plan's running text printed as the
    tests print plans (14 px type, headings, running header and page numbers), rendered at 200 dpi."""
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT / "tests"))
    from support import print_plan_pdf

    with tempfile.TemporaryDirectory() as tmp:
        printed = Path(tmp) / "printed.pdf"
        print_plan_pdf(A4_TEXT.read_text(encoding="utf-8").splitlines()[:400], printed)
        seconds, chars = [], 0
        with pdfium.PdfDocument(str(printed)) as pdf:
            for i in range(min(A4_PAGES, len(pdf))):
                buf = io.BytesIO()
                pdf[i].render(scale=200 / 72).to_pil().convert("RGB").save(buf, "PNG")
                r = read_image(buf.getvalue(), f"page {i + 1}", None)
                seconds.append(r.seconds)
                chars += sum(len(b.text) for b in r.boxes)
    print(f"A4 pages at 200 dpi: {len(seconds)} pages, OCR {statistics.median(seconds):.2f} s median, "
          f"{max(seconds):.2f} s max, {chars / len(seconds):.0f} characters a page")
    engine.release()


def main(plans: list[Path]) -> None:
    proc = psutil.Process()
    for plan in plans:
        pictures = sorted((plan.parent / "images").glob("*.jpg"))
        seconds, low = [], 0
        for p in pictures:  # no cache: every picture read afresh
            r = read_image(p.read_bytes(), p.name, None)
            seconds.append(r.seconds)
            low += sum(b.conf < 0.8 for b in r.boxes)
        print(f"{plan.parent.name}: {len(pictures)} pictures, OCR {statistics.median(seconds):.2f} s median, "
              f"{max(seconds):.2f} s max, {sum(seconds):.1f} s in all (loading the engine first: "
              f"{engine.load_seconds:.1f} s); {low} boxes below 0.8 confidence")
        engine.release()  # as `add` does after a plan: the next plan's pictures start cold
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            for label in ("cold", "cached"):
                corpus = Path(tmp) / label
                t0 = time.perf_counter()
                res = add_plan(plan, corpus, doc_id="bench-published", ocr_cache=cache)
                print(f"  add ({label}): {time.perf_counter() - t0:.1f} s, {res.pictures} pictures read into the text, "
                      f"{res.chars:,} chars, {len(res.warnings)} warnings")
    a4_pages()
    print(f"peak RSS: {proc.memory_info().rss / 1e6:.0f} MB (current; ru_maxrss below)")
    import resource

    print(f"ru_maxrss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or sorted(PUBLISHED.glob("*/plan.md"))
    main(args)
