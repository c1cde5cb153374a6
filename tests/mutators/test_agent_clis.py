"""The README's agent templates against the real CLIs: each npm CLI's `--help` knows every flag
(and value) its template passes, and Aider runs for real, jailed, against the loopback server.

The CLIs come from `make agent-clis` (under .cache/agent-clis, or `HONE_AGENT_CLIS`), else from
PATH; missing, these tests skip locally and fail in CI, which installs them.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.config.load import parse_config
from hone.loopback import LLMServer
from hone.mutators.agent.jail import program
from hone.store import SQLiteStore
from tests.conftest import KNOB_PROJECT, MakeRepo, git, require_tool

ROOT = Path(__file__).resolve().parents[2]
CLIS = Path(os.environ.get("HONE_AGENT_CLIS", ROOT / ".cache" / "agent-clis"))
SECTION = "### The agent as hone's proposer"
# How each CLI shows the help of the mode its template uses.
HELP = {"claude": ["--help"], "codex": ["exec", "--help"], "opencode": ["run", "--help"]}


def templates() -> dict[str, dict[str, Any]]:
    """The README's ```toml templates of the agent section, by the program they run."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ")]
    found = {}
    for block in re.findall(r"```toml\n(.*?)```", section, re.DOTALL):
        table = tomllib.loads(block)
        found[program(table["agent"]["command"])] = table
    return found


def cli(name: str) -> Path:
    """The CLI's executable; skip locally (fail in CI) when it is not installed, and skip an
    npm one wherever npm itself is missing."""
    for candidate in (CLIS / "npm" / "node_modules" / ".bin" / name,
                      CLIS / "aider" / "bin" / name):
        if candidate.exists():
            return candidate
    if name in HELP and shutil.which(name) is None and shutil.which("npm") is None:
        pytest.skip(f"npm is missing, so {name} cannot be installed (make agent-clis)")
    return Path(require_tool(name))


def flags(command: str) -> list[tuple[str, str]]:
    """(flag, plain value or '') for each option of a template command."""
    words = shlex.split(command)
    out = []
    for i, word in enumerate(words):
        if word.startswith("-"):
            after = words[i + 1] if i + 1 < len(words) else ""
            plain = re.fullmatch(r"[A-Za-z][\w-]*", after) and not after.startswith("-")
            out.append((word, after if plain else ""))
    return out


def test_the_readme_has_a_template_per_cli_and_each_is_a_valid_config() -> None:
    found = templates()
    assert set(found) == {"claude", "codex", "aider", "opencode"}
    for table in found.values():
        config = parse_config({"objective": {"run": "true"}, **table})
        assert config.mutator.kind == "agent"


@pytest.mark.parametrize("name", sorted(HELP))
def test_npm_templates_use_flags_the_cli_knows(name: str) -> None:
    exe = cli(name)
    res = subprocess.run([str(exe), *HELP[name]], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "NO_COLOR": "1"})
    assert res.returncode == 0, res.stderr
    helptext = res.stdout + res.stderr
    for flag, value in flags(templates()[name]["agent"]["command"]):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", helptext), (
            f"{name} {' '.join(HELP[name])} does not list {flag}")
        if value:
            assert f'"{value}"' in helptext or re.search(rf"\b{value}\b", helptext), (
                f"{name}: {flag} {value} is not among the choices its help lists")


ANSWER = """I will raise the knob: the score grows with it.

Hypothesis: a bigger knob scores more

knob.py
```python
<<<<<<< SEARCH
KNOB = 3  # hone: tune
=======
KNOB = 4  # hone: tune
>>>>>>> REPLACE
```
"""


@pytest.mark.slow  # aider starts in seconds
def test_aider_template_runs_for_real_and_its_edit_lands_as_an_attempt(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("bwrap")
    aider = cli("aider")
    table = templates()["aider"]
    toml = ('[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'
            "[acceptance]\ninitial_repeats = 1\nnoise_runs = 1\n[mutator]\nkind = \"agent\"\n"
            f"[agent]\ncommand = {_quote(table['agent']['command'])}\n"
            f"env = {table['agent']['env']!r}\n".replace("'", '"'))
    root = make_repo({**KNOB_PROJECT, "hone.toml": toml})
    with LLMServer(default=ANSWER) as server:
        monkeypatch.setenv("PATH", f"{aider.parent}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("AIDER_MODEL", "openai/loopback-model")
        monkeypatch.setenv("OPENAI_API_BASE", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "loopback")
        assert main(["run", "-C", str(root), "--attempts", "1"]) == 0
        prompts = [r.prompt for r in server.requests]
    attempt = SQLiteStore(root / ".git" / "hone" / "hone.db").list_attempts("main")[1]
    assert attempt.hypothesis == "a bigger knob scores more", attempt.reason
    assert attempt.score == 4
    assert attempt.cost is not None and (attempt.cost.tokens_in, attempt.cost.tokens_out) == (
        100, 50)
    assert git("show", f"{attempt.commit}:knob.py", cwd=root) == "KNOB = 4  # hone: tune"
    changed = git("diff", "--name-only", f"{attempt.commit}~1", attempt.commit, cwd=root)
    assert changed == "knob.py"  # aider's histories stayed out of the attempt
    # Aider sent hone's brief (the goal, the attempt number) to the model.
    assert len(prompts) == 1 and "Improve the score of the objective." in prompts[0]


def _quote(text: str) -> str:
    return "'" + text + "'" if "'" not in text else '"' + text.replace('"', '\\"') + '"'
