"""Providers against the loopback server: both dialects, quirks, errors mapped for the retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hone.config.model import LLMSection
from hone.mutators.llm.providers import (
    OLLAMA_URL,
    AnthropicProvider,
    CallFailed,
    Fatal,
    OpenAIProvider,
    Sampling,
    Transient,
    make_provider,
)
from hone.mutators.llm.retry import RetryLog, RetryPolicy, with_retries
from tests.support.llm_server import LLMServer, Text, error, garbage, hang


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer() as s:
        yield s


def settings(server: LLMServer, **kw: object) -> LLMSection:
    return LLMSection.model_validate({"base_url": server.url, "timeout": 1.0, **kw})


def test_openai_answer_tokens_and_request(server: LLMServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server.script(Text("hello", tokens_in=321, tokens_out=7))
    p = make_provider(settings(server, temperature=0.3, max_tokens=99), "M")
    got = p.complete("sys", "user text")
    assert (got.text, got.finish, got.tokens_in, got.tokens_out) == ("hello", "stop", 321, 7)
    body = server.requests[0].body
    assert server.requests[0].path == "/v1/chat/completions"
    assert body["model"] == "M" and body["temperature"] == 0.3 and body["max_tokens"] == 99
    assert body["messages"] == [{"role": "system", "content": "sys"},
                                {"role": "user", "content": "user text"}]


def test_base_url_from_environment(server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "k1")
    server.script("ok")
    assert make_provider(LLMSection(timeout=1.0), "M").complete("s", "u").text == "ok"
    assert server.requests[0].headers["authorization"] == "Bearer k1"


def test_prefixes_pick_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "a")
    ollama = make_provider(LLMSection(), "ollama/qwen2.5-coder")
    assert isinstance(ollama, OpenAIProvider) and ollama.model == "qwen2.5-coder"
    assert str(ollama.client.base_url).rstrip("/") == OLLAMA_URL
    claude = make_provider(LLMSection(), "anthropic/claude-x")
    assert isinstance(claude, AnthropicProvider) and claude.model == "claude-x"


def test_reasoning_model_gets_no_temperature(server: LLMServer) -> None:
    server.script("ok")
    make_provider(settings(server, max_tokens=50), "o3-mini").complete("s", "u")
    body = server.requests[0].body
    assert "temperature" not in body and body["max_completion_tokens"] == 50


def test_temperature_refused_is_dropped_and_retried(server: LLMServer) -> None:
    server.script(error(400, "Unsupported parameter: 'temperature' is not supported"), "ok",
                  "again")
    p = make_provider(settings(server), "some-new-model")
    assert p.complete("s", "u").text == "ok"
    assert p.complete("s", "u").text == "again"
    assert "temperature" in server.requests[0].body
    assert all("temperature" not in r.body for r in server.requests[1:])


@pytest.mark.parametrize(("reply", "kind", "text"), [
    (error(429, "slow", retry_after=7), Transient, "HTTP 429"),
    (error(502), Transient, "HTTP 502"),
    (error(401, "bad key"), Fatal, "credentials"),
    (error(404, "no such model"), Fatal, "not found"),
    (error(400, "context too long"), CallFailed, "HTTP 400"),
    (garbage(), CallFailed, "unreadable response"),
    (hang(3), Transient, "timed out"),
])
def test_errors_are_classified(server: LLMServer, reply: object, kind: type[Exception],
                               text: str) -> None:
    server.script(reply)  # type: ignore[arg-type]
    p = make_provider(settings(server, timeout=0.5), "M")
    with pytest.raises(kind, match=text) as info:
        p.complete("s", "u")
    if isinstance(info.value, Transient) and "429" in text:
        assert info.value.retry_after == 7


def test_retries_honour_retry_after_then_back_off(server: LLMServer) -> None:
    server.script(error(429, retry_after=0.25), error(500), error(500), "finally")
    p = make_provider(settings(server), "M")
    slept: list[float] = []
    log = RetryLog()
    got = with_retries(lambda: p.complete("s", "u"),
                       RetryPolicy(retries=3, base_delay=0.01, max_delay=1, jitter=0),
                       slept.append, log)
    assert got.text == "finally"
    assert slept == [0.25, 0.02, 0.04]  # Retry-After first, then 0.01 * 2**n
    assert len(log.errors) == 3 and len(server.requests) == 4


def test_retries_give_up(server: LLMServer) -> None:
    server.script(error(503), error(503))
    p = make_provider(settings(server), "M")
    with pytest.raises(Transient):
        with_retries(lambda: p.complete("s", "u"), RetryPolicy(retries=1, base_delay=0),
                     lambda s: None)
    assert len(server.requests) == 2


def test_anthropic_messages_api(server: LLMServer) -> None:
    server.script(Text("from claude", tokens_in=11, tokens_out=3),
                  Text("cut", finish="length"))
    p = make_provider(settings(server, base_url=server.root, temperature=0.5, max_tokens=64),
                      "anthropic/claude-test")
    got = p.complete("the system", "the user")
    assert (got.text, got.finish, got.tokens_in, got.tokens_out) == ("from claude", "stop",
                                                                     11, 3)
    assert p.complete("s", "u").finish == "length"
    req = server.requests[0]
    assert req.path == "/v1/messages" and "anthropic-version" in req.headers
    # the key travels as x-api-key (older SDKs) or a bearer token (newer ones)
    assert "none" in req.headers.get("x-api-key", "") + req.headers.get("authorization", "")
    assert req.body["system"] == "the system" and req.body["model"] == "claude-test"
    assert req.body["max_tokens"] == 64 and req.body["temperature"] == 0.5


def test_refusal_and_truncation_are_reported(server: LLMServer) -> None:
    server.script(Text("", refusal="I can't help with that"), Text("half", finish="length"))
    p = make_provider(settings(server), "M")
    refused = p.complete("s", "u")
    assert refused.finish == "refusal" and "can't" in refused.refusal
    assert p.complete("s", "u").finish == "length"


@pytest.mark.parametrize("model", ["M", "anthropic/claude-test"])
def test_the_temperature_is_an_argument_of_the_call(server: LLMServer, model: str) -> None:
    server.script("one", "two", "three")
    url = server.root if model.startswith("anthropic/") else server.url
    p = make_provider(settings(server, base_url=url, temperature=0.7), model)
    p.complete("s", "u", Sampling(1.1))
    p.complete("s", "u")  # as configured: nothing of the call before stuck to the provider
    p.complete("s", "u", Sampling(None))  # None: not sent, the server's default
    sent = [r.body.get("temperature") for r in server.requests]
    assert sent == [pytest.approx(1.1), 0.7, None]
    assert p.settings.temperature == 0.7


def test_a_chat_completion_of_odd_shape_is_read_defensively() -> None:
    from hone.mutators.llm.providers import _chat_completion

    done = _chat_completion({"choices": [{"message": {"content": "hi"},
                                          "finish_reason": "length"}],
                             "usage": {"prompt_tokens": "12", "completion_tokens": "x"}})
    assert (done.text, done.finish, done.tokens_in, done.tokens_out) == ("hi", "length", 0, 0)
    refused = _chat_completion({"choices": [{"message": {"content": None, "refusal": "no"}}]})
    assert refused.finish == "refusal" and refused.refusal == "no" and refused.text == ""
    assert _chat_completion({"choices": ["text"]}).text == ""  # no message: an empty answer
    for unreadable in ({"choices": []}, {"id": "x"}, ["choices"], "<html>"):
        with pytest.raises(CallFailed, match="no choices"):
            _chat_completion(unreadable)
