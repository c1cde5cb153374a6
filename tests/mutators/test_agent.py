"""The agent mutator: a command template run in the attempt's worktree, with a timeout."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.config.load import parse_config
from hone.errors import ConfigError, UsageError
from hone.mutators.agent.jail import preflight, program
from hone.mutators.agent.mutator import AgentMutator
from hone.mutators.base import MutatorExhausted, ProposalContext
from hone.records import Attempt, Cost, Status
from hone.store import SQLiteStore
from tests.conftest import KNOB_PROJECT, Hone, MakeRepo, require_tool

BASELINE = Attempt("r", 0, None, "0" * 40, Status.BASELINE, score=1.0)


def agent(command: str, timeout: float = 30, **keys: Any) -> AgentMutator:
    return AgentMutator(parse_config({"objective": {"run": "true"}, "agent": {
        "command": command, "timeout": timeout, **keys}}))


def context(tmp_path: Path) -> ProposalContext:
    workdir = tmp_path / "work tree"  # a space, to check quoting
    workdir.mkdir()
    (workdir / "x.py").write_text("X = 1\n")
    brief = tmp_path / "briefs" / "00001.md"
    brief.parent.mkdir()
    brief.write_text("# Goal\nMake X bigger.\n")
    config = parse_config({"objective": {"run": "true"}})
    return ProposalContext("r", 1, BASELINE, BASELINE, [BASELINE], config, workdir,
                           brief.read_text(), brief, ["x.py"])


def test_template_runs_in_the_worktree_with_the_brief(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    cmd = ('pwd > where.txt; grep -c Goal {brief} > seen.txt; test "$PWD" = {workdir} && '
           'test "$HONE_BRIEF" = {brief} && sed -i s/1/2/ x.py && '
           'echo "thinking..." && echo "Hypothesis: a bigger X scores more"')
    proposal = agent(cmd, timeout=30).propose(ctx)
    assert not proposal.failure, proposal.failure
    assert proposal.hypothesis == "a bigger X scores more"
    assert (ctx.workdir / "x.py").read_text() == "X = 2\n"
    assert (ctx.workdir / "where.txt").read_text().strip() == str(ctx.workdir)
    assert (ctx.workdir / "seen.txt").read_text().strip() == "1"
    assert "thinking..." in proposal.texts["agent_output"]
    # The agent's own logs sit beside the brief, not in the worktree.
    assert (ctx.brief_path.parent / "00001.agent.out").exists()


def test_no_hypothesis_line_still_makes_an_attempt(tmp_path: Path) -> None:
    proposal = agent("echo X = 3 > x.py", timeout=30).propose(context(tmp_path))
    assert not proposal.failure
    assert proposal.hypothesis == "agent change (no Hypothesis line given)"


def test_markdown_hypothesis_last_one_wins(tmp_path: Path) -> None:
    cmd = "printf '**Hypothesis:** first\\n**Hypothesis**: second idea\\n'"
    assert agent(cmd, timeout=30).propose(context(tmp_path)).hypothesis == "second idea"


def test_timeout_fails_the_proposal(tmp_path: Path) -> None:
    proposal = agent("echo working; sleep 30", timeout=0.5).propose(context(tmp_path))
    assert proposal.failure == "agent timed out after 0.5s"
    assert "working" in proposal.texts["agent_output"]


def test_nonzero_exit_fails_with_its_last_lines(tmp_path: Path) -> None:
    proposal = agent("echo one; echo rate limited >&2; exit 4").propose(context(tmp_path))
    assert proposal.failure.startswith("agent exited with code 4: ")
    assert "rate limited" in proposal.failure


def test_files_placeholder_names_the_editable_files(tmp_path: Path) -> None:
    proposal = agent("printf '%s\\n' {files} > seen.txt; echo X = 5 > x.py").propose(
        context(tmp_path))
    assert not proposal.failure
    assert (context_workdir(tmp_path) / "seen.txt").read_text() == "x.py\n"


def context_workdir(tmp_path: Path) -> Path:
    return tmp_path / "work tree"


def test_failures_in_a_row_stop_the_mutator_and_a_success_resets_the_count(
        tmp_path: Path) -> None:
    ctx = context(tmp_path)
    flaky = agent("test -e ok || exit 3", max_consecutive_failures=2)
    assert flaky.propose(ctx).failure.startswith("agent exited with code 3")
    (ctx.workdir / "ok").write_text("")
    assert not flaky.propose(ctx).failure  # the count starts again
    (ctx.workdir / "ok").unlink()
    assert flaky.propose(ctx).failure
    with pytest.raises(MutatorExhausted, match="2 agent runs failed in a row, last: agent "
                                               "exited with code 3"):
        flaky.propose(ctx)


def test_claude_code_json_gives_the_cost_and_the_hypothesis(tmp_path: Path) -> None:
    result = {"type": "result", "subtype": "success", "num_turns": 3,
              "result": "Raised X.\nHypothesis: X = 2 is faster",
              "total_cost_usd": 0.0421, "usage": {
                  "input_tokens": 100, "cache_creation_input_tokens": 20,
                  "cache_read_input_tokens": 1000, "output_tokens": 300},
              "modelUsage": {"claude-sonnet-4-5": {}}}
    # (printed by the command: the jail hides the test's /tmp)
    proposal = agent(f"echo X = 2 > x.py; echo {shlex.quote(json.dumps(result))}").propose(
        context(tmp_path))
    assert proposal.hypothesis == "X = 2 is faster"
    assert proposal.cost == Cost(1120, 300, 0.0421, "claude-sonnet-4-5", 3)


def test_tokens_without_dollars_are_priced_from_the_config(tmp_path: Path) -> None:
    events = [{"type": "thread.started"},
              {"type": "item.completed", "item": {"type": "agent_message",
                                                  "text": "Hypothesis: X = 3"}},
              {"type": "turn.completed", "usage": {"input_tokens": 2_000_000,
                                                   "cached_input_tokens": 0,
                                                   "output_tokens": 500_000}}]
    lines = "".join(f"echo {shlex.quote(json.dumps(e))}; " for e in events)
    mutator = agent(f"echo X = 3 > x.py; {lines}", price_in=1.0, price_out=4.0)
    proposal = mutator.propose(context(tmp_path))
    assert proposal.hypothesis == "X = 3"
    assert proposal.cost == Cost(2_000_000, 500_000, 4.0, "", 1)


def test_an_agent_that_reports_nothing_records_no_cost(tmp_path: Path) -> None:
    assert agent("echo X = 4 > x.py").propose(context(tmp_path)).cost is None


def test_old_mutator_keys_still_configure_the_agent() -> None:
    config = parse_config({"objective": {"run": "true"}, "mutator": {
        "kind": "agent", "agent_command": "my-agent {brief}", "agent_timeout": 60}})
    assert (config.agent.command, config.agent.timeout) == ("my-agent {brief}", 60)
    with pytest.raises(ConfigError, match="set twice"):
        parse_config({"objective": {"run": "true"}, "mutator": {"agent_command": "a"},
                      "agent": {"command": "b"}})


@pytest.mark.parametrize(("command", "prog"), [
    ('claude -p "$(cat {brief})" --output-format json', "claude"),
    ("OPENAI_API_BASE=http://x aider --yes-always", "aider"),
    ("cd src && codex exec", ""), ("./agent.sh {brief}", "./agent.sh"),
    ("$AGENT {brief}", ""), ("env FOO=1 agent", "")])
def test_the_program_a_template_runs(command: str, prog: str) -> None:
    assert program(command) == prog


def _run(root: Path, *args: str) -> int:
    return main(["run", "-C", str(root), "--mutator", "agent", *args])


def test_a_missing_agent_is_one_line_before_the_run_starts(make_repo: MakeRepo,
                                                           hone: Hone) -> None:
    root = make_repo({**KNOB_PROJECT, "hone.toml": '[objective]\nrun = "python3 score.py"\n'
                      '[agent]\ncommand = "no-such-agent-7f3 -p {brief}"\n'})
    res = hone("run", "--mutator", "agent", "--attempts", "3", cwd=root)
    assert res.returncode == 2
    err = res.stderr.strip()
    assert err == ("hone: error: [agent] command: 'no-such-agent-7f3' is not installed or not on "
                   "PATH; install it or change [agent] command (nothing was run)")
    assert not (root / ".git" / "hone" / "hone.db").exists() or not SQLiteStore(
        root / ".git" / "hone" / "hone.db").list_attempts("main")


def test_an_agent_binary_the_jail_hides_is_named_with_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("bwrap")
    home = tmp_path / "home"
    real = home / ".local" / "share" / "agent" / "versions" / "agent-1.0"
    real.parent.mkdir(parents=True)
    real.write_text("#!/bin/sh\necho hi\n")
    real.chmod(0o755)
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "myagent").symlink_to(real)
    environ = {**os.environ, "HOME": str(home),
               "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    config = parse_config({"objective": {"run": "true"},
                           "agent": {"command": "myagent -p {brief}", "jail": True}})
    with pytest.raises(UsageError, match=r"'myagent' \(.*agent-1.0\) is hidden inside hone's "
                                         r"jail; add its folder to \[agent\] ro_paths"):
        preflight(config, environ)
    shown = config.model_copy(update={"agent": config.agent.model_copy(
        update={"ro_paths": [str(real.parent)]})})
    preflight(shown, environ)  # no error


def test_a_broken_agent_stops_the_run_after_the_failures_in_a_row(make_repo: MakeRepo) -> None:
    """A missing agent once made 610 failed attempts in 29 s; now the run stops at the limit."""
    root = make_repo({**KNOB_PROJECT, "hone.toml": '[objective]\nrun = "python3 score.py"\n'
                      '[acceptance]\nnoise_runs = 1\n'
                      '[agent]\ncommand = "sh -c \'echo no key >&2; exit 1\'"\n'
                      'max_consecutive_failures = 3\n'})
    assert _run(root, "--attempts", "50") == 0
    attempts = SQLiteStore(root / ".git" / "hone" / "hone.db").list_attempts("main")
    assert [a.status for a in attempts[1:]] == [Status.FAILED] * 3
    assert attempts[-1].reason.startswith("3 agent runs failed in a row, last: agent exited "
                                          "with code 1: no key")
