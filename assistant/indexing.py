"""The vector index: chunks embedded into Chroma (through langchain-chroma), built once and reused.

Lifecycle
- A fingerprint (corpus content, embedding model, chunking and index recipe) is stored with every
  index. `open_index` opens the current index when its fingerprint matches, and otherwise builds a
  new one automatically: on first use, after the plan text changed, or after the store was damaged.
- A build never touches the index in use. Locally it goes into a fresh `build-<fp>-<token>/` folder
  beside the old one and becomes current only when a pointer file (`CURRENT.json`) is atomically
  replaced at the very end; on a Chroma server it goes into a fresh collection that is marked complete
  at the very end. A crash or kill mid-build therefore leaves the previous index working.
- Chunks are not stored: they are re-derived from the corpus (parsing takes ~50 ms), and the
  fingerprint guarantees they are the chunks the index was built from. Chroma holds one vector per
  sentence (`Passage`), id `<chunk id>#<n>`, with the chunk id in its metadata.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlparse

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from .chunking import CHUNKING_VERSION, chunk_documents, chunk_metadata, prepare_text
from .config import Settings, get_settings
from .corpus import corpus_fingerprint, document_text, load_corpus
from .embeddings import embedding_id, make_embeddings
from .fsutil import atomic_write
from .models import Chunk, Document

log = logging.getLogger(__name__)

# Bump whenever the text given to the embedder or the stored metadata changes: old indexes go stale.
INDEX_VERSION = "sentences-v4"
POINTER = "CURRENT.json"
MANIFEST = "manifest.json"
_ADD_BATCH = 64
_DELETE_BATCH = 1000  # ids per delete call: far below SQLite's limit on bound parameters
# Same distance for every route; our embedders return unit vectors, so cosine == 1 - dot.
# A plan is ~1,000 sentence vectors: searching with ef far above that makes HNSW exhaustive, so answers
# are identical from one process to the next (with the default ef=100 two eval runs differed on 5 of
# 317 questions), and one build thread makes the graph itself reproducible. Both cost nothing here.
_COLLECTION_CONFIG: dict[str, Any] = {"hnsw": {"space": "cosine", "ef_search": 2000, "num_threads": 1}}

ProgressFn = Callable[[int, int], None]


class PlanIndexError(RuntimeError):
    """Base for index problems the CLI reports as one clear line."""


class IndexBuildError(PlanIndexError):
    """A build failed; the previous index, if any, is untouched."""


class IndexUnavailable(PlanIndexError):
    """The store cannot be reached or used at all (e.g. the Chroma server is down)."""


class _Unreadable(Exception):
    """The current index exists but cannot be read: it will be rebuilt."""


# ---------------------------------------------------------------- text and metadata


@dataclass(frozen=True)
class Passage:
    """One vector in Chroma: a sentence of a chunk (id `<chunk id>#<n>`, metadata chunk_id → Chunk)."""

    id: str
    text: str
    chunk: Chunk
    n: int
    start: int  # the sentence's offsets in the source file, for quoting the best-matching sentence
    end: int

    def metadata(self) -> dict[str, str | int]:
        return {**chunk_metadata(self.chunk), "passage": self.n, "sentence_start": self.start,
                "sentence_end": self.end}


_MIN_SENTENCE = 4  # shorter fragments ("1.") carry no meaning of their own


def passages(chunk: Chunk) -> list[Passage]:
    """Dense units of a chunk: each sentence, prefixed with its section's title.

    Measured on a dev set (dense only, section hit@1): one vector per paragraph 0.85, per sentence
    0.94, per sentence with the section title 0.98. e5 mean-pools, so one figure in a long paragraph
    is diluted, and a lone sentence lacks the topic its section title gives it (the whole heading
    path, tried earlier at paragraph level, hurt). Sentences cost about as much to embed as
    paragraphs: the same tokens.
    """
    heading = prepare_text(chunk.section_title or chunk.chapter_title)
    spans = [(prepare_text(s.text), s.start, s.end) for s in chunk.sentences]
    spans = [sp for sp in spans if len(sp[0]) >= _MIN_SENTENCE] or [(prepare_text(chunk.text), chunk.start, chunk.end)]
    return [Passage(f"{chunk.id}#{n}", f"{heading}:{text}", chunk, n, start, end)
            for n, (text, start, end) in enumerate(spans)]


def all_passages(chunks: list[Chunk]) -> list[Passage]:
    return [p for c in chunks for p in passages(c)]


# ---------------------------------------------------------------- chunks and fingerprint


def load_chunks(settings: Settings, documents: list[Document] | None = None) -> list[Chunk]:
    docs = documents if documents is not None else load_corpus(settings.corpus_dir)
    return chunk_documents(docs, {d.id: document_text(d) for d in docs})


def index_fingerprint(settings: Settings) -> str:
    parts = [corpus_fingerprint(settings.corpus_dir), embedding_id(settings), CHUNKING_VERSION, INDEX_VERSION]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- the opened index


@dataclass
class PlanIndex:
    settings: Settings
    chunks: list[Chunk]
    vectorstore: Chroma
    embeddings: Embeddings
    fingerprint: str
    location: str  # folder or server collection, for messages
    built: bool = False  # True when this call built the index
    build_seconds: float | None = None
    embedded: int = 0  # sentences this call embedded (the others' vectors came from the previous index)
    notice: str | None = None  # why a build happened (missing, stale, unreadable)
    _by_id: dict[str, Chunk] = field(default_factory=dict, repr=False)
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: c for c in self.chunks}

    def chunk(self, chunk_id: str) -> Chunk:
        return self._by_id[chunk_id]

    def close(self) -> None:
        """Release the Chroma client (a local store's files can then be moved or deleted)."""
        if self._close is not None:
            self._close()
            self._close = None


# ---------------------------------------------------------------- stores


@dataclass
class _Build:
    vectorstore: Chroma
    location: str
    token: str  # local: folder name; server: collection name
    close: Callable[[], None]


class _Store(Protocol):
    def describe(self) -> str: ...
    def current(self) -> dict[str, Any] | None: ...
    def open(self, manifest: dict[str, Any], embeddings: Embeddings) -> tuple[Chroma, str, Callable[[], None]]: ...
    def create(self, fingerprint: str, embeddings: Embeddings) -> _Build: ...
    def commit(self, build: _Build, manifest: dict[str, Any]) -> None: ...
    def discard(self, build: _Build) -> None: ...
    def cleanup(self) -> None: ...


def _chroma_settings():  # noqa: ANN202 - chromadb.config.Settings, imported lazily with chromadb
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def _vectorstore(client: Any, name: str, embeddings: Embeddings, create: bool) -> Chroma:
    # Always pass our embeddings: without them Chroma falls back to its default model, which downloads.
    return Chroma(
        client=client,
        collection_name=name,
        embedding_function=embeddings,
        collection_configuration=_COLLECTION_CONFIG if create else None,
        create_collection_if_not_exists=create,
    )


class _LocalStore:
    """Index folders under vectorstore_dir; CURRENT.json names the one in use."""

    def __init__(self, root: Path, collection: str) -> None:
        self.root = root
        self.collection = collection

    def describe(self) -> str:
        return str(self.root)

    def current(self) -> dict[str, Any] | None:
        pointer = self.root / POINTER
        if not pointer.exists():
            return None
        try:
            manifest = json.loads(pointer.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or "dir" not in manifest:
                raise ValueError("no 'dir' field")
            return manifest
        except ValueError as e:
            raise _Unreadable(f"{pointer} is damaged ({e})") from None

    def open(self, manifest: dict[str, Any], embeddings: Embeddings) -> tuple[Chroma, str, Callable[[], None]]:
        import chromadb

        folder = self.root / manifest["dir"]
        if not (folder / MANIFEST).exists():
            raise _Unreadable(f"{folder} is missing or incomplete")
        client = chromadb.PersistentClient(path=str(folder), settings=_chroma_settings())
        try:
            return _vectorstore(client, self.collection, embeddings, create=False), str(folder), client.close
        except BaseException:
            client.close()
            raise

    def create(self, fingerprint: str, embeddings: Embeddings) -> _Build:
        import chromadb

        name = f"build-{fingerprint}-{secrets.token_hex(3)}"
        folder = self.root / name
        folder.mkdir(parents=True)
        client = chromadb.PersistentClient(path=str(folder), settings=_chroma_settings())
        vs = _vectorstore(client, self.collection, embeddings, create=True)
        return _Build(vs, str(folder), name, client.close)

    def copy_current(self, manifest: dict[str, Any], fingerprint: str, embeddings: Embeddings) -> _Build:
        """A new build folder holding a copy of the current index, to be brought up to date in place:
        copying files is what makes a corpus change cost its own sentences, not the whole library's."""
        import chromadb

        name = f"build-{fingerprint}-{secrets.token_hex(3)}"
        folder = self.root / name
        shutil.copytree(self.root / manifest["dir"], folder, ignore=shutil.ignore_patterns(MANIFEST))
        client = chromadb.PersistentClient(path=str(folder), settings=_chroma_settings())
        try:
            return _Build(_vectorstore(client, self.collection, embeddings, create=False), str(folder), name,
                          client.close)
        except BaseException:
            client.close()
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def commit(self, build: _Build, manifest: dict[str, Any]) -> None:
        folder = self.root / build.token
        # The manifest marks the folder complete; the pointer swap makes it current. Both atomic.
        atomic_write(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        atomic_write(self.root / POINTER, json.dumps({**manifest, "dir": build.token}, ensure_ascii=False, indent=2))

    def discard(self, build: _Build) -> None:
        build.close()
        shutil.rmtree(self.root / build.token, ignore_errors=True)

    def cleanup(self) -> None:
        """Delete crashed builds and all but the newest previous index (a running app may still use it).

        Called with the build lock held, so no folder without a manifest belongs to a live build.
        """
        try:
            current = (self.current() or {}).get("dir")
        except _Unreadable:
            return
        finished: list[tuple[float, Path]] = []
        for folder in self.root.glob("build-*"):
            if not folder.is_dir() or folder.name == current:
                continue
            if (folder / MANIFEST).exists():
                finished.append((folder.stat().st_mtime, folder))
            else:
                shutil.rmtree(folder, ignore_errors=True)
        for _, folder in sorted(finished, reverse=True)[1:]:
            shutil.rmtree(folder, ignore_errors=True)


class _ServerStore:
    """Collections `<collection>-<fp>-<token>` on a Chroma server; metadata marks the complete ones."""

    STALE_BUILD_SECONDS = 3600  # an unfinished collection this old is a crashed build

    def __init__(self, url: str, collection: str) -> None:
        self.url = url
        self.prefix = f"{collection}-"
        self.client = _http_client(url)

    def describe(self) -> str:
        return self.url

    def _ours(self) -> list[Any]:
        return [c for c in self.client.list_collections() if c.name.startswith(self.prefix)]

    def current(self) -> dict[str, Any] | None:
        complete = [c.metadata for c in self._ours() if (c.metadata or {}).get("planqa_complete")]
        if not complete:
            return None
        return max(complete, key=lambda m: float(m.get("built_at_epoch", 0)))

    def open(self, manifest: dict[str, Any], embeddings: Embeddings) -> tuple[Chroma, str, Callable[[], None]]:
        name = manifest["collection_name"]
        vs = _vectorstore(self.client, name, embeddings, create=False)
        return vs, f"{self.url} collection {name}", lambda: None

    def create(self, fingerprint: str, embeddings: Embeddings) -> _Build:
        name = f"{self.prefix}{fingerprint}-{secrets.token_hex(3)}"
        vs = _vectorstore(self.client, name, embeddings, create=True)
        self.client.get_collection(name).modify(
            metadata={"planqa_complete": False, "started_epoch": time.time()}
        )
        return _Build(vs, f"{self.url} collection {name}", name, lambda: None)

    def commit(self, build: _Build, manifest: dict[str, Any]) -> None:
        meta = {k: v for k, v in manifest.items() if isinstance(v, (str, int, float, bool))}
        meta.update(planqa_complete=True, collection_name=build.token)
        self.client.get_collection(build.token).modify(metadata=meta)

    def discard(self, build: _Build) -> None:
        try:
            self.client.delete_collection(build.token)
        except Exception as e:  # the server may be the thing that failed
            log.warning("could not delete unfinished collection %s: %s", build.token, e)

    def cleanup(self) -> None:
        current = (self.current() or {}).get("collection_name")
        finished: list[tuple[float, str]] = []
        now = time.time()
        for c in self._ours():
            meta = c.metadata or {}
            if c.name == current:
                continue
            if meta.get("planqa_complete"):
                finished.append((float(meta.get("built_at_epoch", 0)), c.name))
            elif now - float(meta.get("started_epoch", 0)) > self.STALE_BUILD_SECONDS:
                self.client.delete_collection(c.name)
        for _, name in sorted(finished, reverse=True)[1:]:
            self.client.delete_collection(name)


def _http_client(url: str) -> Any:
    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise IndexUnavailable(f"chroma_url={url!r} is not a URL like http://127.0.0.1:8000")
    ssl = parsed.scheme == "https"
    port = parsed.port or (443 if ssl else 8000)
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=port, ssl=ssl, settings=_chroma_settings())
        client.heartbeat()
    except Exception as e:
        raise IndexUnavailable(f"cannot reach the Chroma server at {url}: {e}") from None
    return client


def _store(settings: Settings) -> _Store:
    if settings.chroma_url:
        return _ServerStore(settings.chroma_url, settings.collection)
    return _LocalStore(Path(settings.vectorstore_dir), settings.collection)


# ---------------------------------------------------------------- files and locking


@contextmanager
def _build_lock(settings: Settings) -> Iterator[None]:
    """One builder at a time per machine: a second process waits, then finds the fresh index.

    The lock file lives in vectorstore_dir even for a Chroma server (builders on other machines are
    not serialised: each then builds its own collection, and the newest complete one wins).
    """
    root = Path(settings.vectorstore_dir)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# ---------------------------------------------------------------- open / build


def _is_fatal(e: BaseException) -> bool:
    # Chroma's Rust core can surface a panic as a BaseException; only these three must pass through.
    return isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit))


def _verify(vs: Chroma, chunks: list[Chunk], embeddings: Embeddings) -> None:
    """Cheap proof that the store is readable and holds exactly these chunks' passages."""
    expected = {p.id for p in all_passages(chunks)}
    stored = vs.get(include=[])["ids"]
    if len(stored) != len(expected) or set(stored) != expected:
        raise _Unreadable(f"holds {len(stored)} passages that do not match the corpus's {len(expected)}")
    vs.similarity_search_by_vector([1.0] + [0.0] * (_dim(embeddings) - 1), k=1)


def _dim(embeddings: Embeddings) -> int:
    dim = getattr(embeddings, "dim", None)
    return int(dim) if dim else len(embeddings.embed_query("维度"))


class _ReusingEmbeddings(Embeddings):
    """Vectors of passages the previous index already embedded are reused, so a rebuild after a small
    plan edit embeds only what changed. Queries go straight to the model."""

    def __init__(self, base: Embeddings, known: dict[str, Sequence[float]]) -> None:
        self.base = base
        # Kept as the store returned them (numpy rows), made lists only when used: 15k vectors as Python
        # floats took ~200 MB that the allocator kept after the build.
        self.known = known
        self.embedded = 0  # texts the model had to embed: what an added plan costs

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        self.embedded += len(missing)
        fresh = dict(zip(missing, self.base.embed_documents(missing))) if missing else {}
        return [list(map(float, self.known[t])) if t in self.known else fresh[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


def _previous_vectors(store: _Store, settings: Settings, embeddings: Embeddings) -> dict[str, Sequence[float]]:
    """text → vector from the current index when it used the same embedder; {} if there is none or it is unreadable."""
    close: Callable[[], None] | None = None
    try:
        manifest = store.current()
        if not manifest or manifest.get("embedding_id") != embedding_id(settings):
            return {}
        vs, _, close = store.open(manifest, embeddings)
        got = vs.get(include=["documents", "embeddings"])
        return dict(zip(got["documents"], got["embeddings"]))
    except BaseException as e:
        if _is_fatal(e):
            raise
        return {}
    finally:
        if close is not None:
            close()


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]


def _manifest(settings: Settings, fp: str, chunks: int, passages: int, seconds: float) -> dict[str, Any]:
    return {
        "fingerprint": fp,
        "corpus_fingerprint": corpus_fingerprint(settings.corpus_dir),
        "embedding_id": embedding_id(settings),
        "chunking_version": CHUNKING_VERSION,
        "index_version": INDEX_VERSION,
        "chunks": chunks,
        "passages": passages,
        "build_seconds": round(seconds, 2),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "built_at_epoch": time.time(),
    }


def _fill(vs: Chroma, items: list[Passage], progress: bool, on_progress: ProgressFn | None) -> None:
    with tqdm(total=len(items), desc="embedding", unit="sentence", disable=not progress) as bar:
        for i in range(0, len(items), _ADD_BATCH):
            batch = items[i:i + _ADD_BATCH]
            vs.add_texts(
                [p.text for p in batch],
                metadatas=[p.metadata() for p in batch],
                ids=[p.id for p in batch],
            )
            bar.update(len(batch))
            if on_progress is not None:
                on_progress(i + len(batch), len(items))


def _same_recipe(manifest: dict[str, Any] | None, settings: Settings) -> bool:
    """Whether an index was built with this embedder, chunking and index recipe (only the plans differ)."""
    return bool(manifest) and manifest.get("embedding_id") == embedding_id(settings) and \
        manifest.get("chunking_version") == CHUNKING_VERSION and manifest.get("index_version") == INDEX_VERSION


def _update(vs: Chroma, items: list[Passage], reusing: "_ReusingEmbeddings", progress: bool,
            on_progress: ProgressFn | None) -> None:
    """Bring a copied index to `items`: delete the passages gone or changed, add the new ones (a text the
    index already holds keeps its vector). A passage is kept only when its id, text and metadata are all
    the same."""
    collection = vs._collection
    held = collection.get(include=["documents", "metadatas", "embeddings"])
    reusing.known = dict(zip(held["documents"], held["embeddings"]))
    want = {p.id: p for p in items}
    same = {i for i, text, meta in zip(held["ids"], held["documents"], held["metadatas"])
            if i in want and text == want[i].text and dict(meta or {}) == want[i].metadata()}
    stale = [i for i in held["ids"] if i not in same]
    for k in range(0, len(stale), _DELETE_BATCH):
        collection.delete(ids=stale[k:k + _DELETE_BATCH])
    fresh = [p for p in items if p.id not in same]
    _fill(vs, fresh, progress, on_progress)
    if collection.count() != len(items):
        raise _Unreadable(f"the copied index holds {collection.count()} passages, not {len(items)}")


def _build_by_update(
    store: _Store, settings: Settings, chunks: list[Chunk], fp: str, embeddings: Embeddings,
    progress: bool, on_progress: ProgressFn | None,
) -> tuple[Chroma, str, Callable[[], None], float, int] | None:
    """A copy of the current local index brought up to date (only the changed plans' passages are
    deleted or added), committed like a build; None when there is nothing to copy or the copy fails (the
    caller then builds the index whole)."""
    t0 = time.perf_counter()
    copy = getattr(store, "copy_current", None)
    try:
        manifest = store.current()
    except Exception:  # an unreadable pointer: a whole build will say why
        return None
    if copy is None or not _same_recipe(manifest, settings):
        return None
    counting = _ReusingEmbeddings(embeddings, {})
    try:
        build = copy(manifest, fp, counting)
    except Exception as e:
        log.warning("cannot copy the current index (%s): building it whole", _short(e))
        return None
    items = all_passages(chunks)
    try:
        seconds = _complete(store, build, lambda vs: _update(vs, items, counting, progress, on_progress),
                            _Recipe(settings, fp, len(chunks), len(items)), t0)
    except BaseException as e:
        if _is_fatal(e):
            raise
        log.warning("updating a copy of the index failed (%s): building it whole", _short(e))
        return None
    finally:
        counting.known = {}
    _cleanup(store)
    return build.vectorstore, build.location, build.close, seconds, counting.embedded


class _Recipe(NamedTuple):
    """What a committed build's manifest records besides its time."""

    settings: Settings
    fp: str
    chunks: int
    passages: int


def _complete(store: _Store, build: _Build, fill: Callable[[Chroma], None], recipe: _Recipe, t0: float) -> float:
    """Fill a new build and commit it; a build that fails is discarded and the error goes to the caller
    (an update falls back to a whole build, a whole build reports it). Returns the seconds it took."""
    try:
        fill(build.vectorstore)
        seconds = time.perf_counter() - t0
        store.commit(build, _manifest(*recipe, seconds))
        return seconds
    except BaseException:
        store.discard(build)
        raise


def _cleanup(store: _Store) -> None:
    try:
        store.cleanup()
    except Exception as e:  # housekeeping must never fail a good build
        log.warning("could not remove old index builds: %s", e)


def _build(
    store: _Store, settings: Settings, chunks: list[Chunk], fp: str, embeddings: Embeddings,
    progress: bool, on_progress: ProgressFn | None, whole: bool = False,
) -> tuple[Chroma, str, Callable[[], None], float, int]:
    """The index for `chunks`: the current one copied and updated, or (`whole`, or when that fails) built
    anew, reusing the current index's vectors for every passage text it already has."""
    updated = None if whole else _build_by_update(store, settings, chunks, fp, embeddings, progress, on_progress)
    if updated is not None:
        return updated
    t0 = time.perf_counter()
    reusing = _ReusingEmbeddings(embeddings, _previous_vectors(store, settings, embeddings))
    try:
        build = store.create(fp, reusing)
    except BaseException as e:
        if _is_fatal(e):
            raise
        raise IndexBuildError(f"cannot create a new index in {store.describe()}: {_short(e)}") from e
    items = all_passages(chunks)
    try:
        seconds = _complete(store, build, lambda vs: _fill(vs, items, progress, on_progress),
                            _Recipe(settings, fp, len(chunks), len(items)), t0)
    except BaseException as e:
        if _is_fatal(e):
            raise
        raise IndexBuildError(
            f"building the index failed ({_short(e)}); the previous index, if any, is untouched"
        ) from e
    finally:
        reusing.known = {}
    _cleanup(store)
    return build.vectorstore, build.location, build.close, seconds, reusing.embedded


def open_index(
    settings: Settings | None = None,
    *,
    rebuild: bool = False,
    progress: bool = True,
    on_progress: ProgressFn | None = None,
    documents: list[Document] | None = None,
) -> PlanIndex:
    """Open the plan's index, building it first if it is missing, stale or unreadable (or if `rebuild`).

    `progress` shows a tqdm bar on stderr while embedding; `on_progress(done, total)` is called after
    each batch. `documents`: the corpus already parsed (it is parsed once per process). Raises IndexBuildError / IndexUnavailable (one-line messages) and PlanParseError /
    FileNotFoundError for a bad corpus.
    """
    settings = settings or get_settings()
    fp = index_fingerprint(settings)
    chunks = load_chunks(settings, documents)
    if not chunks:
        raise IndexBuildError(f"the corpus in {settings.corpus_dir} has no paragraphs to index")
    embeddings = make_embeddings(settings)
    store = _store(settings)

    opened = _Opened(None, "rebuild requested", damaged=True)
    if not rebuild:
        opened = _open_current(store, settings, fp, chunks, embeddings)
        if opened.index is not None:
            return opened.index
    with _build_lock(settings):
        if not rebuild:
            # Another process may have finished the same build while we waited for the lock.
            again = _open_current(store, settings, fp, chunks, embeddings)
            if again.index is not None:
                return again.index
            log.warning(opened.reason)
        # A damaged index is not copied: the whole build starts from the corpus.
        vs, location, close, seconds, embedded = _build(store, settings, chunks, fp, embeddings, progress,
                                                        on_progress, whole=opened.damaged)
    return PlanIndex(settings, chunks, vs, embeddings, fp, location, built=True, build_seconds=seconds,
                     embedded=embedded, notice=opened.reason, _close=close)


def index_is_current(settings: Settings) -> bool | None:
    """Whether the stored index matches the corpus now (None: no index yet); opens nothing."""
    try:
        manifest = _store(settings).current()
    except (_Unreadable, IndexUnavailable):
        return None
    return None if manifest is None else manifest.get("fingerprint") == index_fingerprint(settings)


class _Opened(NamedTuple):
    index: PlanIndex | None
    reason: str  # why there is no index to use as it is ("" when there is)
    damaged: bool = False  # the current index cannot be read: nothing of it is reused


def _open_current(
    store: _Store, settings: Settings, fp: str, chunks: list[Chunk], embeddings: Embeddings,
) -> _Opened:
    try:
        manifest = store.current()
    except Exception as e:  # a damaged pointer, or a server that errs: a build will tell which
        return _Opened(None, f"the index pointer is unreadable ({_short(e)}): rebuilding", damaged=True)
    if manifest is None:
        return _Opened(None, f"no index in {store.describe()} yet: building")
    if manifest.get("fingerprint") != fp:
        return _Opened(None, "the index is out of date (plan text, embedding model or chunking changed): rebuilding")
    close: Callable[[], None] | None = None
    try:
        vs, location, close = store.open(manifest, embeddings)
        _verify(vs, chunks, embeddings)
    except BaseException as e:
        if _is_fatal(e):
            raise
        if close is not None:
            close()
        return _Opened(None, f"the index in {store.describe()} is unreadable ({_short(e)}): rebuilding", damaged=True)
    return _Opened(PlanIndex(settings, chunks, vs, embeddings, fp, location, _close=close), "")
