"""Drive `hone mcp` with the official MCP client, from synchronous tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult, TextContent

T = TypeVar("T")


def server_params(root: Path, command: str = sys.executable,
                  args: list[str] | None = None) -> StdioServerParameters:
    """`hone mcp -C ROOT` run by this interpreter (or `command args` as a host would)."""
    return StdioServerParameters(command=command,
                                 args=args if args is not None else
                                 ["-m", "hone", "mcp", "-C", str(root)], cwd=str(root))


def with_session(params: StdioServerParameters,
                 body: Callable[[ClientSession], Awaitable[T]]) -> T:
    """Start the server, initialise a session, run `body` in it, stop the server."""

    async def main() -> T:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)

    return anyio.run(main)


def text_of(result: CallToolResult) -> str:
    """Everything a tool call returned, as one text: its content and structured content."""
    parts = [c.text for c in result.content if isinstance(c, TextContent)]
    return "\n".join([*parts, json.dumps(result.structured_content)])


def data(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return dict(result.structured_content)
