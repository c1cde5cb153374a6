"""`hone init --agent HOST`: the files an agent host reads, written into the repository.

claude: a skill (`.claude/skills/hone/SKILL.md`) and the server in `.mcp.json`; codex and
generic: a section of `AGENTS.md` with the MCP set-up to paste. Files that are not hone's own
(`.mcp.json`, `AGENTS.md`) are merged into, never overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path

from hone.config.load import load_config
from hone.errors import UsageError
from hone.mcp.instructions import RunFacts, instructions
from hone.vcs.git import Repo

SKILL = Path(".claude/skills/hone/SKILL.md")
MCP_JSON = Path(".mcp.json")
AGENTS_MD = Path("AGENTS.md")
BEGIN = "<!-- hone: begin (written by `hone init --agent`; rewritten each time) -->"
END = "<!-- hone: end -->"
# The server as a host starts it; hosts that start it in the project folder need no -C.
SERVER = ["hone", "mcp"]


def write_agent_files(directory: Path, host: str) -> list[Path]:
    """Write `host`'s files (claude, codex or generic) for the run configured in the
    repository at `directory`; the paths written. UsageError without a config."""
    root = Repo.find(directory).root
    _, config = load_config(root)
    body = instructions(RunFacts.of(config))
    if host == "claude":
        return [_write(root / SKILL, skill(body, config.run.goal)),
                _write(root / MCP_JSON, mcp_json(root / MCP_JSON))]
    snippet = codex_snippet(root) if host == "codex" else generic_snippet(root)
    return [_write(root / AGENTS_MD, agents_md(root / AGENTS_MD, body + "\n" + snippet))]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def skill(body: str, goal: str) -> str:
    """SKILL.md: YAML front matter (a JSON string is a valid YAML scalar), then the body."""
    description = ("Run hone's verified improvement loop on this repository (ask, edit the "
                   "workdir, tell). Use when asked to improve, optimise or speed up this "
                   f"repository's score. Goal: {' '.join(goal.split())}")[:1024]
    return (f"---\nname: hone\ndescription: {json.dumps(description)}\n---\n\n{body}\n"
            "The MCP server `hone` is declared in `.mcp.json` (`hone mcp`, started in the "
            "project folder); Claude Code asks once to allow it.\n")


def mcp_json(path: Path) -> str:
    """`.mcp.json` with the `hone` server added (or replaced) beside the others."""
    data: dict[str, object] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno}); "
                             "fix it or remove it") from None
    servers = data.get("mcpServers")
    servers = dict(servers) if isinstance(servers, dict) else {}
    servers["hone"] = {"type": "stdio", "command": SERVER[0], "args": SERVER[1:]}
    return json.dumps({**data, "mcpServers": servers}, indent=2) + "\n"


def codex_snippet(root: Path) -> str:
    args = json.dumps([*SERVER[1:], "-C", str(root)])
    return ("## MCP set-up (Codex)\n\nAdd hone's server to `~/.codex/config.toml`:\n\n"
            f"```toml\n[mcp_servers.hone]\ncommand = \"{SERVER[0]}\"\nargs = {args}\n```\n")


def generic_snippet(root: Path) -> str:
    server = {"mcpServers": {"hone": {"command": SERVER[0],
                                      "args": [*SERVER[1:], "-C", str(root)]}}}
    return ("## MCP set-up\n\nHosts that read an `mcpServers` JSON config start hone's server "
            f"with:\n\n```json\n{json.dumps(server, indent=2)}\n```\n")


def agents_md(path: Path, section: str) -> str:
    """AGENTS.md with hone's section between its markers: replaced when there, else added
    after what the file already says."""
    block = f"{BEGIN}\n{section.rstrip()}\n{END}\n"
    if not path.is_file():
        return block
    text = path.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start != -1 and end > start:
        return text[:start] + block + text[end + len(END):].lstrip("\n")
    return text.rstrip("\n") + "\n\n" + block
