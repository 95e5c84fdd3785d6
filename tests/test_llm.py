"""The LLM answerer against a scripted OpenAI-compatible server, through the real client (ChatOpenAI).

Each case scripts what the server says; the checks are what the user sees (found, answer text), that no
invented figure is ever shown, and that trace["llm"] says why the model's reply was or was not used.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from assistant.answer import ExtractiveAnswerer, make_answerer
from assistant.answer.llm import NOT_FOUND, LLMAnswerer
from assistant.chain import AnswerChain
from assistant.config import Settings
from assistant.models import Answer

QUESTION = "2025年养老机构护理型床位占比?"  # the plan: 养老机构护理型床位占比不低于60%
UNANSWERABLE = "到2030年海州区高新技术企业要达到多少家?"
TIMEOUT = 1.5
API_KEY = "sk-test-secret-0123"


# ---------------------------------------------------------------- the scripted server


def number_of(prompt: str, *words: str) -> int:
    """The evidence number the prompt gave the sentence containing all `words`."""
    for line in prompt.splitlines():
        if line.startswith("[") and all(w in line for w in words):
            return int(line[1:line.index("]")])
    raise AssertionError(f"no evidence sentence with {words}")


def grounded(prompt: str) -> str:
    return f"养老机构护理型床位占比不低于60%[{number_of(prompt, '护理型床位', '60%')}]。"


def invented(prompt: str) -> str:
    return f"养老机构护理型床位占比不低于75%[{number_of(prompt, '护理型床位', '60%')}]。"


@dataclass
class Script:
    """What the server does with the next request: `reply(prompt)` is the content; `mode` how it is sent."""

    reply: Callable[[str], str] = grounded
    mode: str = "ok"  # ok | malformed | cut | http500 | slow (before any byte) | stall (after the first words)
    requests: list[dict] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    server: "FakeServer"

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_POST(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout cases): nothing to report

    def _answer(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        script = self.server.script
        script.requests.append({"body": body, "auth": self.headers.get("Authorization")})
        content = script.reply(body["messages"][-1]["content"])
        if script.mode == "http500":
            return self._send(500, b'{"error": {"message": "boom", "type": "server_error"}}', "application/json")
        if script.mode == "slow":
            time.sleep(TIMEOUT * 2)
        if body.get("stream"):
            return self._stream(content, script.mode)
        payload = b"{not json" if script.mode == "malformed" else json.dumps(_completion(content)).encode()
        self._send(200, payload, "application/json")

    def _send(self, status: int, payload: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, content: str, mode: str) -> None:
        # HTTP/1.0 without a length: the body ends when the connection closes, as a cut stream does.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [content[i:i + 3] for i in range(0, len(content), 3)]
        if mode == "cut":
            pieces = pieces[: max(1, len(pieces) // 2)]
        for i, piece in enumerate(pieces):
            self._event(_chunk({"content": piece}, None))
            if mode == "stall" and i == 0:
                time.sleep(TIMEOUT * 2)  # the first words came; the rest comes too late
        if mode == "malformed":
            self.wfile.write(b"data: {not json\n\n")
        if mode == "cut":
            return
        self._event(_chunk({}, "stop"))
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, data: dict) -> None:
        self.wfile.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


def _completion(content: str) -> dict:
    return {"id": "c1", "object": "chat.completion", "created": 0, "model": "fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunk(delta: dict, finish: str | None) -> dict:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    script = Script()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    srv = FakeServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    # The client's first request pays one-off costs (imports, connection pool) that can exceed TIMEOUT on a
    # busy 2-core box right after the index build; the cases measure the answerer, not those.
    srv.script = Script(lambda p: "ok")
    ChatOpenAI(base_url=f"http://127.0.0.1:{srv.server_port}/v1", model="fake", api_key=SecretStr(API_KEY),
               max_retries=0).invoke("warm up")
    yield srv
    srv.shutdown()
    srv.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the answerer around the session's parts


@pytest.fixture(scope="module")
def extractive_chain(plan_assistant) -> AnswerChain:
    assert isinstance(plan_assistant.answer_chain.answerer, ExtractiveAnswerer)
    return plan_assistant.answer_chain


def llm_chain(chain: AnswerChain, port: int) -> AnswerChain:
    """The session's chain with its answerer wrapped in an LLMAnswerer talking to 127.0.0.1:port."""
    model = ChatOpenAI(base_url=f"http://127.0.0.1:{port}/v1", model="fake", api_key=SecretStr(API_KEY),
                       timeout=TIMEOUT, max_retries=0, max_tokens=256)
    return chain.with_answerer(LLMAnswerer(chain.answerer, model, TIMEOUT))


def run(chain: AnswerChain, question: str, streaming: bool) -> tuple[Answer, list[str], float]:
    """The final Answer, the deltas streamed before it, and the seconds the answerer took."""
    prepared = chain.prepare.invoke({"question": question, "history": []})
    started = time.monotonic()
    if not streaming:
        return chain.answer(prepared), [], time.monotonic() - started
    events = list(chain.stream(prepared))
    elapsed = time.monotonic() - started
    assert isinstance(events[-1], Answer) and all(isinstance(e, str) for e in events[:-1])
    return events[-1], events[:-1], elapsed


@pytest.fixture(scope="module")
def extractive_answer(extractive_chain: AnswerChain) -> Answer:
    answer, _, _ = run(extractive_chain, QUESTION, streaming=False)
    assert answer.found and "60%" in answer.answer
    return answer


# ---------------------------------------------------------------- cases


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "sse"])
def test_a_grounded_reply_is_shown_with_its_citation(server, extractive_chain, extractive_answer, streaming) -> None:
    server.script = Script(grounded)
    answer, deltas, _ = run(llm_chain(extractive_chain, server.server_port), QUESTION, streaming)
    assert answer.trace["llm"]["used"] is True and answer.trace["llm"]["fallback_reason"] is None
    assert answer.found and answer.answer == "养老机构护理型床位占比不低于60%。"  # the [n] mark became a chip
    assert any("60%" in c.quote and "护理型床位" in c.quote for c in answer.citations)
    assert all(c.label and c.end > c.start for c in answer.citations)
    if streaming:
        assert len(deltas) > 1 and "".join(deltas).startswith("养老")  # really streamed, piece by piece
    request = server.script.requests[-1]
    assert request["auth"] == f"Bearer {API_KEY}" and bool(request["body"].get("stream")) is streaming
    prompt = request["body"]["messages"][-1]["content"]
    assert QUESTION in prompt and "[1]" in prompt and NOT_FOUND in prompt
    assert API_KEY not in json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)


FALLBACKS = [
    ("invented figure", Script(invented), "a figure in the reply is in none of the cited sentences"),
    ("unknown sentence", Script(lambda p: "养老机构护理型床位占比不低于60%[99]。"), "cites [99]"),
    ("no citation", Script(lambda p: "养老机构护理型床位占比不低于60%。"), "no citation"),
    ("empty", Script(lambda p: ""), "empty reply"),
    ("malformed", Script(grounded, mode="malformed"), "broken reply"),
    ("http 500", Script(grounded, mode="http500"), "HTTP 500"),
    ("slow", Script(grounded, mode="slow"), "timeout"),
    ("not in the plan", Script(lambda p: NOT_FOUND), "the model found nothing"),
]


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("case,script,reason", FALLBACKS, ids=[c for c, _, _ in FALLBACKS])
def test_a_bad_reply_falls_back_to_the_extractive_answer(server, extractive_chain, extractive_answer, case, script,
                                                          reason, streaming) -> None:
    server.script = script
    answer, deltas, elapsed = run(llm_chain(extractive_chain, server.server_port), QUESTION, streaming)
    llm = answer.trace["llm"]
    assert llm["used"] is False and reason in llm["fallback_reason"]
    assert answer.answer == extractive_answer.answer and answer.found == extractive_answer.found
    assert answer.citations == extractive_answer.citations
    assert "75" not in answer.answer  # the invented figure is never shown
    assert elapsed < TIMEOUT + 0.2
    if streaming and deltas:
        assert llm["replaced"] is True  # what was streamed is replaced by the extractive answer


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "sse"])
def test_a_stream_cut_in_the_middle_or_a_closed_port_falls_back(server, extractive_chain, extractive_answer,
                                                                streaming) -> None:
    server.script = Script(grounded, mode="cut")
    answer, _, _ = run(llm_chain(extractive_chain, server.server_port), QUESTION, True)
    assert answer.trace["llm"]["used"] is False and answer.answer == extractive_answer.answer
    assert answer.trace["llm"]["fallback_reason"]
    answer, _, elapsed = run(llm_chain(extractive_chain, free_port()), QUESTION, streaming)
    assert answer.trace["llm"] == {**answer.trace["llm"], "used": False, "fallback_reason": "connection failed"}
    assert answer.answer == extractive_answer.answer and elapsed < TIMEOUT + 0.2


def test_a_stream_that_stalls_is_replaced_at_the_timeout(server, extractive_chain, extractive_answer) -> None:
    server.script = Script(grounded, mode="stall")
    answer, deltas, elapsed = run(llm_chain(extractive_chain, server.server_port), QUESTION, streaming=True)
    assert deltas and elapsed < TIMEOUT + 0.2
    assert answer.trace["llm"]["fallback_reason"] == "timeout" and answer.trace["llm"]["replaced"] is True
    assert answer.answer == extractive_answer.answer


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "sse"])
def test_not_in_the_plan_is_accepted_only_when_the_extractive_answerer_also_refuses(
        server, extractive_chain, streaming) -> None:
    refused, _, _ = run(extractive_chain, UNANSWERABLE, streaming=False)
    assert not refused.found
    server.script = Script(lambda p: f"{NOT_FOUND}。")
    answer, _, _ = run(llm_chain(extractive_chain, server.server_port), UNANSWERABLE, streaming)
    assert answer.trace["llm"]["used"] is True and not answer.found and answer.answer == refused.answer
    # A figure invented where the plan is silent is never shown: the refusal stands.
    server.script = Script(lambda p: "到2030年高新技术企业达到500家[1]。")
    answer, _, _ = run(llm_chain(extractive_chain, server.server_port), UNANSWERABLE, streaming)
    assert answer.trace["llm"]["used"] is False and not answer.found and "500" not in answer.answer


# ---------------------------------------------------------------- settings and the default


def test_llm_settings_need_a_url_and_a_model_and_hide_the_key(plan_assistant, monkeypatch) -> None:
    monkeypatch.setenv("PLANQA_LLM_API_KEY", API_KEY)
    settings = Settings(answerer="llm", llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert API_KEY not in repr(settings) and settings.llm_api_key.get_secret_value() == API_KEY
    parts = (plan_assistant.index.chunks, plan_assistant.sources, plan_assistant.documents, None)
    answerer = make_answerer(settings, *parts)
    assert isinstance(answerer, LLMAnswerer) and answerer.timeout == settings.llm_timeout
    with pytest.raises(ValueError, match="PLANQA_LLM_BASE_URL"):
        make_answerer(Settings(answerer="llm", llm_model="m"), *parts)
    with pytest.raises(ValueError, match="PLANQA_LLM_MODEL"):
        make_answerer(Settings(answerer="llm", llm_base_url="http://x/v1"), *parts)


def test_without_planqa_answerer_the_chain_answers_as_before(plan_assistant, extractive_answer, monkeypatch) -> None:
    monkeypatch.delenv("PLANQA_ANSWERER", raising=False)
    assert Settings().answerer == "extractive"
    asked = plan_assistant.ask(QUESTION)
    streamed = list(plan_assistant.stream(QUESTION))
    assert len(streamed) == 1 and isinstance(streamed[0], Answer)  # one final event, no deltas
    for answer in (asked, streamed[0]):
        assert answer.answer == extractive_answer.answer and answer.citations == extractive_answer.citations
        assert "llm" not in (answer.trace or {})


# ---------------------------------------------------------------- the chat


def chat_bubbles(pa, question: str, tmp_path) -> list[str]:
    """Every assistant bubble the chat handler shows for one question, in order."""
    from assistant.web.handlers import ChatHandlers

    handlers = ChatHandlers(pa)

    async def collect() -> list[str]:
        return [chat[-1]["content"] async for _, chat, _ in handlers.chat(question, [], [])]

    return anyio.run(collect)


def test_the_chat_shows_the_model_text_as_it_arrives(server, plan_assistant, extractive_answer, tmp_path) -> None:
    server.script = Script(grounded)
    pa = plan_assistant.with_answerer(llm_chain(plan_assistant.answer_chain, server.server_port).answerer)
    bubbles = chat_bubbles(pa, QUESTION, tmp_path)
    partial = [b for b in bubbles if "cursor" in b]
    assert len(partial) > 1 and all("[" not in b for b in partial)  # marks never shown, chips come last
    assert "60%" in bubbles[-1] and "cite-chip" in bubbles[-1] and "cursor" not in bubbles[-1]


def test_the_extractive_chat_looks_as_before(plan_assistant, extractive_answer, tmp_path) -> None:
    from assistant.web.render import bot_message, render_pending, render_reply, stream_steps

    bubbles = chat_bubbles(plan_assistant, QUESTION, tmp_path)
    doc = plan_assistant.documents[0].id
    expected = [render_pending()] + [render_reply(extractive_answer, doc, s) for s in stream_steps(extractive_answer.answer)]
    more = plan_assistant.suggestions(extractive_answer)
    expected.append(render_reply(extractive_answer, doc, suggestions=more))
    assert bubbles == [bot_message(b)["content"] for b in expected]
