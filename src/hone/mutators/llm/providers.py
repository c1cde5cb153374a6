"""Chat providers: one `complete(system, user)` call to an LLM, returning text and token usage.

`openai` (any OpenAI-compatible server, `ollama/NAME` included) and `anthropic/NAME` via the
official SDKs. SDK retries are off: a provider raises `Transient` (retry may help: 429, 5xx,
timeout, connection), `Fatal` (no call will ever work: bad key, unknown model) or `CallFailed`
(this call failed: bad request, unreadable body); `hone.mutators.llm.retry` owns the policy.
Per-call settings (the temperature) are arguments of the call: parallel attempts share one
provider, so nothing about one attempt may be stored on it.
"""

from __future__ import annotations

import abc
import os
import re
from dataclasses import dataclass
from typing import Any

from hone.config.model import LLMSection
from hone.errors import UsageError

OLLAMA_URL = "http://127.0.0.1:11434/v1"
# OpenAI reasoning models reject `temperature` and want `max_completion_tokens`.
_REASONING = re.compile(r"^(o\d|gpt-5)([-.].*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Completion:
    """An answer: `finish` is `stop`, `length` (truncated), `refusal`, or what the server said."""

    text: str
    finish: str
    tokens_in: int
    tokens_out: int
    refusal: str = ""


@dataclass(frozen=True)
class Sampling:
    """How one call samples. `temperature` None: not sent (the server's default)."""

    temperature: float | None


class CallFailed(Exception):
    """This call failed and retrying the same request will not help."""


class Transient(CallFailed):
    """Retrying may help (rate limit, server error, timeout). `retry_after` in seconds, if told."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Fatal(CallFailed):
    """No call can succeed (rejected key, unknown model): stop the run."""


def sdk_failure(sdk: Any, exc: Exception, timeout: float) -> Exception:
    """What an exception of the openai or anthropic SDK (same class names) means for hone:
    Transient (retry), a classified HTTP status, or CallFailed. Anything else is re-raised."""
    if isinstance(exc, sdk.APITimeoutError):
        return Transient(f"request timed out after {timeout:g}s")
    if isinstance(exc, sdk.APIConnectionError):
        return Transient(f"connection failed: {exc}")
    if isinstance(exc, sdk.APIStatusError):
        return classify(exc.status_code, exc.message, exc.response.headers)
    if isinstance(exc, sdk.APIError | ValueError):  # e.g. a body that is not the JSON promised
        return CallFailed(f"unreadable response: {str(exc)[:200]}")
    raise exc


class Provider(abc.ABC):
    """One model behind one API. Implementations hold no retry logic.

    `complete` is called from several threads at once (parallel slots); `settings` never change
    after construction. The only state a provider learns is a server quirk (a parameter it
    refuses), which holds for every call alike.
    """

    name = "base"

    def __init__(self, model: str, settings: LLMSection) -> None:
        self.model, self.settings = model, settings

    def sampling(self, sampling: Sampling | None) -> Sampling:
        """The call's sampling: as given, else the config's."""
        return sampling if sampling is not None else Sampling(self.settings.temperature)

    @abc.abstractmethod
    def complete(self, system: str, user: str, sampling: Sampling | None = None) -> Completion:
        """One call; `sampling` None samples as the config says."""


def _retry_after(headers: Any) -> float | None:
    """Seconds from `Retry-After` (or `retry-after-ms`); HTTP dates are rare here and ignored."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
        return None if value is None else max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def classify(status: int, message: str, headers: Any) -> CallFailed:
    """Map an HTTP error status to the exception the retry policy understands."""
    short = f"HTTP {status}: {' '.join(message.split())[:200]}"
    if status in (408, 409, 429) or status >= 500:
        return Transient(short, _retry_after(headers))
    if status in (401, 403):
        return Fatal(f"the API rejected the credentials ({short})")
    if status == 404:
        return Fatal(f"model or endpoint not found ({short})")
    return CallFailed(short)


def _mentions(exc: CallFailed, word: str) -> bool:
    return isinstance(exc, CallFailed) and not isinstance(exc, Transient) and (
        word in str(exc).lower())


class OpenAIProvider(Provider):
    """Chat completions through the `openai` SDK, for any OpenAI-compatible server."""

    name = "openai"

    def __init__(self, model: str, settings: LLMSection, base_url: str = "") -> None:
        super().__init__(model, settings)
        import openai

        self._sdk = openai
        url = base_url or settings.base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = os.environ.get("OPENAI_API_KEY") or ("none" if url else None)
        if key is None:
            raise UsageError("set OPENAI_API_KEY (or [llm] base_url for a local server)")
        self.client = openai.OpenAI(api_key=key, base_url=url, timeout=settings.timeout,
                                    max_retries=0)
        reasoning = bool(_REASONING.match(model))
        self.send_temperature = settings.temperature is not None and not reasoning
        self.token_param = "max_completion_tokens" if reasoning else "max_tokens"

    def complete(self, system: str, user: str, sampling: Sampling | None = None) -> Completion:
        how = self.sampling(sampling)
        try:
            return self._once(system, user, how)
        except CallFailed as exc:
            # Provider quirks: drop what the server refused and try once more.
            if self.send_temperature and _mentions(exc, "temperature"):
                self.send_temperature = False
            elif self.token_param == "max_tokens" and _mentions(exc, "max_tokens"):
                self.token_param = "max_completion_tokens"
            else:
                raise
            return self._once(system, user, how)

    def _once(self, system: str, user: str, how: Sampling) -> Completion:
        sdk = self._sdk
        kwargs: dict[str, Any] = {self.token_param: self.settings.max_tokens}
        if self.send_temperature and how.temperature is not None:
            kwargs["temperature"] = how.temperature
        body = {"model": self.model, "messages": [{"role": "system", "content": system},
                                                  {"role": "user", "content": user}], **kwargs}
        try:
            # The SDK's own request path, without `create`'s walk of the typed parameters
            # (about 1.5 ms of CPU per call, for a body of plain strings and numbers), and
            # the answer as the JSON it is, not built into the SDK's typed model (0.5 ms).
            resp = self.client.post("/chat/completions", body=body, cast_to=object)
        except Exception as exc:
            raise sdk_failure(sdk, exc, self.settings.timeout) from None
        return _chat_completion(resp)


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _chat_completion(resp: Any) -> Completion:
    """The completion in a chat completion's JSON (`resp`); CallFailed when it has none."""
    choices = _field(resp, "choices")
    if not isinstance(choices, list) or not choices:
        raise CallFailed(f"unreadable response (no choices): {str(resp)[:120]!r}")
    choice = choices[0]
    message = _field(choice, "message")
    text = _field(message, "content") or ""
    refusal = _field(message, "refusal") or ""
    finish = _field(choice, "finish_reason") or "stop"
    usage = _field(resp, "usage")
    try:
        tokens_in = int(_field(usage, "prompt_tokens") or 0)
        tokens_out = int(_field(usage, "completion_tokens") or 0)
    except (TypeError, ValueError):
        tokens_in = tokens_out = 0
    return Completion(
        text=text if isinstance(text, str) else str(text),
        finish="refusal" if refusal or finish == "content_filter" else str(finish),
        tokens_in=tokens_in, tokens_out=tokens_out, refusal=str(refusal),
    )


_ANTHROPIC_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
                     "refusal": "refusal"}


class AnthropicProvider(Provider):
    """Messages API through the `anthropic` SDK (the optional `hone[anthropic]` extra)."""

    name = "anthropic"

    def __init__(self, model: str, settings: LLMSection) -> None:
        super().__init__(model, settings)
        try:
            import anthropic
        except ImportError:
            raise UsageError("anthropic/ models need the anthropic SDK: "
                             "pip install 'hone-loop[anthropic]'") from None
        self._sdk = anthropic
        url = (settings.base_url or os.environ.get("ANTHROPIC_BASE_URL") or "").removesuffix(
            "/v1") or None
        key = os.environ.get("ANTHROPIC_API_KEY") or ("none" if url else None)
        if key is None:
            raise UsageError("set ANTHROPIC_API_KEY for anthropic/ models")
        self.client = anthropic.Anthropic(api_key=key, base_url=url, timeout=settings.timeout,
                                          max_retries=0)
        self.send_temperature = settings.temperature is not None

    def complete(self, system: str, user: str, sampling: Sampling | None = None) -> Completion:
        how = self.sampling(sampling)
        try:
            return self._once(system, user, how)
        except CallFailed as exc:
            if not (self.send_temperature and _mentions(exc, "temperature")):
                raise
            self.send_temperature = False
            return self._once(system, user, how)

    def _once(self, system: str, user: str, how: Sampling) -> Completion:
        sdk = self._sdk
        # Newer SDKs no longer list `temperature`; send it in the body while the API accepts it.
        send = self.send_temperature and how.temperature is not None
        extra = {"temperature": how.temperature} if send else None
        try:
            resp = self.client.messages.create(
                model=self.model, max_tokens=self.settings.max_tokens, system=system,
                messages=[{"role": "user", "content": user}], extra_body=extra)
        except Exception as exc:
            raise sdk_failure(sdk, exc, self.settings.timeout) from None
        blocks = getattr(resp, "content", None)
        if not isinstance(blocks, list):
            raise CallFailed(f"unreadable response (no content): {str(resp)[:120]!r}")
        text = "".join(str(getattr(b, "text", "") or "") for b in blocks
                       if getattr(b, "type", "") == "text")
        stop = str(getattr(resp, "stop_reason", "") or "end_turn")
        usage = getattr(resp, "usage", None)
        return Completion(
            text=text, finish=_ANTHROPIC_FINISH.get(stop, stop),
            tokens_in=int(getattr(usage, "input_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "output_tokens", 0) or 0),
        )


def make_provider(settings: LLMSection, model: str = "") -> Provider:
    """`anthropic/NAME`, `ollama/NAME`, `openai/NAME` or a bare name (OpenAI-compatible)."""
    name = model or settings.model
    if not name:
        raise UsageError("the llm mutator needs a model: --model NAME or [llm] model")
    prefix, _, rest = name.partition("/")
    if prefix == "anthropic" and rest:
        return AnthropicProvider(rest, settings)
    if prefix == "ollama" and rest:
        return OpenAIProvider(rest, settings, base_url=settings.base_url or OLLAMA_URL)
    if prefix == "openai" and rest:
        return OpenAIProvider(rest, settings)
    return OpenAIProvider(name, settings)
