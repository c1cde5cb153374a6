"""The ablate mutator: undo one piece of the champion's change per attempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.config.load import parse_config
from hone.mutators.ablate import AblateMutator, blocks, reverse_hunks
from hone.mutators.base import MutatorExhausted, ProposalContext
from hone.records import Attempt, Status
from hone.vcs.git import Repo
from hone.vcs.worktrees import Worktrees
from tests.conftest import MakeRepo, git

BASE = "A = 1\nB = 2\n"
CHAMP = "A = 5\nB = 2\n\n\ndef dead():\n    return 1\n\n\ndef dead2():\n    return 2\n"


def setup(make_repo: MakeRepo) -> tuple[Repo, Worktrees, Attempt, Attempt]:
    repo = Repo(make_repo({"a.py": BASE}))
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    wt.checkout("s", repo.head())
    (wt.path("s") / "a.py").write_text(CHAMP)
    champ_commit = wt.commit("s", "champ")
    assert champ_commit
    baseline = Attempt("r", 0, None, repo.head(), Status.BASELINE, score=1.0)
    champion = Attempt("r", 1, 0, champ_commit, Status.KEPT, score=5.0)
    return repo, wt, baseline, champion


def ctx(wt: Worktrees, attempt_id: int, history: list[Attempt]) -> ProposalContext:
    champion = history[1]
    assert champion.commit
    workdir = wt.checkout("s", champion.commit)
    config = parse_config({"objective": {"run": "true"}})
    return ProposalContext("r", attempt_id, champion, champion, history, config, workdir, "",
                           workdir / "brief.md", ["a.py"])


def test_hunks_and_blocks(make_repo: MakeRepo) -> None:
    repo, _, baseline, champion = setup(make_repo)
    assert champion.commit and baseline.commit
    diff = git("diff", "-U0", champion.commit, baseline.commit, cwd=repo.root)
    hunks = reverse_hunks(diff + "\n")
    assert [(h.path, h.line, h.drops, h.restores) for h in hunks] == [
        ("a.py", 1, 1, 1), ("a.py", 3, 8, 0)]
    assert [(b.line, b.drops) for b in blocks(hunks[1])] == [(3, 4), (7, 4)]
    assert [(b.line, b.drops) for b in blocks(hunks[0])] == [(1, 1)]


def test_proposals_remove_the_most_code_first_then_exhaust(make_repo: MakeRepo) -> None:
    _, wt, baseline, champion = setup(make_repo)
    history = [baseline, champion]
    seen = []
    for attempt_id in range(2, 10):
        try:
            p = AblateMutator().propose(ctx(wt, attempt_id, history))
        except MutatorExhausted:
            break
        seen.append((p.hypothesis, (wt.path("s") / "a.py").read_text()))
        history.append(Attempt("r", attempt_id, 1, None, Status.DISCARDED, mutator="ablate",
                               notes=p.notes))
    hypotheses = [h for h, _ in seen]
    assert hypotheses[0] == "simplify: drop 8 line(s) at a.py:3"
    assert seen[0][1] == "A = 5\nB = 2\n"
    assert "simplify: drop 4 line(s) at a.py:3" in hypotheses
    assert ("simplify: drop 4 line(s) at a.py:7", "A = 5\nB = 2\n\n\ndef dead():\n"
            "    return 1\n") in seen
    assert "simplify: restore the baseline's 1 line(s) in place of 1 at a.py:1" in hypotheses
    assert len(set(hypotheses)) == len(hypotheses) == 5


def test_nothing_to_ablate_at_the_baseline(make_repo: MakeRepo) -> None:
    _, wt, baseline, _ = setup(make_repo)
    with pytest.raises(MutatorExhausted):
        AblateMutator().propose(ctx(wt, 2, [baseline, baseline]))


def test_reverse_hunks_of_new_and_deleted_files(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = Repo(make_repo({"old.py": "X = 1\n"}))
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    wt.checkout("s", repo.head())
    (wt.path("s") / "old.py").unlink()
    (wt.path("s") / "new.py").write_text("Y = 2\nZ = 3\n")
    champ = wt.commit("s", "c")
    assert champ
    hunks = reverse_hunks(git("diff", "-U0", champ, repo.head(), cwd=repo.root) + "\n")
    assert sorted((h.path, h.drops, h.restores) for h in hunks) == [
        ("new.py", 2, 0), ("old.py", 0, 1)]
