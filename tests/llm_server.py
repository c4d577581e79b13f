"""A tiny chat-model server on 127.0.0.1 for tests: OpenAI and Ollama wire protocols, scripted failures.

Test support for the generative answer mode (assistant → *chat model* → verification). Speaks
``POST /v1/chat/completions`` (JSON, or SSE with ``stream: true``) and ``POST /api/chat`` (JSON, or NDJSON
streaming), so the real langchain-openai and langchain-ollama clients can be driven without a model. The
canned answer echoes a sentence of passage 1 of the prompt with a [1] marker, so support scores are real.
``behaviour`` switches between ok, sleep (longer than the client timeout), trickle (slow tokens), http500,
malformed (broken JSON), garbage (no citation) and forged (a marker to a passage that does not exist).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from beleidsbron.text.sentences import sentences

_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)


def passages_of(messages: list[dict[str, Any]]) -> dict[int, str]:
    """The numbered passages of the prompt (the user message)."""
    text = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
    return {int(n): body for n, body in _PASSAGE.findall(text)}


def echo_answer(messages: list[dict[str, Any]]) -> str:
    """One real sentence of passage 1, cited [1] — what a faithful model would say."""
    first = passages_of(messages).get(1, "")
    candidates = [s for s in sentences(first) if len(s.split()) >= 6 and s[0].isupper()] or [first.strip()]
    return f"{candidates[0]} [1]"


@dataclass
class ServerState:
    behaviour: str = "ok"
    delay_s: float = 5.0  # sleep: before answering; trickle: between tokens
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def answer(self, messages: list[dict[str, Any]]) -> str:
        if self.behaviour == "garbage":
            return "Daar kan ik weinig over zeggen, maar het is vast interessant."
        if self.behaviour == "forged":
            return f"{echo_answer(messages)} Volgens passage 99 is alles geregeld. [99]"
        return echo_answer(messages)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_POST(self) -> None:
        state = self.server.state
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        state.requests.append(body)
        state.headers.append({k.lower(): v for k, v in self.headers.items()})
        try:
            if state.behaviour == "sleep":
                time.sleep(state.delay_s)
            if state.behaviour == "http500":
                self._send(500, "application/json", b'{"error": {"message": "interne fout", "type": "server_error"}}')
            elif self.path.rstrip("/").endswith("/chat/completions"):
                self._openai(body, state)
            elif self.path.rstrip("/") == "/api/chat":
                self._ollama(body, state)
            else:
                self._send(404, "application/json", b'{"error": "not found"}')
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _send(self, code: int, ctype: str, data: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _openai(self, body: dict[str, Any], state: ServerState) -> None:
        model = body.get("model", "test")
        if state.behaviour == "malformed":
            if body.get("stream"):
                self._start_stream("text/event-stream")
                self.wfile.write(b'data: {"id": "x", "choices": [{"delta": {"content": "Hallo\n\n')
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            else:
                self._send(200, "application/json", b'{"id": "x", "choices": [{"message": ')
            return
        text = state.answer(body.get("messages", []))
        if not body.get("stream"):
            reply = {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
            self._send(200, "application/json", json.dumps(reply).encode())
            return
        self._start_stream("text/event-stream")

        def event(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        for token in _tokens(text):
            if state.behaviour == "trickle":
                time.sleep(state.delay_s)
            event({"content": token})
        event({}, "stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _ollama(self, body: dict[str, Any], state: ServerState) -> None:
        model = body.get("model", "test")
        if state.behaviour == "malformed":
            self._start_stream("application/x-ndjson")
            self.wfile.write(b'{"model": "x", "message": {"role": "assistant", "content": "Hal\n')
            self.wfile.flush()
            return
        text = state.answer(body.get("messages", []))

        def record(content: str, done: bool) -> dict[str, Any]:
            out: dict[str, Any] = {
                "model": model,
                "created_at": "2025-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": content},
                "done": done,
            }
            if done:
                out.update(
                    done_reason="stop",
                    total_duration=1000,
                    load_duration=10,
                    prompt_eval_count=10,
                    prompt_eval_duration=100,
                    eval_count=10,
                    eval_duration=100,
                )
            return out

        if body.get("stream") is False:
            self._send(200, "application/json", json.dumps(record(text, True)).encode())
            return
        self._start_stream("application/x-ndjson")
        for token in _tokens(text):
            if state.behaviour == "trickle":
                time.sleep(state.delay_s)
            self.wfile.write((json.dumps(record(token, False)) + "\n").encode())
            self.wfile.flush()
        self.wfile.write((json.dumps(record("", True)) + "\n").encode())
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState


class LLMServer:
    """The server running in a background thread; ``url`` is its base address."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.state = ServerState()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="test-llm-server", daemon=True)

    @property
    def state(self) -> ServerState:
        return self._httpd.state

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def reset(self, behaviour: str = "ok", delay_s: float = 5.0) -> ServerState:
        self._httpd.state = ServerState(behaviour=behaviour, delay_s=delay_s)
        return self._httpd.state

    def __enter__(self) -> LLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
