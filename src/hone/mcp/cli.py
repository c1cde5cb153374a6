"""The commands of this package, registered on the `hone` CLI by `hone.cli`. Light to import:
the MCP SDK loads only when the server starts."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer


class AgentHost(enum.StrEnum):
    """The agent hosts `hone init --agent` writes instructions for."""

    CLAUDE = "claude"
    CODEX = "codex"
    GENERIC = "generic"


AgentOpt = Annotated[AgentHost | None, typer.Option(
    help="Write a coding agent's instructions (alone: on a repository with a config).")]


def mcp_command(
    directory: Annotated[Path, typer.Option("-C", help="Run as if hone was started in DIR.")]
        = Path("."),
    run_name: Annotated[str | None, typer.Option(
        "--run", help="Run name (default: \\[run] name).")] = None,
) -> None:
    """Serve the loop as MCP tools over stdio, for coding agents (ask, tell, status, ...)."""
    from hone.config.names import run_name_problem
    from hone.errors import UsageError
    from hone.loop.workspace import Workspace
    from hone.mcp.server import serve

    problem = run_name_problem(run_name) if run_name is not None else None
    if problem:
        raise UsageError(f"--run: {problem}")
    Workspace.open(directory)  # no repository or config: one line and exit 2, not a server
    serve(directory, run_name)
