"""The real langchain-openai and langchain-ollama clients against a local protocol server, through the Assistant.

A small server on 127.0.0.1 (tests/llm_server.py) speaks the OpenAI (/v1/chat/completions, JSON and SSE)
and Ollama (/api/chat, NDJSON) protocols and echoes a sentence of passage 1 with [1]; the demo store,
the embedding model and the verification are real. Failures (timeout, slow trickle, HTTP 500, broken
JSON, unreachable server) must fall back to the extractive answer within bounded time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage

from assistant.core import Assistant
from assistant.generate import build_chat_model, build_messages
from beleidsbron.domain import Answer
from evals.app_client import free_port
from tests.conftest import DemoStore, make_settings
from tests.llm_server import LLMServer

QUESTION = "Wat is de Leefbaarometer?"
TIMEOUT_S = 2.0
BOUND_S = TIMEOUT_S + 15  # retrieval, verification and the fallback on a slow CI machine


@pytest.fixture(scope="module")
def server() -> Iterator[LLMServer]:
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with LLMServer() as srv:
        yield srv


def assistant_for(demo_store: DemoStore, mode: str, url: str) -> Assistant:
    settings = make_settings(
        demo_store.settings.store_path,
        answer_mode=mode,
        llm_model="test-model",
        llm_base_url=url,
        llm_api_key="geheime-sleutel",
        llm_timeout_s=TIMEOUT_S,
        llm_max_tokens=321,
    )
    return Assistant(settings)


@pytest.fixture(scope="module", params=["openai", "ollama"])
def assistant(request: pytest.FixtureRequest, demo_store: DemoStore, server: LLMServer) -> Assistant:
    url = server.url + "/v1" if request.param == "openai" else server.url
    return assistant_for(demo_store, request.param, url)


def test_streaming_answer_is_verified(assistant: Assistant, server: LLMServer) -> None:
    state = server.reset("ok")
    items = list(assistant.ask_stream(QUESTION))
    pieces, answer = items[:-1], items[-1]
    assert isinstance(answer, Answer)
    assert len(pieces) > 3 and all(isinstance(p, str) for p in pieces)  # real tokens, streamed
    mode = assistant.settings.answer_mode
    assert answer.mode == mode and not answer.refused, answer.notice
    assert answer.text == "".join(pieces).strip()  # type: ignore[arg-type]
    assert answer.sentences[0].citations == (1,) and answer.sentences[0].supported
    assert answer.sentences[0].support > 0.9
    assert answer.citations[0].quote == answer.sentences[0].text
    request = state.requests[-1]
    assert request["model"] == "test-model" and request["stream"] is True
    assert '<passage n="1"' in request["messages"][-1]["content"]
    if mode == "openai":
        assert request["max_completion_tokens"] == request["max_tokens"] == 321
        assert request["temperature"] == pytest.approx(0.1)
        assert state.headers[-1]["authorization"] == "Bearer geheime-sleutel"
    else:
        assert request["options"]["num_predict"] == 321 and request["options"]["temperature"] == pytest.approx(0.1)
    data = answer.to_json()
    assert data["mode"] == mode and data["sentences"][0]["supported"] is True


def test_openai_client_without_streaming(demo_store: DemoStore, server: LLMServer) -> None:
    state = server.reset("ok")
    settings = make_settings(
        demo_store.settings.store_path, answer_mode="openai", llm_model="m", llm_base_url=server.url + "/v1"
    )
    model = build_chat_model(settings)
    reply = model.invoke(
        [HumanMessage('<passage n="1" titel="t">\nDe wijkaanpak werkt het best met bewoners.\n</passage>')]
    )
    assert reply.content == "De wijkaanpak werkt het best met bewoners. [1]"
    assert not state.requests[-1].get("stream")


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("sleep", "niet binnen 2 seconden"),
        ("trickle", "niet binnen 2 seconden"),
        ("http500", "HTTP 500"),
        ("malformed", "onleesbaar"),
        ("garbage", "geen zin met een geldige bronvermelding"),
    ],
)
def test_failures_fall_back_to_extractive_in_bounded_time(
    assistant: Assistant, server: LLMServer, behaviour: str, reason: str
) -> None:
    server.reset(behaviour, delay_s=TIMEOUT_S + 3 if behaviour == "sleep" else 0.5)
    started = time.perf_counter()
    items = list(assistant.ask_stream(QUESTION))
    elapsed = time.perf_counter() - started
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert elapsed < BOUND_S, elapsed
    assert answer.mode == "extractive-fallback" and not answer.refused
    assert reason in answer.notice and "extractieve antwoord" in answer.notice
    assert answer.citations and answer.sentences and all(s.supported for s in answer.sentences)
    assert "geheime-sleutel" not in answer.notice


def test_forged_marker_from_the_server_is_removed(assistant: Assistant, server: LLMServer) -> None:
    server.reset("forged")
    answer = assistant.ask(QUESTION)
    assert answer.mode == assistant.settings.answer_mode
    assert answer.removed_markers == [99] and "[99]" in answer.notice and "[99]" not in answer.text
    assert answer.sentences[0].supported and not answer.sentences[1].supported


def test_unreachable_server_falls_back(demo_store: DemoStore) -> None:
    port = free_port()  # a port nobody listens on
    for mode, url in (("openai", f"http://127.0.0.1:{port}/v1"), ("ollama", f"http://127.0.0.1:{port}")):
        started = time.perf_counter()
        answer = assistant_for(demo_store, mode, url).ask(QUESTION)
        assert time.perf_counter() - started < BOUND_S
        assert answer.mode == "extractive-fallback" and "niet bereikbaar" in answer.notice


def test_prompt_sent_over_the_wire_keeps_passages_as_data(assistant: Assistant, server: LLMServer) -> None:
    state = server.reset("ok")
    assistant.ask(QUESTION)
    system, user = state.requests[-1]["messages"][:2]
    expected = build_messages(QUESTION, [])[0].content
    assert system["role"] == "system" and system["content"] == expected
    assert user["content"].count("<passage ") == user["content"].count("</passage>") >= 3


@pytest.mark.slow  # four CLI runs
def test_cli_streams_in_llm_mode_and_keeps_the_json_contract(demo_store: DemoStore, server: LLMServer) -> None:
    server.reset("ok")
    env = {
        **os.environ,
        "BELEIDSBRON_ANSWER_MODE": "ollama",
        "BELEIDSBRON_LLM_MODEL": "test-model",
        "BELEIDSBRON_LLM_BASE_URL": server.url,
        "BELEIDSBRON_LLM_TIMEOUT_S": str(TIMEOUT_S),
    }
    store = str(demo_store.settings.store_path)
    base = [sys.executable, "-m", "assistant", "ask", "--store", store]
    plain = subprocess.run([*base, QUESTION], capture_output=True, text=True, timeout=180, env=env, check=False)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith(f"Q: {QUESTION}") and "[1]" in plain.stdout and "Sources:" in plain.stdout
    as_json = subprocess.run(
        [*base, "--json", QUESTION, "Wat is de hoofdstad van Frankrijk?"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert as_json.returncode == 0, as_json.stderr
    first, second = (json.loads(line) for line in as_json.stdout.splitlines())
    assert {"question", "answer", "refused", "mode", "sentences", "citations", "notice", "timings_ms"} <= first.keys()
    assert first["mode"] == "ollama" and first["sentences"][0]["supported"] is True
    assert set(first["timings_ms"]) == {"retrieve", "answer", "total"}
    assert second["refused"] and second["mode"] == "extractive"  # refused before any model call
    server.reset("http500")
    failed = subprocess.run(
        [*base, "--json", QUESTION], capture_output=True, text=True, timeout=180, env=env, check=False
    )
    record = json.loads(failed.stdout)
    assert record["mode"] == "extractive-fallback" and "HTTP 500" in record["notice"] and record["citations"]
    missing = subprocess.run(
        [*base, QUESTION],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "BELEIDSBRON_LLM_MODEL": ""},
        check=False,
    )
    assert missing.returncode == 2 and "BELEIDSBRON_LLM_MODEL" in missing.stderr
