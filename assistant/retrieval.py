"""Hybrid retrieval: BM25 over jieba tokens fused with dense (Chroma) search by reciprocal rank fusion.

Why both: dense search finds paraphrases and English questions; BM25 finds exact figures, names and
project titles that a small multilingual model blurs (one vector per paragraph put the
"2025年地区生产总值" paragraph 44th; BM25 has it near the top). LangChain's EnsembleRetriever does the
weighted RRF; `HybridRetriever` wraps it as a LangChain retriever that also answers `search()`
with `Hit`s (chunk + fused score), so the answer chain can either pipe into it or call it.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import numpy as np
from langchain_classic.retrievers import EnsembleRetriever
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.vectorstores import VectorStore
from pydantic import ConfigDict, Field, PrivateAttr

with warnings.catch_warnings():
    # langchain-community warns on import that it is being sunset; BM25Retriever is pinned and works.
    warnings.simplefilter("ignore", DeprecationWarning)
    from langchain_community.retrievers import BM25Retriever

from .chunking import chunk_metadata, prepare_text
from .indexing import PlanIndex, passages
from .models import Chunk, Hit
from .ranking import settled

ID_KEY = "chunk_id"
DOC_FILTER_DEPTH = 4  # how much deeper each retriever looks when a question is limited to some plans

# ---------------------------------------------------------------- tokenisation

# Words that carry no topic: question forms and the commonest function words. Terms missing from the
# corpus already score zero in BM25; these are listed because they *do* occur in it.
_STOPWORDS = frozenset(
    "的 了 和 与 及 等 是 在 对 为 有 将 把 被 要 也 都 并 或 以 之 于 其 该 这 那 个 我 我们 你 你们 他 她 它 "
    "吗 呢 吧 啊 呀 哪 哪些 什么 啥 怎么 怎样 如何 多少 几 是否 有没有 会 能 可以 请问 一下 关于 方面 "
    "情况 问题 主要 哪个".split()
)
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]")
_QUOTED = re.compile(r"[“\"《]([^”\"》]{2,16})[”\"》]")
_CLAUSE_SPLIT = re.compile(r"[、,，;；:：。()（）\s]+")


def plan_terms(chunks: Iterable[Chunk]) -> set[str]:
    """The plan's own names, derived from its structure: 专栏 titles and item names, lead phrases,
    section titles and quoted terms (“一心两带四基地”, 《健康某市2030行动规划》).

    jieba would otherwise split them into generic pieces; as user words they stay whole, and
    cut_for_search still emits their dictionary sub-words, so partial queries match too.
    """
    terms: set[str] = set()
    for c in chunks:
        sources = [c.box or "", c.lead or "", c.section_title or "", c.chapter_title]
        for src in sources:
            terms.update(_CLAUSE_SPLIT.split(prepare_text(src)))
        terms.update(m.group(1) for m in _QUOTED.finditer(prepare_text(c.text)))
    return {t.strip() for t in terms if 2 <= len(t.strip()) <= 16}


class JiebaTokenizer:
    """A private jieba instance (the global one may be shared with other code) plus the plan's terms."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(60)  # its "Building prefix dict" chatter would land in CLI output
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in sorted(terms):
            self._jieba.add_word(term)
        self._lock = threading.Lock()  # jieba's lazy internals are not thread-safe

    def __call__(self, text: str) -> list[str]:
        with self._lock:
            words = self._jieba.cut_for_search(prepare_text(text))
            return [w.lower() for w in words if _keep(w)]


def _keep(word: str) -> bool:
    word = word.strip()
    return bool(word) and word not in _STOPWORDS and bool(_TOKEN_OK.search(word))


def bm25_text(chunk: Chunk) -> str:
    """Paragraph + its section title + its 专栏 title: where a question's topic word often is.

    Not the chapter title: its slogan ("着力打造幸福某区") lands on every paragraph of the chapter
    and cost dev-set hit@1; not the lead phrase: it already opens the paragraph.
    """
    context = " ".join(x for x in (chunk.section_title or chunk.chapter_title, chunk.box) if x)
    return f"{prepare_text(chunk.text)} {context}"


# ---------------------------------------------------------------- the two retrievers


class ScoredBM25Retriever(BM25Retriever):
    """BM25Retriever that drops zero-score documents and records the score.

    The stock retriever returns its top k even when nothing matched (an English question has no
    Chinese tokens), which would hand RRF credit to arbitrary paragraphs.
    """

    _postings: dict[str, tuple[np.ndarray, np.ndarray]] = PrivateAttr(default_factory=dict)

    def coverage(self, query: str) -> float:
        """Share of the query's tokens that occur in the corpus at all: how much of it BM25 can see."""
        tokens = self.preprocess_func(query)
        if not tokens:
            return 0.0
        return sum(t in self.vectorizer.idf for t in tokens) / len(tokens)

    def model_post_init(self, context: Any, /) -> None:
        """Each term's postings: the chunks that hold it and its BM25 weight in each (copies share them)."""
        bm = self.vectorizer
        held: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i, freqs in enumerate(bm.doc_freqs):
            for term, freq in freqs.items():
                held[term][0].append(i)
                held[term][1].append(freq)
        doc_len = np.array(bm.doc_len)
        for term, (rows, freqs) in held.items():
            idx, q_freq = np.array(rows), np.array(freqs)
            self._postings[term] = (idx, (bm.idf.get(term) or 0) * (q_freq * (bm.k1 + 1) / (
                q_freq + bm.k1 * (1 - bm.b + bm.b * doc_len[idx] / bm.avgdl))))

    def scores(self, tokens: list[str]) -> np.ndarray:
        """rank_bm25's BM25Okapi scores, the same floats, from the postings. Written here because its
        get_scores reads every chunk's term dict for every query term in Python (~20 ms at 4.6k chunks, a
        fifth of an answer); a chunk without the term gains exactly the 0.0 that get_scores would add."""
        score = np.zeros(self.vectorizer.corpus_size)
        for term in tokens:
            if term in self._postings:
                idx, weight = self._postings[term]
                score[idx] += weight
        return score

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        tokens = self.preprocess_func(query)
        if not tokens:
            return []
        scores = self.scores(tokens)
        order = np.argsort(-scores, kind="stable")[: self.k]
        return [_with(self.docs[i], bm25_score=float(scores[i])) for i in order if scores[i] > 0]


class DenseRetriever(BaseRetriever):
    """Chroma similarity search over sentence vectors, max-pooled to one entry per chunk.

    RRF needs each list to name a chunk once. The chunk keeps its best sentence's metadata
    (sentence_start/sentence_end: source offsets) and cosine similarity (as_retriever would drop it).
    """

    vectorstore: VectorStore
    k: int = 30
    # ~3.6 sentences per chunk, but a chunk's best sentence is all that counts: 2k sentences still
    # yield ~k distinct chunks, and fetching metadata for fewer rows halves Chroma's share of latency.
    fetch_factor: int = 2
    model_config = ConfigDict(arbitrary_types_allowed=True)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        found = self.vectorstore.similarity_search_with_score(query, k=self.k * self.fetch_factor)
        # Chroma's float32 distances differ by ~1e-7 from one CPU to another: rounded, and equal ones put
        # in plan order, so that the ranking (and every answer after it) is the same on any machine.
        found = sorted(((doc, settled(1.0 - float(dist))) for doc, dist in found),
                       key=lambda ds: (-ds[1], ds[0].metadata["doc_id"], ds[0].metadata.get("sentence_start", 0)))
        best: dict[str, Document] = {}
        for doc, sim in found:  # nearest first, so the first sentence seen is the chunk's best
            key = doc.metadata[ID_KEY]
            if key not in best:
                best[key] = _with(doc, dense_similarity=sim)
        return list(best.values())[: self.k]


def _with(doc: Document, **extra: Any) -> Document:
    return Document(page_content=doc.page_content, metadata={**doc.metadata, **extra}, id=doc.id)


_query_weights: ContextVar[list[float] | None] = ContextVar("planqa_query_weights", default=None)


class ScoredEnsembleRetriever(EnsembleRetriever):
    """EnsembleRetriever with per-query weights whose fused documents carry their score and ranks.

    Per-query weights: a BM25 retriever's weight is scaled by its coverage of the query, so an English
    question (whose words are not in the plan) is not steered by the one number it shares with
    hundreds of paragraphs, while a Chinese question keeps the full weight.
    Order is LangChain's own weighted RRF; the score is the same sum, normalised so that 1.0 means
    "ranked first by every retriever at full weight".
    """

    names: list[str] = Field(default_factory=list)

    def query_weights(self, query: str) -> list[float]:
        return [
            w * r.coverage(query) if isinstance(r, ScoredBM25Retriever) else w
            for w, r in zip(self.weights, self.retrievers)
        ]

    def rank_fusion(self, query: str, run_manager: Any, *, config: Any = None) -> list[Document]:
        token = _query_weights.set(self.query_weights(query))
        try:
            return super().rank_fusion(query, run_manager, config=config)
        finally:
            _query_weights.reset(token)

    async def arank_fusion(self, query: str, run_manager: Any, *, config: Any = None) -> list[Document]:
        token = _query_weights.set(self.query_weights(query))
        try:
            return await super().arank_fusion(query, run_manager, config=config)
        finally:
            _query_weights.reset(token)

    def weighted_reciprocal_rank(self, doc_lists: list[list[Document]]) -> list[Document]:
        weights = _query_weights.get() or self.weights
        ordered = EnsembleRetriever.weighted_reciprocal_rank(self.model_copy(update={"weights": weights}), doc_lists)
        score: dict[str, float] = defaultdict(float)
        meta: dict[str, dict[str, Any]] = defaultdict(dict)
        for i, (docs, weight) in enumerate(zip(doc_lists, weights)):
            name = self.names[i] if i < len(self.names) else f"retriever_{i + 1}"
            for rank, doc in enumerate(docs, start=1):
                key = doc.metadata[self.id_key]
                score[key] += weight / (rank + self.c)
                meta[key].update(doc.metadata)
                meta[key][f"{name}_rank"] = rank
        best = sum(self.weights) / (1 + self.c)
        return [
            Document(page_content=d.page_content, id=d.id, metadata={**meta[k], "score": score[k] / best})
            for d in ordered
            for k in [d.metadata[self.id_key]]
        ]


# ---------------------------------------------------------------- hybrid retriever


class HybridRetriever(BaseRetriever):
    """BM25 + dense over a PlanIndex. `invoke(question)` returns Documents (page_content: the chunk's
    text; metadata: chunk_id, doc_id, chapter, section, box, path, start, end, lead, score, and when
    found by that retriever bm25_rank, bm25_score, dense_rank, dense_similarity and the best sentence's
    sentence_start/sentence_end); `search()` returns Hits.
    """

    index: PlanIndex
    ensemble: ScoredEnsembleRetriever
    k: int = 8
    plans: int = 1  # plans in the index
    model_config = ConfigDict(arbitrary_types_allowed=True)

    @classmethod
    def from_index(cls, index: PlanIndex) -> HybridRetriever:
        s = index.settings
        bm25 = ScoredBM25Retriever.from_texts(
            [bm25_text(c) for c in index.chunks],
            metadatas=[chunk_metadata(c) for c in index.chunks],
            ids=[c.id for c in index.chunks],
            preprocess_func=_tokenizer(index.chunks),
            k=s.candidates,
        )
        dense = DenseRetriever(vectorstore=index.vectorstore, k=s.candidates)
        ensemble = ScoredEnsembleRetriever(
            retrievers=[bm25, dense], weights=[s.bm25_weight, s.dense_weight], c=s.rrf_k,
            id_key=ID_KEY, names=["bm25", "dense"],
        )
        return cls(index=index, ensemble=ensemble, k=s.top_k, plans=len({c.doc_id for c in index.chunks}))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self._fused(query, self.k, run_manager)

    def _fused(self, query: str, k: int, run_manager: CallbackManagerForRetrieverRun | None = None) -> list[Document]:
        query = prepare_text(query)
        if not query:
            return []
        config = {"callbacks": run_manager.get_child()} if run_manager else None
        docs = self.ensemble.invoke(query, config=config)[:k]
        # Hand back the original paragraph text, not the BM25 text with headings appended.
        return [Document(page_content=self.index.chunk(d.metadata[ID_KEY]).text, metadata=d.metadata, id=d.id)
                for d in docs]

    def search(self, query: str, k: int = 8, docs: Collection[str] = ()) -> list[Hit]:
        """The k best chunks for `query`, best first, each with its fused score (1.0 = top of both lists).
        `docs`: only chunks of these plans (the question named them); empty = every loaded plan."""
        if not docs and self.plans <= 1:
            return self.hits(self._fused(query, k))
        # Each retriever returns its `candidates` best over all plans; a plan's share of them is what fusion
        # can rank. Searching as many times deeper as there are plans gives each plan in play about the
        # list it would have alone (a plan is ~1,000 sentences).
        deep = self.ensemble.model_copy(update={"retrievers": [
            r.model_copy(update={"k": r.k * max(self.plans, DOC_FILTER_DEPTH if docs else 1)})
            for r in self.ensemble.retrievers]})
        docs_found = deep.invoke(prepare_text(query))
        kept = [d for d in docs_found if not docs or d.metadata.get("doc_id") in docs][:k]
        return self.hits(kept)

    def hits(self, docs: list[Document]) -> list[Hit]:
        """Documents from `invoke` → Hits (chunk + score)."""
        return [Hit(chunk=self.index.chunk(d.metadata[ID_KEY]), score=float(d.metadata.get("score", 0.0)))
                for d in docs]


_tokenizers: dict[tuple[str, ...], JiebaTokenizer] = {}
TOKENIZERS_KEPT = 2  # corpora whose tokenizer is kept (~70 MB each): the loaded one and the one before a reload


def _tokenizer(chunks: list[Chunk]) -> Callable[[str], list[str]]:
    """One tokenizer per distinct corpus: building jieba's dictionary takes ~0.5 s."""
    key = tuple(c.id + str(hash(c.text)) for c in chunks)
    if key not in _tokenizers:
        while len(_tokenizers) >= TOKENIZERS_KEPT:  # a reload makes a new corpus: the oldest one goes
            _tokenizers.pop(next(iter(_tokenizers)))
        _tokenizers[key] = JiebaTokenizer(plan_terms(chunks))
    return _tokenizers[key]


def distinct_sections(hits: Iterable[Hit]) -> list[tuple[str, int | None, int | None, int | None]]:
    """(doc, part, chapter, section) of the hits in rank order, without repeats: what eval's hit@k counts."""
    out: list[tuple[str, int | None, int | None, int | None]] = []
    for h in hits:
        key = (h.chunk.doc_id, h.chunk.part, h.chunk.chapter, h.chunk.section)
        if key not in out:
            out.append(key)
    return out


def sentence_scorer(index: PlanIndex) -> Callable[[str], Mapping[tuple[str, int], float]]:
    """Cosine similarity of a query to every indexed sentence, from the vectors already in Chroma.

    A plan is ~1,000 sentence vectors (1.5 MB), so one matrix product beats a vector search.
    Chroma ids are "<chunk id>#<n>" over `passages(chunk)`, which skips tiny fragments; n is mapped
    back to the chunk's own sentence index through the passage's source offset.
    """
    got = index.vectorstore.get(include=["embeddings", "metadatas"])
    positions: dict[tuple[str, int], int] = {}
    for row, (vec_id, meta) in enumerate(zip(got["ids"], got["metadatas"])):
        chunk = index.chunk(meta["chunk_id"])
        n = int(vec_id.rsplit("#", 1)[1]) if "#" in vec_id else 0
        positions[(chunk.id, _sentence_index(chunk, n))] = row
    matrix = np.asarray(got["embeddings"], dtype=np.float64)

    def score(query: str) -> Mapping[tuple[str, int], float]:
        # The text the vector search embedded (prepare_text): the embedder computes it once for both.
        # In float64 and rounded: a float32 product's last bits depend on the CPU's BLAS kernel.
        return SentenceScores(positions, matrix @ np.asarray(
            index.embeddings.embed_query(prepare_text(query)), dtype=np.float64))

    return score


class SentenceScores(Mapping[tuple[str, int], float]):
    """(chunk id, sentence index) → the query's settled cosine, looked up when read: the answerer reads a
    few hundred of a library's ~15k sentences, and rounding all of them took a fifth of an answer."""

    def __init__(self, positions: dict[tuple[str, int], int], sims: np.ndarray) -> None:
        self._positions, self._sims = positions, sims

    def __getitem__(self, key: tuple[str, int]) -> float:
        return settled(self._sims[self._positions[key]])

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def _sentence_index(chunk: Chunk, n: int) -> int:
    kept = passages(chunk)
    if n >= len(kept):
        return n
    return next((i for i, s in enumerate(chunk.sentences) if s.start == kept[n].start), n)
