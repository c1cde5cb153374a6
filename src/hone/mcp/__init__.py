"""hone as coding agents see it: the loop as MCP tools (`hone mcp`) and the instructions an
agent host reads (`hone init --agent`)."""
