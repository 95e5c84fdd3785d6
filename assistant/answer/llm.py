"""The LLM answerer: a model behind any OpenAI-compatible endpoint writes the reply, a guard checks it.

Grounded by construction: the model sees only numbered evidence sentences [1]…[N] from the same
retrieval and must cite them. The extractive Draft is always computed first, so that any failure
(timeout, HTTP error, broken stream, an uncited or unsupported figure) shows it instead, and the trace
says why: trace["llm"] = {"used": bool, "fallback_reason": str | None, ...}.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from ..config import Settings
from ..followup import RewrittenQuery
from ..models import Chunk, Citation, Hit, Sentence
from ..text import clean
from .base import Draft
from .extractive import ExtractiveAnswerer
from .grounding import citation, marks, numbers_supported, strip_marks

PROMPT_PATH = Path(__file__).with_name("prompts") / "llm_answer.txt"
NOT_FOUND = "规划未提及"  # the prompt's marker for "these sentences do not answer the question"
MAX_EVIDENCE = 10  # sentences shown to the model: enough for the extractive picks plus context, small for CPU models
NO_HISTORY = "（无）"


class Rejected(Exception):
    """The reply failed the guard; the message is the trace's fallback_reason."""


@dataclass(frozen=True)
class Evidence:
    chunk: Chunk
    sentence: Sentence
    cite: Citation


# ---------------------------------------------------------------- evidence and prompt


def evidence(hits: Sequence[Hit], picked: Sequence[Citation], cite: Callable[[Chunk, int, int], Citation],
             limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """Sentences of the hits, best hit first; the ones the extractive answer quotes go first of all,
    so that the model always sees what the extractive answerer found, however long the top paragraphs."""
    pairs = [(h.chunk, s) for h in hits for s in h.chunk.sentences]

    def not_picked(pair: tuple[Chunk, Sentence]) -> bool:
        chunk, s = pair
        return not any(c.doc == chunk.doc_id and c.start < s.end and s.start < c.end for c in picked)

    seen: set[tuple[str, int]] = set()
    out: list[Evidence] = []
    for chunk, s in sorted(pairs, key=not_picked):  # stable: hit order kept within each group
        if (chunk.doc_id, s.start) not in seen and len(out) < limit:
            seen.add((chunk.doc_id, s.start))
            out.append(Evidence(chunk, s, cite(chunk, s.start, s.end)))
    return out


def render_prompt(template: str, question: str, history: Sequence[str], ev: Sequence[Evidence]) -> str:
    lines = [f"[{i}]（{e.cite.label}）{clean(e.cite.quote)}" for i, e in enumerate(ev, 1)]
    return template.format(not_found=NOT_FOUND, question=question,
                           history="\n".join(f"- {h}" for h in history) or NO_HISTORY,
                           evidence="\n".join(lines))


# ---------------------------------------------------------------- the guard


def check(reply: str, ev: Sequence[Evidence]) -> tuple[str, list[Citation]]:
    """The reply as shown (citation marks removed) and its citations, or Rejected saying why."""
    text = reply.strip()
    if not text:
        raise Rejected("empty reply")
    cited = marks(text)
    if not cited:
        raise Rejected("no citation")
    unknown = [n for n in cited if not 1 <= n <= len(ev)]
    if unknown:
        raise Rejected(f"cites [{unknown[0]}], which is not one of the {len(ev)} evidence sentences")
    shown = strip_marks(text)
    quotes = [ev[n - 1].cite for n in cited]
    if not shown:
        raise Rejected("empty reply")
    if not numbers_supported(shown, [q.quote for q in quotes]):
        raise Rejected("a figure in the reply is in none of the cited sentences")
    return shown, quotes


def failure(error: BaseException) -> str:
    """A short reason for the trace: the error's kind and HTTP status, never its text (it may echo headers)."""
    import openai

    if isinstance(error, (TimeoutError, openai.APITimeoutError)):
        return "timeout"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}"
    if isinstance(error, openai.APIConnectionError):
        return "connection failed"
    return f"broken reply ({type(error).__name__})"


# ---------------------------------------------------------------- the deadline


_DONE = object()


def within(deadline: float, produce: Callable[[], Iterable[Any]]) -> Iterator[Any]:
    """Items of produce() as they arrive, read in a worker thread: a server that stalls mid-reply cannot
    hold the answer past `deadline` (time.monotonic()), whatever the HTTP client's own timeouts do."""
    items: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in produce():
                if stop.is_set():
                    break  # the reader has given up: leaving the loop closes the HTTP response
                items.put(item)
            items.put(_DONE)
        except BaseException as e:  # handed to the reader, who decides
            items.put(e)

    threading.Thread(target=work, name="planqa-llm", daemon=True).start()
    try:
        while True:
            try:
                item = items.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError("no complete reply before the deadline") from None
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)


# ---------------------------------------------------------------- the answerer


class LLMAnswerer:
    """Wraps an ExtractiveAnswerer: its Draft is computed first, always, and stands whenever the model's
    reply does not pass the guard."""

    def __init__(self, extractive: ExtractiveAnswerer, model: BaseChatModel, timeout: float,
                 template: str | None = None, max_evidence: int = MAX_EVIDENCE) -> None:
        self.extractive = extractive
        self.model = model
        self.timeout = timeout
        self.template = template or PROMPT_PATH.read_text(encoding="utf-8")
        self.max_evidence = max_evidence

    @classmethod
    def from_settings(cls, settings: Settings, extractive: ExtractiveAnswerer) -> "LLMAnswerer":
        if not settings.llm_base_url or not settings.llm_model:
            raise ValueError("PLANQA_ANSWERER=llm needs PLANQA_LLM_BASE_URL and PLANQA_LLM_MODEL "
                             "(e.g. http://127.0.0.1:8080/v1 and the served model's name)")
        from langchain_openai import ChatOpenAI  # only when configured: the default install never loads it

        model = ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                           api_key=settings.llm_api_key, timeout=settings.llm_timeout, max_retries=0,
                           max_tokens=settings.llm_max_tokens, temperature=0)
        return cls(extractive, model, settings.llm_timeout)

    def __call__(self, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str] = (),
                 history: Sequence[str] = ()) -> Draft:
        *_, final = self._run(rq, hits, scope, history, streaming=False)
        return final

    def stream(self, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str] = (),
               history: Sequence[str] = ()) -> Iterator[str | Draft]:
        """Text deltas as the model writes them (citation marks included), then the final Draft."""
        return self._run(rq, hits, scope, history, streaming=True)

    def _run(self, rq: RewrittenQuery, hits: Sequence[Hit], scope: Sequence[str], history: Sequence[str],
             streaming: bool) -> Iterator[str | Draft]:
        started = time.monotonic()
        deadline = started + self.timeout  # the extractive step counts: the user waits for both
        base = self.extractive(rq, hits, scope)
        ev = evidence(hits, base.citations, self._cite, self.max_evidence)
        messages = [HumanMessage(render_prompt(self.template, rq.query, history, ev))]
        parts: list[str] = []
        finished = False
        try:
            for message in within(deadline, self._producer(messages, streaming)):
                delta = _text(message)
                finished = finished or bool(message.response_metadata.get("finish_reason"))
                if delta:
                    parts.append(delta)
                    if streaming:
                        yield delta
            if not finished:
                raise Rejected("the reply ended before the model finished it")
            yield self._judge("".join(parts), ev, base, started, streamed=streaming and bool(parts))
        except Exception as e:
            reason = str(e) if isinstance(e, Rejected) else failure(e)
            yield self._fallback(base, reason, started, streamed=streaming and bool(parts))

    def _producer(self, messages: list[BaseMessage], streaming: bool) -> Callable[[], Iterable[BaseMessage]]:
        if streaming:
            return lambda: self.model.stream(messages)
        return lambda: [self.model.invoke(messages)]

    def _cite(self, chunk: Chunk, start: int, end: int) -> Citation:
        ex = self.extractive
        return citation(chunk, start, end, ex.sources[chunk.doc_id], ex.stats.plan_name(chunk.doc_id))

    def _judge(self, reply: str, ev: Sequence[Evidence], base: Draft, started: float, streamed: bool) -> Draft:
        if reply.strip().startswith(NOT_FOUND):
            if base.found:
                raise Rejected("the model found nothing where the extractive answerer found an answer")
            # Agreed: the extractive refusal says it with the reason and related reading, and no model text.
            return self._traced(base, started, used=True, reason=None, replaced=streamed, verdict="not in the plan")
        shown, quotes = check(reply, ev)
        draft = Draft(answer=shown, found=True, citations=quotes, trace=dict(base.trace))
        return self._traced(draft, started, used=True, reason=None, replaced=False, evidence=len(ev),
                            extractive_found=base.found)

    def _fallback(self, base: Draft, reason: str, started: float, streamed: bool) -> Draft:
        return self._traced(base, started, used=False, reason=reason, replaced=streamed)

    @staticmethod
    def _traced(draft: Draft, started: float, used: bool, reason: str | None, replaced: bool,
                **extra: Any) -> Draft:
        llm = {"used": used, "fallback_reason": reason, "replaced": replaced,
               "latency_ms": round((time.monotonic() - started) * 1000, 1), **extra}
        return draft.model_copy(update={"trace": {**draft.trace, "llm": llm}})
