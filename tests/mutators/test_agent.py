"""The agent mutator: a command template run in the attempt's worktree, with a timeout."""

from __future__ import annotations

from pathlib import Path

from hone.config.load import parse_config
from hone.mutators.agent import AgentMutator
from hone.mutators.base import ProposalContext
from hone.records import Attempt, Status

BASELINE = Attempt("r", 0, None, "0" * 40, Status.BASELINE, score=1.0)


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
    proposal = AgentMutator(cmd, timeout=30).propose(ctx)
    assert not proposal.failure, proposal.failure
    assert proposal.hypothesis == "a bigger X scores more"
    assert (ctx.workdir / "x.py").read_text() == "X = 2\n"
    assert (ctx.workdir / "where.txt").read_text().strip() == str(ctx.workdir)
    assert (ctx.workdir / "seen.txt").read_text().strip() == "1"
    assert "thinking..." in proposal.texts["agent_output"]
    # The agent's own logs sit beside the brief, not in the worktree.
    assert (ctx.brief_path.parent / "00001.agent.out").exists()


def test_no_hypothesis_line_still_makes_an_attempt(tmp_path: Path) -> None:
    proposal = AgentMutator("echo X = 3 > x.py", timeout=30).propose(context(tmp_path))
    assert not proposal.failure
    assert proposal.hypothesis == "agent change (no Hypothesis line given)"


def test_markdown_hypothesis_last_one_wins(tmp_path: Path) -> None:
    cmd = "printf '**Hypothesis:** first\\n**Hypothesis**: second idea\\n'"
    assert AgentMutator(cmd, timeout=30).propose(context(tmp_path)).hypothesis == "second idea"


def test_timeout_fails_the_proposal(tmp_path: Path) -> None:
    proposal = AgentMutator("echo working; sleep 30", timeout=0.5).propose(context(tmp_path))
    assert proposal.failure == "agent timed out after 0.5s"
    assert "working" in proposal.texts["agent_output"]


def test_nonzero_exit_fails_with_its_last_lines(tmp_path: Path) -> None:
    proposal = AgentMutator("echo one; echo rate limited >&2; exit 4",
                            timeout=30).propose(context(tmp_path))
    assert proposal.failure.startswith("agent exited with code 4: ")
    assert "rate limited" in proposal.failure
