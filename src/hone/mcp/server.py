"""`hone mcp`: the ask/tell loop as MCP tools and resources over stdio (the official SDK).

Tools: ask, tell, status, show, best, report. A failure the CLI would print as one line
(`HoneError`) is a tool error with that line. Nothing here approves or vetoes an attempt, and
no answer carries the holdout (see `redact`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import Field

from hone.errors import HoneError
from hone.mcp.redact import redact_message
from hone.mcp.tools import AskResult, BestResult, HoneTools, ReportResult, TellResult

T = TypeVar("T")

INSTRUCTIONS = (
    "hone keeps only the changes that make this repository measurably better. Loop: `ask` "
    "reserves an attempt and returns a workdir and a brief; edit files only in that workdir "
    "(never a protected file); `tell` with the attempt's id and a one-sentence hypothesis "
    "commits, verifies and decides it. One idea per attempt; read the brief's history and "
    "the reasons earlier attempts failed before choosing the next idea.")

AttemptId = Annotated[int, Field(description="The attempt's id, as `ask` returned it.")]


def _call(fn: Callable[[], T], error: type[Exception] = ToolError) -> T:
    """`fn()`, with a hone failure turned into the CLI's one-line message."""
    try:
        return fn()
    except HoneError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        raise error(redact_message(lines[0])) from None


def build_server(tools: HoneTools) -> MCPServer[Any]:
    """The MCP server whose tools and resources call `tools`."""
    server: MCPServer[Any] = MCPServer("hone", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    def ask(parent: Annotated[int | None, Field(
            description="Parent attempt (default: the strategy's choice, the champion).")]
            = None) -> AskResult:
        """Reserve an attempt: a fresh worktree at the parent's commit and the brief."""
        return _call(lambda: tools.ask(parent))

    @server.tool()
    def tell(id: AttemptId, hypothesis: Annotated[str, Field(
            description="What you changed and why, in one sentence.")]) -> TellResult:
        """Commit what you changed in the attempt's workdir, verify it and decide: kept,
        discarded, failed, rejected (a protected file touched) or duplicate."""
        return _call(lambda: tools.tell(id, hypothesis))

    @server.tool()
    def status() -> dict[str, Any]:
        """The run's champion and every attempt: status, score, hypothesis, reason."""
        return _call(tools.status)

    @server.tool()
    def show(id: AttemptId) -> dict[str, Any]:
        """One attempt in full: hypothesis, diff, measurements, reason, log tail."""
        return _call(lambda: tools.show(id))

    @server.tool()
    def best() -> BestResult:
        """The champion and its gain over the baseline."""
        return _call(tools.best)

    @server.tool()
    def report() -> ReportResult:
        """Write the run's self-contained HTML report for the user (.hone/reports/RUN.html);
        returns its path."""
        return _call(tools.report)

    @server.resource("hone://brief/{attempt_id}", mime_type="text/markdown")
    def brief(attempt_id: str) -> str:
        """The brief `ask` wrote for an attempt."""
        if not attempt_id.isdigit():
            raise ResourceError(f"not an attempt id: {attempt_id!r}")
        return _call(lambda: tools.brief(int(attempt_id)), ResourceError)

    @server.resource("hone://summary", mime_type="text/plain")
    def summary() -> str:
        """The run in a few lines: champion, attempts by status, the last attempts."""
        return _call(tools.summary, ResourceError)

    return server


def serve(directory: Path, run: str | None = None) -> None:
    """Serve the loop of `run` in the repository at `directory` over stdin/stdout until the
    client closes the connection."""
    build_server(HoneTools(directory, run)).run("stdio")
