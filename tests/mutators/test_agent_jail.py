"""The agent mutator's jail, driven through `hone run`: a stand-in agent tries to read what it
must not (the holdout, the journal, the other worktrees, a canary API key the config does not
pass) and to reach the loopback LLM server, and reports what it could."""

from __future__ import annotations

import json
import re
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.config.load import parse_config
from hone.loopback import LLMServer
from hone.mutators import make_mutator
from hone.store import SQLiteStore
from tests.conftest import KNOB_PROJECT, MakeRepo, git, require_tool
from tests.mutators.worktrees import baseline, context

CANARY = "sk-canary-4c1d"  # in hone's environment, never named by the config
PASSED = "sk-passed-77aa"  # named by `[agent] env`

# The stand-in agent: probes, raises the knob, prints its findings and a hypothesis.
STANDIN = textwrap.dedent('''\
    import json, os, sys, urllib.request
    repo, brief = sys.argv[1], sys.argv[2]
    found = {}
    def read(name, path):
        try:
            with open(path, "rb") as f:
                found[name] = f.read(200).decode("utf-8", "replace")
        except OSError as exc:
            found[name] = "ERR " + type(exc).__name__
    read("holdout_in_repo", os.path.join(repo, "holdout_eval.py"))
    read("holdout_in_worktree", "holdout_eval.py")
    read("journal", os.path.join(repo, ".git", "hone", "hone.db"))
    read("brief", brief)
    worktrees = os.path.join(repo, ".hone", "runs", "main", "worktrees")
    read("baseline_worktree", os.path.join(worktrees, "baseline", "knob.py"))
    try:
        found["worktrees"] = sorted(os.listdir(worktrees))
    except OSError as exc:
        found["worktrees"] = "ERR " + type(exc).__name__
    found["canary"] = os.environ.get("CANARY_API_KEY", "")
    found["passed"] = os.environ.get("ANTHROPIC_API_KEY", "")
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    req = urllib.request.Request(os.environ["LLM_URL"] + "/v1/chat/completions",
                                 body.encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            found["llm"] = json.load(resp)["choices"][0]["message"]["content"]
    except Exception as exc:
        found["llm"] = "ERR " + type(exc).__name__
    with open("knob.py", "w") as f:
        f.write("KNOB = 4  # hone: tune\\n")
    print("FINDINGS " + json.dumps(found))
    print("Hypothesis: a bigger knob")
''')

PROJECT = {
    **KNOB_PROJECT,
    "holdout_eval.py": "# HOLDOUT-SECRET\nfrom knob import KNOB\nprint(f'score: {KNOB}')\n",
}


def _config(standin: Path, **agent: Any) -> str:
    keys = "".join(f"{k} = {json.dumps(v)}\n" for k, v in agent.items())
    return textwrap.dedent(f'''\
        [objective]
        run = "python3 score.py"
        [files]
        editable = ["knob.py"]
        [holdout]
        run = "python3 holdout_eval.py"
        repeats = 1
        [acceptance]
        initial_repeats = 1
        noise_runs = 1
        [agent]
        command = "python3 {standin} {{repo}} {{brief}}"
        env = ["ANTHROPIC_API_KEY", "LLM_URL"]
        ro_paths = ["{standin.parent}"]
        ''') + keys


def _findings(root: Path, monkeypatch: pytest.MonkeyPatch, server: LLMServer,
              **agent: Any) -> dict[str, Any]:
    """Run one attempt with the stand-in agent; what it found."""
    standin = root.parent / "agent-bin" / "standin.py"
    standin.parent.mkdir(exist_ok=True)
    standin.write_text(STANDIN)
    config = _config(standin, **agent).replace("{repo}", str(root))
    (root / "hone.toml").write_text(config)
    git("add", "hone.toml", cwd=root)
    git("commit", "-qm", "config", cwd=root)
    monkeypatch.setenv("CANARY_API_KEY", CANARY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", PASSED)
    monkeypatch.setenv("LLM_URL", server.url.removesuffix("/v1"))
    assert main(["run", "-C", str(root), "--mutator", "agent", "--attempts", "1"]) == 0
    store = SQLiteStore(root / ".git" / "hone" / "hone.db")
    attempt = store.list_attempts("main")[1]
    assert attempt.hypothesis == "a bigger knob", attempt.reason
    out = store.get_texts("main", 1)["agent_output"]
    match = re.search(r"^FINDINGS (.+)$", out, re.MULTILINE)
    assert match, out
    found: dict[str, Any] = json.loads(match.group(1))
    return found


@pytest.fixture
def server() -> Any:
    with LLMServer(default="pong from the loopback server") as s:
        yield s


def test_jailed_agent_sees_only_its_worktree_its_brief_and_its_key(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, server: LLMServer) -> None:
    require_tool("bwrap")
    found = _findings(make_repo(PROJECT), monkeypatch, server, jail=True)
    assert found["holdout_in_repo"].startswith("ERR"), found
    assert found["holdout_in_worktree"].startswith("ERR"), found
    assert found["journal"].startswith("ERR"), found
    # Only the mount point of its own worktree shows; the baseline's worktree does not.
    assert found["baseline_worktree"].startswith("ERR"), found
    assert len(found["worktrees"]) == 1 and "baseline" not in found["worktrees"], found
    assert found["canary"] == ""
    assert found["passed"] == PASSED
    assert "This is attempt" in found["brief"] or "Goal" in found["brief"], found
    assert found["llm"] == "pong from the loopback server"
    assert len(server.requests) == 1


def _direct(repo: Path, monkeypatch: pytest.MonkeyPatch, server: LLMServer,
            **agent: Any) -> dict[str, Any]:
    """The stand-in run by the mutator alone, on a worktree of `repo` (no loop)."""
    standin = repo.parent / "agent-bin" / "standin.py"
    standin.parent.mkdir(exist_ok=True)
    standin.write_text(STANDIN)
    table = tomllib.loads(_config(standin, **agent).replace("{repo}", str(repo)))
    monkeypatch.setenv("CANARY_API_KEY", CANARY)
    monkeypatch.setenv("LLM_URL", server.url.removesuffix("/v1"))
    config = parse_config(table)
    proposal = make_mutator("agent", config).propose(
        context(repo, 1, config, [baseline(repo)]))
    assert proposal.hypothesis == "a bigger knob", proposal.failure
    match = re.search(r"^FINDINGS (.+)$", proposal.texts["agent_output"], re.MULTILINE)
    assert match, proposal.texts
    found: dict[str, Any] = json.loads(match.group(1))
    return found


def test_network_off_cuts_the_agent_from_the_loopback_server(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, server: LLMServer) -> None:
    require_tool("bwrap")
    found = _direct(make_repo(PROJECT), monkeypatch, server, jail=True, network=False)
    assert found["llm"].startswith("ERR"), found
    assert server.requests == []
    assert found["holdout_in_repo"].startswith("ERR") and found["canary"] == ""


def test_unjailed_the_same_probe_reads_everything(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, server: LLMServer) -> None:
    """The control: the probes above see what they look for when nothing hides it."""
    found = _direct(make_repo(PROJECT), monkeypatch, server, jail=False)
    assert "HOLDOUT-SECRET" in found["holdout_in_repo"]
    assert found["canary"] == CANARY
    assert found["llm"] == "pong from the loopback server"
