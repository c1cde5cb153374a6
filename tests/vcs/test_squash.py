"""`best --squash`: the lineage as one commit per kept idea, or one commit with a summary."""

from __future__ import annotations

import pytest

from hone.direction import Direction
from hone.errors import UsageError
from hone.records import Attempt, CodeStats, DecisionRecord, Status
from hone.vcs.git import Repo
from hone.vcs.squash import ideas, lineage, squash
from hone.vcs.worktrees import Worktrees
from tests.conftest import MakeRepo, git


def test_lineage_folds_attempts_that_were_not_kept() -> None:
    history = [
        Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0),
        Attempt("r", 1, 0, "c1", Status.KEPT, score=12.0, hypothesis="one"),
        Attempt("r", 2, 1, "c2", Status.DISCARDED, score=11.0, hypothesis="near miss"),
        Attempt("r", 3, 1, "c3", Status.FAILED, hypothesis="off the lineage"),
        Attempt("r", 4, 2, "c4", Status.KEPT, score=15.0, hypothesis="built on the miss"),
    ]
    assert [a.id for a in lineage(history, history[4])] == [1, 2, 4]
    found = ideas(history, history[4])
    assert [(i.attempt.id, [f.id for f in i.folded], i.before) for i in found] == [
        (1, [], 10.0), (4, [2], 12.0)]


def test_squash_writes_commits_on_the_baseline(make_repo: MakeRepo) -> None:
    repo = Repo(make_repo({"k.py": "K = 1\n"}))
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    wt.checkout("s", base)
    commits = []
    for k in (2, 3, 4):
        (wt.path("s") / "k.py").write_text(f"K = {k}\n")
        sha = wt.commit("s", f"hone r #{k - 1}: raw message")
        assert sha
        commits.append(sha)
    history = [Attempt("r", 0, None, base, Status.BASELINE, score=1.0)] + [
        Attempt("r", i + 1, i, c, Status.KEPT, score=float(i + 2), hypothesis=f"K to {i + 2}",
                code=CodeStats(lines_added=1, lines_removed=1),
                decision=DecisionRecord("better", evidence={"runs": 3}),
                reason="better")
        for i, c in enumerate(commits)]
    tip = squash(repo, "r", history, history[3], "ideas", Direction.MAX)
    log = git("log", "--format=%s|%P", f"{base}..{tip}", cwd=repo.root).splitlines()
    assert [line.split("|")[0] for line in log] == ["K to 4", "K to 3", "K to 2"]
    assert git("rev-parse", f"{tip}~3", cwd=repo.root) == base
    assert git("rev-parse", f"{tip}^{{tree}}", cwd=repo.root) == git(
        "rev-parse", f"{commits[-1]}^{{tree}}", cwd=repo.root)
    body = git("log", "-1", "--format=%b", tip, cwd=repo.root)
    assert body.splitlines()[0] == "score 3 -> 4 (+33.33%), measured over 3 run(s); +1/-1 lines"
    assert "kept because: better" in body and f"commit {commits[-1]}" in body
    one = squash(repo, "r", history, history[3], "one", Direction.MAX)
    assert git("rev-parse", f"{one}^", cwd=repo.root) == base
    assert git("log", "-1", "--format=%s", one, cwd=repo.root) == \
        "hone run r: score 1 -> 4 (+300.00%)"
    with pytest.raises(UsageError, match="nothing to squash"):
        squash(repo, "r", history, history[0], "ideas", Direction.MAX)


def test_a_long_hypothesis_is_cut_at_a_word_and_kept_whole_in_the_body() -> None:
    from hone.vcs.squash import Idea, idea_message

    long = "Cache the compiled regular expressions per rule set so the inline parser stops " \
           "recompiling them for every paragraph"
    a = Attempt("r", 4, 0, "c4", Status.KEPT, score=12.0, hypothesis=long)
    subject, _, body = idea_message("r", Idea(a, (), 10.0), Direction.MAX).partition("\n\n")
    assert len(subject) <= 72 and subject.endswith(" the inline…")
    assert body.splitlines()[0] == long
