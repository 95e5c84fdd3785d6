"""`plan-qa`: one CLI with subcommands, a thin shell over the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .config import get_settings
from .corpus import load_corpus
from .models import Document
from .parsing import PlanParseError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="规划问答助手: ask the plan, get cited answers.")


@app.callback()
def main() -> None:
    """规划问答助手: grounded, cited answers about development plans."""


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _load_docs(corpus: Path | None) -> list[Document]:
    try:
        return load_corpus(corpus or get_settings().corpus_dir)
    except (PlanParseError, FileNotFoundError) as e:
        _fail(str(e))
        raise  # unreachable


def toc(doc: Document) -> dict:
    """The table of contents with counts, as `sections --json` prints it."""
    chapters = []
    for ch in doc.chapters:
        sections = []
        for sec in ch.sections:
            blocks = sec.blocks
            sections.append(
                {
                    "number": sec.number,
                    "title": sec.title,
                    "boxes": [{"title": b.title, "items": len(b.items)} for b in blocks if b.kind == "box"],
                    "tables": [{"title": b.title} for b in blocks if b.kind == "table"],
                    "paragraphs": sum(1 for b in blocks if b.kind == "paragraph"),
                }
            )
        chapters.append({"number": ch.number, "title": ch.title, "sections": sections})
    return {"id": doc.id, "title": doc.title, "issuer": doc.issuer, "year": doc.year, "chapters": chapters}


@app.command()
def sections(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    corpus: Annotated[Optional[Path], typer.Option(help="corpus folder (default: settings)")] = None,
) -> None:
    """The plan's table of contents: 序言, 章, 节 and 专栏, with counts."""
    docs = _load_docs(corpus)
    tocs = [toc(d) for d in docs]
    if as_json:
        typer.echo(json.dumps({"documents": tocs}, ensure_ascii=False, indent=2))
        return
    for t in tocs:
        n_sec = sum(1 for c in t["chapters"] for s in c["sections"] if s["number"] is not None)
        n_box = sum(len(s["boxes"]) for c in t["chapters"] for s in c["sections"])
        typer.echo(f"《{t['title']}》 [{t['id']}]  {len(t['chapters'])} 章(含序言) · {n_sec} 节 · {n_box} 专栏")
        for c in t["chapters"]:
            typer.echo("序言" if c["number"] == 0 else f"第{c['number']}章 {c['title']}")
            for s in c["sections"]:
                label = f"  第{s['number']}节 {s['title']}" if s["number"] is not None else "  (章首)"
                typer.echo(f"{label}  · {s['paragraphs']} 段")
                for b in s["boxes"]:
                    typer.echo(f"      专栏: {b['title']} ({b['items']} 项)")


# ---- index / search (retrieval) -------------------------------------------


# ---- ask / eval (answering) -----------------------------------------------


if __name__ == "__main__":
    app()
