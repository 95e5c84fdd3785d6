"""Adding plans as staff receive them: PDF, Word, Markdown or text → corpus/<id>.txt + <id>.json.

The corpus file is what the reader shows and what the index is built from, so it is written once, in
its final repaired form, atomically: metadata first, then the text, whose appearance (an atomic
rename) is the moment the plan joins the corpus. A kill at any point leaves either no plan or the
whole plan; temp files end in .tmp and corpus_files() never lists them.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus import DocumentMeta, corpus_files, dump_meta, load_document
from ..fsutil import atomic_write, atomic_write_bytes, fsync_dir
from ..parsing import PlanParseError, _is_title_line, parse_text, read_text
from ..text import normalise
from ..pictures import END_RE as PICTURE_END_RE, START_RE as PICTURE_START_RE, images_dir
from .docx import extract_docx
from .errors import IngestError
from .extracted import Extracted
from .furniture import drop_trailing_furniture
from .html import extract_html
from .pdf import extract_pdf
from .pictures import Progress, read_pictures
from .plaintext import extract_markdown, extract_plain
from .repair import looks_wrapped, repair_pdf_text, repair_text
from .report import AddReport, build_report

__all__ = ["IngestError", "AddResult", "PlanInfo", "add_plan", "remove_plan", "restore_plan", "trashed_plans",
           "list_plans", "plan_id",
           "detect_meta", "SUPPORTED"]

Converter = Callable[[Path], Extracted]
# Extension → raw text → repaired text. Only PDF has page layout (wrapped lines, page furniture) to undo.
SUPPORTED: dict[str, tuple[Converter, Callable[[str], str]]] = {
    ".pdf": (extract_pdf, repair_pdf_text),
    ".docx": (extract_docx, repair_text),
    ".md": (extract_markdown, repair_text),
    ".txt": (extract_plain, repair_text),
    ".html": (extract_html, repair_text),
    ".htm": (extract_html, repair_text),
}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_MIN_TEXT = 20  # characters of normalised text below which a file holds nothing to ask about


@dataclass
class AddResult:
    id: str
    path: Path
    meta: DocumentMeta
    chars: int
    chapters: int
    warnings: list[str] = field(default_factory=list)
    pictures: int = 0  # pictures read into the text
    ocr_seconds: float = 0.0
    report: AddReport | None = None
    dry_run: bool = False


@dataclass
class PlanInfo:
    id: str
    title: str
    short_name: str
    chars: int
    bytes: int
    chapters: int
    error: str | None = None


# ---------------------------------------------------------------- ids and metadata


def plan_id(file_name: str) -> str:
    """A safe id from a file name: ASCII letters, digits and '-', Chinese as pinyin, else a hash."""
    from pypinyin import lazy_pinyin

    stem = Path(unicodedata.normalize("NFKC", file_name)).stem
    # One pinyin syllable per character, joined by '-': "十四五规划" → "shi-si-wu-gui-hua".
    spelled = "-".join(lazy_pinyin(stem))  # runs of other characters come back as they are
    slug = re.sub(r"[^a-z0-9]+", "-", spelled.lower()).strip("-")[:60].strip("-")
    return slug or f"plan-{hashlib.sha256(file_name.encode()).hexdigest()[:8]}"


def check_id(doc_id: str) -> str:
    """An id names the file corpus/<id>.txt: anything else ('../x', 'a/b', '.hidden') is refused."""
    if not _ID_RE.match(doc_id):
        raise IngestError(f"invalid plan id {doc_id!r}: use lower-case letters, digits and '-' only")
    return doc_id


def _check_name(name: str) -> None:
    if "/" in name or "\\" in name or name in {"", ".", ".."} or "\x00" in name:
        raise IngestError(f"invalid file name {name!r}: a name must not contain a path")


_TITLE_WORDS = re.compile(r"规划|纲要|规划的建议")
_TITLE_CONT = re.compile(r"^(和|及|暨|与)")
# "…国民经济和社会发展" / "第十五个五年规划纲要": a title broken before its ordinal period.
_TITLE_PERIOD_CONT = re.compile(r"^第[一二三四五六七八九十]+个五年")
# "某市人民政府关于印发某市…纲要的通知": the plan is what the notice issues, the notice's sender its issuer.
_NOTICE = re.compile(r"^(.{2,30}?)关于印发(.+?)的通知$")
# "【文字解读】《某市…纲要》政策解读 2026-05-29": a page title around the plan's name in 《》.
_BOOK_TITLE = re.compile(r"《([^《》]{6,80}?(?:规划|纲要|建议))》")
_ORDINAL_PLAN = re.compile(r"第[一二三四五六七八九十]+个五年")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_ISSUER = re.compile(r"(人民政府|人民代表大会|委员会|办公厅|办公室)$")
_HEAD_LINES = 15
_YEAR_WINDOW = 400  # characters from the top: a year further down is a target year, not the plan's


def _without_markers(text: str) -> str:
    """The plan's words: the picture marker lines name the plan's own id and a hash ("![图片识别](
    plan-2019.images/…)"), which are no part of the plan's text."""
    return "\n".join(l for l in text.splitlines() if not (PICTURE_START_RE.match(l) or PICTURE_END_RE.match(l)))


def detect_meta(text: str) -> DocumentMeta:
    """Title = the first line(s) naming a 规划/纲要; year = the first 20xx near the top; issuer = an office line."""
    # A scanned plan starts with a marker line: read as the top of the text, the id "plan-2019" in it
    # became the plan's year.
    text = _without_markers(text)
    head = [l.strip() for l in text.splitlines()[:_HEAD_LINES] if l.strip()]
    title: str | None = None
    for i, line in enumerate(head):
        if not _is_title_line(line):
            continue
        # A long title is often set on two lines, split anywhere: "…五年规" / "划纲要", or
        # "…第十四个五年规划" / "和二〇三五年远景目标纲要". Join the next title line when the words
        # only appear across the break, or when it continues the title (和…/及…).
        nxt = head[i + 1] if i + 1 < len(head) and _is_title_line(head[i + 1]) else ""
        if _TITLE_WORDS.search(line):
            title = line + nxt if nxt and (_TITLE_CONT.match(nxt) or _TITLE_WORDS.search(nxt)) else line
            break
        # Joined only when a title word stands across the break ("…五年规" / "划纲要"), not when the
        # next line merely has one of its own (a dateline "新华社北京3月17日电" above the title).
        across = len(_TITLE_WORDS.findall(line + nxt)) > len(_TITLE_WORDS.findall(nxt)) if nxt else False
        # Or when the break falls inside "第十三个五年": a scan's title read line by line
        # ("…发展第十三个" / "五年规划纲要") was titled "五年规划纲要".
        across = across or any(m.start() < len(line) < m.end() for m in _ORDINAL_PLAN.finditer(line + nxt))
        if (across or (_TITLE_PERIOD_CONT.match(nxt) and not re.search(r"\d", line))) and not _ISSUER.search(line):
            title = line + nxt
            break
    issuer = next((l for l in head if _is_title_line(l) and _ISSUER.search(l) and len(l) <= 30), None)
    if title and (m := _NOTICE.match(title)):
        issuer, title = issuer or m.group(1), m.group(2).strip("《》")
    if title and (m := _BOOK_TITLE.search(title)):
        title = m.group(1)
    year = _YEAR.search(text[:_YEAR_WINDOW])
    return DocumentMeta(title=title, issuer=issuer, year=year.group(1) if year else None)


# ---------------------------------------------------------------- add / remove / list


def convert(source: Path, ext: str) -> tuple[Extracted, str]:
    """The file's pictures and repaired text, one paragraph per line (a placeholder line where each
    picture stands); IngestError for what cannot be read.

    `ext` comes from the original name: an upload's temp copy may be named otherwise.
    """
    converter, repair = SUPPORTED[ext]
    try:
        extracted = converter(source)
        if ext == ".txt" and looks_wrapped(extracted.text):
            repair = repair_pdf_text  # text copied out of a PDF: its page layout is to undo as well
        return extracted, repair(extracted.text)
    except IngestError:
        raise
    except OSError as e:
        raise IngestError(f"{source.name}: cannot read the file ({e.strerror or e})") from None


def _digest(text: str) -> str:
    # Without the marker lines: they name the plan's id, so the same pictured plan added under a second
    # id was not seen as a duplicate.
    return hashlib.sha256(normalise(_without_markers(text)).encode()).hexdigest()


def _duplicate_of(text: str, corpus_dir: Path) -> str | None:
    digest = _digest(text)
    for path in corpus_files(corpus_dir):
        try:
            if _digest(read_text(path)) == digest:
                return path.stem
        except PlanParseError:
            continue  # an unreadable file is load_corpus's to report, and cannot be this plan
    return None


def add_plan(
    source: Path, corpus_dir: Path, *, title: str | None = None, issuer: str | None = None,
    year: str | None = None, doc_id: str | None = None, name: str | None = None,
    max_bytes: int | None = None, ocr_cache: Path | None = None, progress: Progress | None = None,
    dry_run: bool = False,
) -> AddResult:
    """Convert `source` and add it to `corpus_dir` as <id>.txt + <id>.json (+ <id>.images/ when it has
    pictures, read by OCR: `ocr_cache` keeps what was read by picture hash; `progress` hears of each).

    `name`: the file's original name when `source` is a temp copy (an upload). Raises IngestError,
    having changed nothing, for every bad input. `dry_run`: read and report, write nothing.
    """
    name = name if name is not None else source.name
    _check_name(name)
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        raise IngestError(f"{name}: unsupported file type {ext or '(none)'!r}; use {', '.join(SUPPORTED)}")
    if not source.is_file():
        raise IngestError(f"{source}: no such file")
    size = source.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise IngestError(f"{name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
    doc_id = check_id(doc_id or plan_id(name))
    if (corpus_dir / f"{doc_id}.txt").exists():
        raise IngestError(f"a plan with id {doc_id!r} already exists: remove it first or choose another id")

    extracted, text = convert(source, ext)
    pictures = read_pictures(extracted, text, doc_id, ocr_cache, progress)
    text, after_plan = drop_trailing_furniture(pictures.text)
    if len(normalise(text)) < _MIN_TEXT:
        raise IngestError(f"{name}: the file holds no text to add")
    if (dup := _duplicate_of(text, corpus_dir)) is not None:
        raise IngestError(f"{name}: the same plan is already in the corpus as {dup!r}")

    found = detect_meta(text)
    if found.title is None and extracted.page_title:
        found = found.model_copy(update={"title": detect_meta(extracted.page_title).title or extracted.page_title})
    meta = DocumentMeta(title=title or found.title, issuer=issuer or found.issuer, year=year or found.year)
    doc = parse_text(text, doc_id, title=meta.title, issuer=meta.issuer, year=meta.year)
    chapters = sum(1 for c in doc.chapters if c.number and not c.appendix)
    report = build_report(doc, text, pictures.read, extracted.dropped + after_plan)
    warnings = list(pictures.warnings)
    if not chapters:
        # Accepted, not refused: a notice or an implementation opinion without 第N章 is still worth
        # asking about, and the parser reads it as paragraphs under one 序言; answers then cite
        # paragraphs, not 章/节. Refusing would only push staff to edit the file by hand.
        warnings.append(f"{name}: no 第N章 (or 一、) chapter headings found; added as flat paragraphs")

    if dry_run:
        return AddResult(doc_id, corpus_dir / f"{doc_id}.txt", meta, len(text), chapters, warnings,
                         pictures=pictures.read, ocr_seconds=pictures.seconds, report=report, dry_run=True)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    txt, meta_path = corpus_dir / f"{doc_id}.txt", corpus_dir / f"{doc_id}.json"
    atomic_write(meta_path, dump_meta(meta) + "\n")
    if pictures.files:
        folder = images_dir(corpus_dir, doc_id)
        folder.mkdir(exist_ok=True)
        for file_name, data in pictures.files.items():
            atomic_write_bytes(folder / file_name, data)
    atomic_write(txt, text)  # the commit point: from here on the plan is in the corpus
    try:
        load_document(txt)  # what every reader of the corpus will do next; must not fail
    except PlanParseError as e:
        _unlink(txt, meta_path)
        raise IngestError(f"{name}: converted, but the result does not load ({e})") from None
    return AddResult(doc_id, txt, meta, len(text), chapters, warnings,
                     # Counted as read, not as files kept: the same picture twice is one file.
                     pictures=pictures.read, ocr_seconds=pictures.seconds, report=report)


def _unlink(txt: Path, meta_path: Path) -> None:
    txt.unlink(missing_ok=True)  # the text first: without it the plan is no longer in the corpus
    meta_path.unlink(missing_ok=True)
    shutil.rmtree(images_dir(txt.parent, txt.stem), ignore_errors=True)
    fsync_dir(txt.parent)


TRASH = ".trash"  # a removed plan's files wait here (beside the plans, ignored by the corpus) to be restored


def trash_dir(corpus_dir: Path) -> Path:
    return corpus_dir / TRASH


def remove_plan(doc_id: str, corpus_dir: Path) -> Path:
    """Move the plan's files (text, metadata, pictures) into the trash; returns the folder they went to.
    The text moves first: without it the plan is no longer in the corpus."""
    check_id(doc_id)
    txt = corpus_dir / f"{doc_id}.txt"
    if not txt.is_file():
        raise IngestError(f"no plan with id {doc_id!r} in {corpus_dir}")
    if len(corpus_files(corpus_dir)) == 1:
        raise IngestError(f"{doc_id!r} is the only plan: the assistant needs at least one")
    kept = trash_dir(corpus_dir) / doc_id
    shutil.rmtree(kept, ignore_errors=True)  # an older removal of the same id: the newer one is what counts
    kept.mkdir(parents=True)
    for part in (txt, txt.with_suffix(".json"), images_dir(corpus_dir, doc_id)):
        if part.exists():
            part.rename(kept / part.name)
    fsync_dir(corpus_dir)
    return kept


def trashed_plans(corpus_dir: Path) -> list[str]:
    """Removed plans that can be restored, the last removed first."""
    folders = [p for p in trash_dir(corpus_dir).glob("*") if (p / f"{p.name}.txt").is_file()]
    return [p.name for p in sorted(folders, key=lambda p: (-p.stat().st_mtime_ns, p.name))]


def restore_plan(corpus_dir: Path, doc_id: str | None = None) -> str:
    """Put a removed plan (default: the last removed) back into the corpus; returns its id."""
    waiting = trashed_plans(corpus_dir)
    doc_id = doc_id or (waiting[0] if waiting else None)
    if doc_id is None or doc_id not in waiting:
        raise IngestError(f"no removed plan {doc_id!r} to restore" if doc_id else "no removed plan to restore")
    if (corpus_dir / f"{doc_id}.txt").exists():
        raise IngestError(f"a plan with id {doc_id!r} is in the corpus again: remove it first")
    kept = trash_dir(corpus_dir) / doc_id
    # The text last: it is what makes the plan part of the corpus, with its metadata already beside it.
    for part in sorted(kept.iterdir(), key=lambda p: p.suffix == ".txt"):
        part.rename(corpus_dir / part.name)
    kept.rmdir()
    fsync_dir(corpus_dir)
    return doc_id


def list_plans(corpus_dir: Path) -> list[PlanInfo]:
    out = []
    for path in corpus_files(corpus_dir):
        try:
            doc = load_document(path)
        except PlanParseError as e:
            out.append(PlanInfo(path.stem, "", "", 0, path.stat().st_size, 0, error=str(e)))
            continue
        out.append(PlanInfo(doc.id, doc.title, doc.profile.short_name if doc.profile else doc.id,
                            len(read_text(path)), path.stat().st_size, sum(1 for c in doc.chapters if c.number)))
    return out
