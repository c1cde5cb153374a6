"""The git layer on real repositories: Repo, refs, hone-owned worktrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.errors import UsageError
from hone.vcs import refs
from hone.vcs.git import Repo
from hone.vcs.worktrees import Worktrees
from tests.conftest import MakeRepo, git


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return Repo(make_repo({"a.py": "A = 1\n", "src/b.py": "B = 2\nC = 3\n",
                           "data.bin": "\x00\x01"}))


def test_find_from_a_subdirectory_and_errors(repo: Repo, tmp_path: Path) -> None:
    assert Repo.find(repo.root / "src").root == repo.root
    with pytest.raises(UsageError, match="not a git repository"):
        Repo.find(tmp_path)
    with pytest.raises(UsageError, match="no such directory"):
        Repo.find(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    git("init", "-q", cwd=tmp_path / "empty")
    with pytest.raises(UsageError, match="no commits yet"):
        Repo.find(tmp_path / "empty").head()


def test_head_tracked_files_and_dirty(repo: Repo) -> None:
    assert repo.head() == git("rev-parse", "HEAD", cwd=repo.root)
    assert sorted(repo.tracked_files(repo.head())) == ["a.py", "data.bin", "src/b.py"]
    assert not repo.is_dirty()
    (repo.root / "untracked.txt").write_text("x")
    assert not repo.is_dirty()  # untracked files are not "uncommitted changes"
    (repo.root / "a.py").write_text("A = 2\n")
    assert repo.is_dirty()


def test_exclude_is_written_once(repo: Repo) -> None:
    repo.exclude("/.hone/")
    repo.exclude("/.hone/")
    lines = (repo.root / ".git" / "info" / "exclude").read_text().splitlines()
    assert lines.count("/.hone/") == 1
    (repo.root / ".hone").mkdir()
    (repo.root / ".hone" / "x").write_text("x")
    assert git("status", "--porcelain", cwd=repo.root) == ""


def _commit_in(wt: Worktrees, slot: str, edits: dict[str, str | None]) -> str:
    for rel, text in edits.items():
        path = wt.path(slot) / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    sha = wt.commit(slot, "test")
    assert sha is not None
    return sha


def test_diffstat_counts_lines_and_paths(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    wt.checkout("s", base)
    new = _commit_in(wt, "s", {"src/b.py": "B = 20\nC = 3\nD = 4\n", "a.py": None,
                               "new dir/n.py": "x\n", "data.bin": "\x00\x02\x03"})
    stat = repo.diffstat(base, new)
    assert (stat.added, stat.removed) == (1 + 1 + 1, 1 + 1)  # b.py +2-1, a.py -1, n.py +1
    assert sorted(stat.paths) == ["a.py", "data.bin", "new dir/n.py", "src/b.py"]
    assert stat.files == 4


def test_refs_and_branches(repo: Repo) -> None:
    head = repo.head()
    repo.set_ref(refs.attempt_ref("r", 0), head)
    repo.set_ref(refs.best_ref("r"), head)
    assert repo.read_ref("refs/hone/r/0") == head
    assert repo.read_ref("refs/hone/r/9") is None
    assert repo.refs(refs.run_prefix("r")) == {"refs/hone/r/0": head, "refs/hone/r/best": head}
    # hone's refs are not branches: the user's branch list is unchanged.
    assert git("branch", "--list", "--format=%(refname:short)", cwd=repo.root) == "main"
    repo.create_branch("tuned", head)
    assert git("rev-parse", "tuned", cwd=repo.root) == head
    with pytest.raises(UsageError, match="already exists"):
        repo.create_branch("tuned", head)
    with pytest.raises(UsageError, match="not a valid branch name"):
        repo.create_branch("bad..name", head)
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo.root) == "main"


def test_worktree_commits_chain_on_their_parent(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("slot-0", base)
    assert path == repo.root / ".hone" / "worktrees" / "slot-0"
    assert wt.commit("slot-0", "nothing") is None  # no change, no commit
    one = _commit_in(wt, "slot-0", {"a.py": "A = 5\n"})
    assert git("rev-parse", f"{one}^", cwd=repo.root) == base
    two = _commit_in(wt, "slot-0", {"src/b.py": "B = 7\n"})
    assert git("rev-parse", f"{two}^", cwd=repo.root) == one
    assert git("log", "-1", "--format=%an", two, cwd=repo.root) == "hone"
    # The user's HEAD, branch and files did not move.
    assert repo.head() == base
    assert (repo.root / "a.py").read_text() == "A = 1\n"


def test_worktrees_are_reused_and_cleaned(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("slot-0", base)
    one = _commit_in(wt, "slot-0", {"a.py": "A = 5\n"})
    (path / "build.o").write_text("objective output")  # untracked leftovers of a run
    (path / "a.py").write_text("A = dirty\n")
    marker = path / ".git"
    before = marker.read_text()
    again = wt.checkout("slot-0", base)
    assert again == path and marker.read_text() == before  # the same worktree, reused
    assert (path / "a.py").read_text() == "A = 1\n"
    assert not (path / "build.o").exists()
    wt.checkout("slot-0", one)
    assert (path / "a.py").read_text() == "A = 5\n"
    # One registered worktree per slot, however many checkouts.
    listed = git("worktree", "list", "--porcelain", cwd=repo.root)
    assert listed.count("worktree ") == 2


def test_a_broken_worktree_is_rebuilt(repo: Repo) -> None:
    import shutil

    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    path = wt.checkout("slot-0", repo.head())
    shutil.rmtree(repo.root / ".git" / "worktrees")  # git's side of it is gone
    again = wt.checkout("slot-0", repo.head())
    assert again == path and (path / "a.py").read_text() == "A = 1\n"
    wt.remove("slot-0")
    assert not path.exists()
    assert git("worktree", "list", "--porcelain", cwd=repo.root).count("worktree ") == 1


def test_user_hooks_and_signing_do_not_apply_to_hone_commits(repo: Repo) -> None:
    hooks = repo.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    git("config", "commit.gpgsign", "true", cwd=repo.root)
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    wt.checkout("s", repo.head())
    assert _commit_in(wt, "s", {"a.py": "A = 9\n"})


def test_worktree_head_matches_git(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    wt.checkout("s", repo.head())
    sha = _commit_in(wt, "s", {"a.py": "A = 3\n"})
    assert wt.head("s") == sha == git("rev-parse", "HEAD", cwd=wt.path("s"))
    git("checkout", "-q", "-b", "attached", cwd=wt.path("s"))  # not hone's way: git answers
    assert wt.head("s") == sha
