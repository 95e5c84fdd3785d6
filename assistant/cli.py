"""`plan-qa`: one CLI with subcommands, a thin shell over the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .config import get_settings
from .corpus import load_corpus
from .models import Document, box_label, chapter_label, part_label, section_label
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
        chapters.append({"number": ch.number, "part": ch.part, "title": ch.title, "sections": sections})
    return {"id": doc.id, "title": doc.title, "issuer": doc.issuer, "year": doc.year,
            "profile": doc.profile.model_dump() if doc.profile else None,
            "parts": [{"number": p.number, "title": p.title} for p in doc.parts], "chapters": chapters}


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
        n_ch = sum(1 for c in t["chapters"] if c["number"])
        n_parts = f"{len(t['parts'])} 篇 · " if t["parts"] else ""
        short = t["profile"]["short_name"] if t["profile"] else t["id"]
        typer.echo(f"《{t['title']}》 [{t['id']}] {short}  {n_parts}{n_ch} 章 · {n_sec} 节 · {n_box} 专栏")
        for c in t["chapters"]:
            if c["number"] is None:
                typer.secho(f"{part_label(c['part'])} {c['title']}", bold=True)
                continue
            indent = "  " if c["part"] is not None else ""
            typer.echo(indent + ("序言" if c["number"] == 0 else f"{chapter_label(c['number'])} {c['title']}"))
            for s in c["sections"]:
                label = f"  {section_label(s['number'])} {s['title']}" if s["number"] is not None else "  (章首)"
                typer.echo(f"{label}  · {s['paragraphs']} 段")
                for b in s["boxes"]:
                    typer.echo(f"      专栏: {b['title']} ({b['items']} 项)")


@app.command()
def indicators(
    doc: Annotated[Optional[str], typer.Option("--doc", help="only this plan (its id, the file stem)")] = None,
    chapter: Annotated[Optional[int], typer.Option("--chapter", help="only this 章 number")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="only figures for this year")] = None,
    grep: Annotated[Optional[str], typer.Option("--grep", help="only rows whose indicator or quote contains this")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON array of rows")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row (the web's download columns)")] = False,
    corpus: Annotated[Optional[Path], typer.Option(help="corpus folder (default: settings)")] = None,
) -> None:
    """规划指标一览: every quantified target or achieved figure, with its subject, year and quote.

    Parses the corpus only (no index), so it is instant."""
    from .indicators.table import filter_rows, to_csv, to_records
    from .library import Corpus

    docs = _load_docs(corpus)
    if doc is not None and doc not in {d.id for d in docs}:
        _fail(f"no plan {doc!r}; plans: {', '.join(d.id for d in docs)}")
    plans = Corpus.of(docs)
    rows = filter_rows(plans.indicators, doc, chapter, year, grep)
    if as_json:
        typer.echo(json.dumps(to_records(rows), ensure_ascii=False, indent=2))
    elif as_csv:
        typer.echo(to_csv(rows, plans.names), nl=False)
    else:
        for r in rows:
            where = f"{r.doc} {r.chapter}.{r.section}" + (f" {box_label(r.box)}" if r.box else "")
            typer.echo(f"{where}\t{r.indicator}\t{r.value}\t{r.comparator}\t{r.year}\t{r.kind}")
        typer.secho(f"{len(rows)} rows", dim=True)


# ---- index / search (retrieval) -------------------------------------------
# Retrieval modules import chromadb and langchain (~2 s): imported inside the commands so that
# `plan-qa sections` stays instant.


def _open_index(rebuild: bool = False):  # -> indexing.PlanIndex
    from .embeddings import EmbeddingConfigError
    from .indexing import PlanIndexError, open_index

    try:
        return open_index(get_settings(), rebuild=rebuild, progress=True)
    except (PlanIndexError, EmbeddingConfigError, PlanParseError, FileNotFoundError) as e:
        _fail(str(e))
        raise  # unreachable


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="rebuild even if the index is up to date")] = False,
) -> None:
    """Build the search index if it is missing or out of date (embeds every sentence of the plan)."""
    ix = _open_index(rebuild=rebuild)
    state = f"built in {ix.build_seconds:.1f} s" if ix.built else "up to date, reused"
    typer.echo(f"{len(ix.chunks)} chunks · {state} · {ix.location} · fingerprint {ix.fingerprint}")


def _hit_json(rank: int, hit) -> dict:  # hit: models.Hit
    c = hit.chunk
    return {"rank": rank, "score": round(hit.score, 4), "chunk_id": c.id, "doc": c.doc_id, "part": c.part,
            "chapter": c.chapter,
            "section": c.section, "box": box_label(c.box) if c.box else None, "path": c.path,
            "start": c.start, "end": c.end, "text": c.text}


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="a question or keywords, Chinese or English")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help="number of hits")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Hybrid search (BM25 + dense): the best paragraphs for a question, with their 章/节/专栏."""
    from .text import clean

    from .retrieval import HybridRetriever

    hits = HybridRetriever.from_index(_open_index()).search(query, k=k)
    if as_json:
        out = {"query": query, "hits": [_hit_json(i, h) for i, h in enumerate(hits, 1)]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("no hits")
    for i, h in enumerate(hits, 1):
        box = f" › {box_label(h.chunk.box)}" if h.chunk.box else ""
        text = clean(h.chunk.text)
        typer.secho(f"{i}. [{h.score:.3f}] {h.chunk.path}{box}", bold=True)
        typer.echo(f"   {text if len(text) <= 300 else text[:300] + '…'}")



# ---- add / list / remove (the corpus) -----------------------------------


def _refresh_index(label: str) -> None:
    """Bring the index up to date after a corpus change, with a bar naming the plan."""
    from tqdm import tqdm

    from .embeddings import EmbeddingConfigError
    from .indexing import PlanIndexError
    from .library import Library

    bar: tqdm | None = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or tqdm(total=total, desc=label, unit="sentence")
        bar.update(done - bar.n)

    try:
        ix = Library(get_settings()).index(on_progress=on_progress)
    except (PlanIndexError, EmbeddingConfigError, PlanParseError, FileNotFoundError) as e:
        _fail(f"{e} (the corpus is changed; run `plan-qa index` once the problem is fixed)")
        raise  # unreachable
    finally:
        if bar is not None:
            bar.close()
    state = f"{ix.embedded} new sentences embedded in {ix.build_seconds:.1f} s" if ix.built else "already up to date"
    typer.echo(f"index: {len(ix.chunks)} chunks, {state}")


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="the plan: .pdf, .docx, .md, .html or .txt")],
    title: Annotated[Optional[str], typer.Option(help="default: the first line naming a 规划/纲要")] = None,
    issuer: Annotated[Optional[str], typer.Option(help="default: an office line near the top, if any")] = None,
    year: Annotated[Optional[str], typer.Option(help="default: the first 20xx near the top")] = None,
    doc_id: Annotated[Optional[str], typer.Option("--id", help="default: from the file name (pinyin for Chinese)")] = None,
    no_index: Annotated[bool, typer.Option("--no-index", help="only add the file; the index refreshes on next use")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print what the file would become; add nothing")] = False,
) -> None:
    """Add a plan to the corpus (text repaired, metadata found), then refresh the index."""
    from .ingest import IngestError
    from .library import Library

    from tqdm import tqdm

    settings = get_settings()
    bar = None

    def on_picture(done: int, total: int, name: str) -> None:
        nonlocal bar  # a bar only for a document that has pictures: reading them takes seconds each
        if bar is None and total:
            bar = tqdm(total=total, desc="reading pictures (OCR)", unit="picture")
        if bar is not None:
            bar.n = done
            bar.set_postfix_str(name[-30:], refresh=True)

    try:
        r = Library(settings).add(file, title=title, issuer=issuer, year=year, doc_id=doc_id, progress=on_picture,
                                  dry_run=dry_run)
    except IngestError as e:
        _fail(str(e))
        raise  # unreachable
    finally:
        if bar is not None:
            bar.close()
    for w in r.warnings:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
    seen = f", {r.pictures} pictures read ({r.ocr_seconds:.1f} s of OCR)" if r.pictures else ""
    for line in r.report.lines() if r.report else []:
        typer.echo(f"  {line}")
    if dry_run:
        typer.echo(f"dry run: {r.id} would be added ({r.chars} chars); nothing was changed")
        return
    typer.echo(f"added {r.id}: 《{r.meta.title or r.id}》 {r.chars} chars, {r.chapters} 章{seen} → {r.path}")
    if not no_index:
        _refresh_index(f"indexing {r.id}")


@app.command()
def align(
    lower: Annotated[str, typer.Argument(help="the plan to check (an id of `plan-qa list`)")],
    upper: Annotated[str, typer.Option("--upper", help="its superior plan (an id of `plan-qa list`)")],
    json_out: Annotated[bool, typer.Option("--json", help="print the alignment as JSON")] = False,
    csv_out: Annotated[Optional[Path], typer.Option("--csv", help="write the 衔接情况表 as CSV")] = None,
    xlsx_out: Annotated[Optional[Path], typer.Option("--xlsx", help="write it as Excel")] = None,
    docx_out: Annotated[Optional[Path], typer.Option("--docx", help="write it as a Word 衔接情况表")] = None,
) -> None:
    """规划衔接: each 主要指标 of the upper plan against the lower plan's, with a verdict and both quotes."""
    from .align import align as run_align, problems_first
    from .align_export import write_csv, write_docx, write_xlsx
    from .corpus import document_text
    from .embeddings import make_embeddings

    docs = {d.id: d for d in _load_docs(None)}
    for doc_id in (lower, upper):
        if doc_id not in docs:
            _fail(f"no plan with id {doc_id!r}; `plan-qa list` shows the ids: {', '.join(sorted(docs))}")
    settings = get_settings()
    sources = {d: document_text(docs[d]) for d in (lower, upper)}
    result = run_align(docs[lower], docs[upper], sources, make_embeddings(settings))
    if not result.rows:
        _fail(f"{upper!r} has no 主要指标 table read as rows (a 专栏 whose lines are indicator rows)")
    if json_out:
        typer.echo(result.model_dump_json(indent=1))
    else:
        for r in problems_first(result.rows):
            typer.echo(f"[{r.verdict}] {r.upper.indicator} {r.upper.value or ''} ↔ "
                       f"{(r.lower.indicator + ' ' + (r.lower.value or '')) if r.lower else '—'}  ({r.reason})")
        typer.echo(f"{len(result.lower_only)} 项本规划特色指标 (lower only)")
    for path, write in ((csv_out, write_csv), (xlsx_out, write_xlsx)):
        if path:
            write(result, path)
    if docx_out:
        write_docx(result, docx_out, docs[lower].title, docs[upper].title)


@app.command(name="list")
def list_() -> None:
    """The plans in the corpus, their sizes and chapters, and whether the index is up to date."""
    from .indexing import index_is_current
    from .ingest import list_plans

    settings = get_settings()
    for p in list_plans(settings.corpus_dir):
        if p.error:
            typer.secho(f"{p.id}  error: {p.error}", fg=typer.colors.RED)
            continue
        typer.echo(f"{p.id}  {p.short_name}  《{p.title}》  {p.chars} chars · {p.bytes / 1024:.0f} KB · {p.chapters} 章")
    state = {True: "up to date", False: "out of date (refreshed on next use, or run `plan-qa index`)",
             None: "not built yet"}[index_is_current(settings)]
    typer.echo(f"index: {state}")


@app.command()
def remove(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="the plan's id, as `plan-qa list` shows it")],
    no_index: Annotated[bool, typer.Option("--no-index", help="only remove the file")] = False,
) -> None:
    """Remove a plan from the corpus (its files wait in the trash: `plan-qa restore` brings it back),
    then refresh the index."""
    from .ingest import IngestError
    from .library import Library

    library = Library(get_settings())
    title = next((p.title for p in _plan_list() if p.id == doc_id), "")
    try:
        kept = library.remove(doc_id)
    except IngestError as e:
        _fail(str(e))
        raise  # unreachable
    typer.echo(f"removed {doc_id}{f'《{title}》' if title else ''}: its files are kept in {kept}; "
               f"`plan-qa restore {doc_id}` brings it back")
    if not no_index:
        _refresh_index(f"removing {doc_id}")


@app.command()
def restore(
    doc_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="default: the plan removed last")] = None,
    no_index: Annotated[bool, typer.Option("--no-index", help="only restore the file")] = False,
) -> None:
    """Bring back a removed plan, then refresh the index."""
    from .ingest import IngestError
    from .library import Library

    try:
        restored = Library(get_settings()).restore(doc_id)
    except IngestError as e:
        _fail(str(e))
        raise  # unreachable
    typer.echo(f"restored {restored}")
    if not no_index:
        _refresh_index(f"restoring {restored}")


def _plan_list() -> list:  # ingest.PlanInfo
    from .ingest import list_plans

    return list_plans(get_settings().corpus_dir)


# ---- ask / eval (answering) -----------------------------------------------


def _assistant():
    from .indexing import PlanIndexError
    from .service import PlanAssistant

    try:
        return PlanAssistant.load()
    except (PlanIndexError, PlanParseError, FileNotFoundError, ValueError) as e:
        _fail(str(e))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, as a user would type it")],
    history: Annotated[Optional[list[str]], typer.Option("--history", help="an earlier question of the chat (repeatable, oldest first)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the answer object (eval-format item shape)")] = False,
) -> None:
    """Answer one question with its citations (or say the plan does not give it)."""
    if not question.strip():
        _fail("the question is empty")
    answer = _assistant().ask(question, history or [])
    if as_json:
        typer.echo(json.dumps(answer.model_dump(exclude={"related"}), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    for c in answer.citations or answer.related:
        typer.echo(f"  [{c.start}-{c.end}] {c.path}{' · ' + c.box if c.box else ''}")
    typer.secho(f"  ({answer.latency_ms:.0f} ms; query: {answer.rewritten_query})", dim=True)


@app.command(name="eval")
def eval_(
    file: Annotated[Path, typer.Argument(help="question file (JSONL, ../shared/eval-format.md)", exists=True, dir_okay=False)],
    json_out: Annotated[Optional[Path], typer.Option("--json", help="write the full report here")] = None,
) -> None:
    """Run a known-answer question file and print accuracy, retrieval and latency figures."""
    from tqdm import tqdm

    from .evaluation import EvalFileError, evaluate, format_summary, load_items, write_report

    try:
        items = load_items(file)
    except EvalFileError as e:
        _fail(str(e))
    pa = _assistant()
    with tqdm(total=len(items), desc="eval", unit="q") as bar:
        report = evaluate(items, pa.ask, progress=lambda i, n: bar.update(1))
    typer.echo(format_summary(report["summary"]))
    if json_out:
        write_report(report, json_out)
        typer.echo(f"report: {json_out}")


if __name__ == "__main__":
    app()
