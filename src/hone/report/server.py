"""`hone ui`: the report's views served on 127.0.0.1, refreshed from the journal while a run goes.

The page polls `api/overview` (cheap: no git) and fetches `api/attempt/ID` when an attempt is
opened, and `api/files` (the changed files' versions) when two attempts are compared; each
takes `?run=NAME` (default: the run `hone ui` was started for), and `api/runs` lists the runs
for the page's run selector. Standard-library HTTP server: one page, JSON endpoints, loopback
only.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qs

from hone.errors import HoneError, UsageError
from hone.loop.view import RunView
from hone.report.compare import changed_files
from hone.report.data import details, overview
from hone.report.render import render_page

HOST = "127.0.0.1"


class Dashboard:
    """The data behind the endpoints, for the runs of one workspace: `engine`'s run, or the
    one a request names (`?run=NAME`, what the page's run selector sets)."""

    def __init__(self, engine: RunView) -> None:
        self.engine = engine
        self._views: dict[str, RunView] = {engine.run: engine}
        self._lock = threading.Lock()

    def view(self, run: str | None = None) -> RunView:
        name = run or self.engine.run
        with self._lock:
            if name not in self._views:
                self._views[name] = RunView(self.engine.ws, name)
            return self._views[name]

    def page(self, run: str | None = None) -> bytes:
        return render_page(None, "live", self.view(run).run).encode("utf-8")

    def overview(self, run: str | None = None) -> dict[str, Any]:
        view = self.view(run)
        if view.store.get_run(view.run) is None:
            return {"run": view.run, "waiting": True, "version": "waiting"}
        return overview(view)

    def attempt(self, attempt_id: int, run: str | None = None) -> dict[str, Any]:
        return details(self.view(run), attempt_id)

    def runs(self) -> dict[str, Any]:
        """The runs of the repository with their state, for the run selector."""
        from hone.runs import run_rows

        return {"default": self.engine.run,
                "runs": [{"name": r.name, "state": r.state} for r in run_rows(self.engine.ws)]}


_LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]", HOST)


def host_allowed(header: str | None, port: int | None) -> bool:
    """Whether a request's Host header names this server: a loopback name, with no port or
    the port the server is bound to."""
    if not header:
        return False
    name, _, given = header.strip().lower().rpartition(":")
    if not name or given.endswith("]"):
        name, given = header.strip().lower(), ""  # no port (an IPv6 literal has colons)
    return name in _LOCAL_NAMES and given in ("", str(port))


def _handler(dash: Dashboard) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server dispatches to
            path, _, query = self.path.partition("?")
            run = next(iter(parse_qs(query).get("run", [])), None)
            port = getattr(self.server, "server_port", None)
            if not host_allowed(self.headers.get("Host"), port):
                # A page of another site whose name resolves to 127.0.0.1 (DNS rebinding)
                # would otherwise read the run's logs.
                self._json(403, {"error": "this dashboard answers only to localhost"})
                return
            try:
                if path in ("/", "/index.html"):
                    self._send(200, "text/html; charset=utf-8", dash.page(run))
                elif path == "/api/overview":
                    self._json(200, dash.overview(run))
                elif path == "/api/runs":
                    self._json(200, dash.runs())
                elif path == "/api/files":
                    self._json(200, changed_files(dash.view(run)))
                elif (m := re.fullmatch(r"/api/attempt/(\d{1,18})", path)):
                    self._json(200, dash.attempt(int(m.group(1)), run))
                else:
                    self._json(404, {"error": f"no such page: {path}"})
            except HoneError as exc:
                self._json(404, {"error": str(exc)})

        def _json(self, code: int, obj: Any) -> None:
            body = json.dumps(obj, default=str).encode("utf-8")
            self._send(code, "application/json", body)

        def _send(self, code: int, ctype: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            # The browser may go away mid-answer (reload, closed tab): not an error.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # polling every two seconds would flood the terminal

    return Handler


def make_server(engine: RunView, port: int) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1:`port` (0 picks a free port)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}")
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(Dashboard(engine)))
    except OSError as exc:
        raise HoneError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server


def serve(engine: RunView, port: int, out: TextIO = sys.stdout) -> None:
    """Serve until interrupted."""
    server = make_server(engine, port)
    host, bound = server.server_address[:2]
    out.write(f"hone ui: http://{host!s}:{bound}/  (run {engine.run!r}; Ctrl-C stops)\n")
    out.flush()
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        server.server_close()
