"""`hone init --agent`: the files an agent host reads, and the calls they quote, run word for
word against a real run; the servers their MCP snippets name, started and listed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hone.cli import main
from tests.conftest import GIT_ENV, KNOB_PROJECT, MakeRepo
from tests.mcp.client import with_session
from tests.mcp.test_server import HOLDOUT_PROJECT

# `hone` as a host finds it: the console script next to this interpreter, on PATH.
BIN = Path(sys.executable).parent
ENV = {**os.environ, **GIT_ENV, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
PLACEHOLDERS = {"<what you changed and why>": "a bigger knob"}


def shell_calls(text: str) -> list[str]:
    """The `hone ...` lines of the text's ```sh blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("hone ")]


def sh(call: str, root: Path, attempt_id: int | None = None) -> dict[str, object]:
    for placeholder, value in {**PLACEHOLDERS, "<ID>": str(attempt_id)}.items():
        call = call.replace(placeholder, value)
    res = subprocess.run(["bash", "-c", call], cwd=root, env=ENV, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, f"{call}: {res.stderr}"
    out: dict[str, object] = json.loads(res.stdout)
    return out


def run_quoted_calls(text: str, root: Path) -> None:
    """Drive one attempt with the calls `text` quotes, as an agent would."""
    calls = shell_calls(text)
    assert [c.split()[1] for c in calls] == ["ask", "tell", "status", "show", "best"]
    asked = sh(calls[0], root)
    (Path(str(asked["workdir"])) / "knob.py").write_text("KNOB = 9  # hone: tune\n")
    attempt_id = int(str(asked["id"]))
    told = sh(calls[1], root, attempt_id)
    assert (told["status"], told["score"]) == ("kept", 9.0)
    assert sh(calls[2], root)["champion"] == {"id": attempt_id, "score": 9.0}
    assert sh(calls[3], root, attempt_id)["hypothesis"] == "a bigger knob"
    assert sh(calls[4], root)["id"] == attempt_id


def listed_tools(command: str, args: list[str], root: Path) -> set[str]:
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=command, args=args, cwd=str(root), env=ENV)

    async def names(session: object) -> set[str]:
        return {t.name for t in (await session.list_tools()).tools}  # type: ignore[attr-defined]

    return with_session(params, names)


@pytest.mark.slow
def test_claude_skill_and_mcp_json(make_repo: MakeRepo) -> None:
    root = make_repo({**KNOB_PROJECT, ".mcp.json": '{"mcpServers": {"other": {"command": "x"}}}'})
    assert main(["init", "-C", str(root), "--objective", "python3 score.py", "--gate",
                 "python3 test_knob.py", "--editable", "knob.py", "--goal",
                 "Raise the score.", "--agent", "claude"]) == 0
    skill = (root / ".claude/skills/hone/SKILL.md").read_text()
    front, body = skill.split("---\n")[1:3]
    meta = dict(line.split(": ", 1) for line in front.splitlines())
    assert meta["name"] == "hone" and "Raise the score." in json.loads(meta["description"])
    for fact in ("Raise the score.", "`python3 score.py`", "`gate1`: `python3 test_knob.py`",
                 "- `knob.py`", "- `hone.toml`", "- `test_knob.py`", "higher is better"):
        assert fact in body
    servers = json.loads((root / ".mcp.json").read_text())["mcpServers"]
    assert servers["other"] == {"command": "x"}  # the user's server stays
    run_quoted_calls(body, root)
    assert {"ask", "tell", "status"} <= listed_tools(servers["hone"]["command"],
                                                     servers["hone"]["args"], root)


@pytest.mark.slow
def test_codex_agents_md_on_an_initialised_repo(make_repo: MakeRepo) -> None:
    root = make_repo({**HOLDOUT_PROJECT, "AGENTS.md": "# House rules\nBe brief.\n"})
    config = (root / "hone.toml").read_text()
    for _ in range(2):  # a second write replaces hone's section
        assert main(["init", "-C", str(root), "--agent", "codex"]) == 0
    assert (root / "hone.toml").read_text() == config  # --agent alone writes only its files
    text = (root / "AGENTS.md").read_text()
    assert text.startswith("# House rules\nBe brief.\n") and text.count("hone: begin") == 1
    assert "holdout" not in text.lower()  # the proposer never learns of it
    toml = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert toml is not None
    server = tomllib.loads(toml.group(1))["mcp_servers"]["hone"]
    run_quoted_calls(text, root)
    assert {"ask", "tell", "status"} <= listed_tools(server["command"], server["args"],
                                                     root.parent)


def test_agent_needs_a_config_and_a_known_host(make_repo: MakeRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(KNOB_PROJECT)
    assert main(["init", "-C", str(root), "--agent", "claude"]) == 2
    assert main(["init", "-C", str(root), "--objective", "true", "--agent", "cursor"]) == 2
    assert "'cursor' is not one of 'claude', 'codex', 'generic'" in capsys.readouterr().err
    assert not (root / "hone.toml").exists()  # refused before anything was written
    assert main(["init", "-C", str(root)]) == 2
