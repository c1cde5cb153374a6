"""A scripted loopback LLM server: OpenAI chat completions and Anthropic messages on 127.0.0.1.

Tests queue one reply per request (`server.script(...)`); each reply is a string (the model's
answer, rendered in the dialect of the path asked), a `Reply` (status, body, headers, delay), or a
callable that receives the `Request` and returns either. Every request is recorded in
`server.requests`, so tests can assert on the prompts. When the queue is empty, `default` answers.
Used by hone's tests and by offline examples; whatever it answers is scripted, never a model's.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # the parsed JSON body, or the raw text when it is not JSON

    @property
    def anthropic(self) -> bool:
        return self.path.rstrip("/").endswith("/messages")

    @property
    def prompt(self) -> str:
        """All message text of the request (system included), joined."""
        if not isinstance(self.body, dict):
            return str(self.body)
        parts = [_text_of(self.body.get("system", ""))]
        parts += [_text_of(m.get("content", "")) for m in self.body.get("messages", [])]
        return "\n".join(p for p in parts if p)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""


@dataclass(frozen=True)
class Reply:
    """A full HTTP answer. `body` may be a dict (sent as JSON), str or bytes."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Text:
    """A model answer, rendered as an OpenAI or Anthropic response depending on the path."""

    text: str
    finish: str = "stop"  # stop | length | content_filter (OpenAI names; mapped for Anthropic)
    tokens_in: int = 100
    tokens_out: int = 50
    refusal: str | None = None


Script = str | Text | Reply | Callable[[Request], "str | Text | Reply"]


def error(status: int, message: str = "scripted error", retry_after: float | None = None,
          ) -> Reply:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return Reply(status, {"error": {"message": message, "type": "scripted", "code": status}},
                 headers)


def hang(seconds: float) -> Reply:
    """Wait this long before answering (the client should time out first)."""
    return Reply(200, b"{}", delay=seconds)


def garbage() -> Reply:
    return Reply(200, b"<html>502 bad gateway, but with a 200</html>",
                 {"Content-Type": "application/json"})


def _openai_body(t: Text, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": t.text}
    if t.refusal is not None:
        message["refusal"] = t.refusal
    return {
        "id": "chatcmpl-loopback", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": t.finish}],
        "usage": {"prompt_tokens": t.tokens_in, "completion_tokens": t.tokens_out,
                  "total_tokens": t.tokens_in + t.tokens_out},
    }


_ANTHROPIC_STOP = {"stop": "end_turn", "length": "max_tokens", "content_filter": "refusal"}


def _anthropic_body(t: Text, model: str) -> dict[str, Any]:
    return {
        "id": "msg_loopback", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": t.text}] if t.text else [],
        "stop_reason": _ANTHROPIC_STOP.get(t.finish, t.finish), "stop_sequence": None,
        "usage": {"input_tokens": t.tokens_in, "output_tokens": t.tokens_out},
    }


class LLMServer:
    """Start with `with LLMServer() as server:`; point clients at `server.url` (ends in /v1)."""

    def __init__(self, default: Script | None = None, port: int = 0) -> None:
        self.requests: list[Request] = []
        self.default: Script = default if default is not None else error(
            500, "loopback server: no scripted reply left")
        self._queue: deque[Script] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.root + "/v1"

    def script(self, *replies: Script) -> LLMServer:
        with self._lock:
            self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def start(self) -> LLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            item = self._queue.popleft() if self._queue else self.default
        if callable(item) and not isinstance(item, Reply | Text):
            item = item(request)
        model = request.body.get("model", "m") if isinstance(request.body, dict) else "m"
        if isinstance(item, str):
            item = Text(item)
        if isinstance(item, Text):
            body = _anthropic_body(item, model) if request.anthropic else _openai_body(item, model)
            return Reply(200, body)
        return item

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Replies go out at once: with Nagle and delayed ACKs each took ~45 ms more.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._answer(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(self.rfile.read(length))

            def _answer(self, raw: bytes) -> None:
                text = raw.decode("utf-8", "replace")
                try:
                    body: Any = json.loads(text) if text else {}
                except ValueError:
                    body = text
                request = Request(self.command, self.path,
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                reply = server._next(request)
                if reply.delay and server._stop.wait(reply.delay):
                    return
                payload = reply.body
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload)
                if isinstance(payload, str):
                    payload = payload.encode()
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json", **reply.headers}
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to do

        return Handler
