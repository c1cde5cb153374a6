"""The git layer's shortcuts agree with git: one diff process per pair, loose objects read from
disk, file lists derived from a parent's, `git clean` spared only when nothing is stray."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hone.vcs import objects, worktrees
from hone.vcs.git import Repo
from hone.vcs.worktrees import Worktrees
from tests.conftest import MakeRepo, git
from tests.vcs.test_git import _commit_in


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return Repo(make_repo({"a.py": "A = 1\n", "src/b.py": "B = 2\nC = 3\n",
                           "data.bin": "\x00\x01", "é t.txt": "x\n"}))


def _ls_tree(root: Path, commit: str) -> dict[str, str]:
    out = git("ls-tree", "-r", "-z", commit, cwd=root)
    return {rec.split("\t", 1)[1]: rec.split()[2] for rec in out.split("\0") if rec}


def test_change_matches_git_and_derives_the_new_file_list(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    wt.checkout("s", base)
    repo.blobs(base)  # the parent's list is known, so the child's follows from the diff
    new = _commit_in(wt, "s", {"src/b.py": "B = 20\nC = 3\nD = 4\n", "a.py": None,
                          "new dir/n.py": "x\n", "data.bin": "\x00\x02", "é t.txt": "y\n"})
    change = repo.change(base, new)
    assert (change.added, change.removed) == (2 + 1 + 1, 1 + 1 + 1)
    assert sorted(change.paths) == sorted(["a.py", "data.bin", "new dir/n.py", "src/b.py",
                                           "é t.txt"])
    assert change.blobs["a.py"] is None
    assert change.patch == git("diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0",
                               base, new, cwd=repo.root) + "\n"
    assert repo.knows(new)
    assert repo.blobs(new) == _ls_tree(repo.root, new)
    stat = repo.diffstat(base, new)
    assert (stat.added, stat.removed, sorted(stat.paths)) == (
        change.added, change.removed, sorted(change.paths))
    same = repo.change(base, base)
    assert (same.added, same.removed, same.paths, same.patch) == (0, 0, (), "")


def test_loose_and_packed_objects_read_the_same(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    wt.checkout("s", repo.head())
    new = _commit_in(wt, "s", {"a.py": "A = 2\n"})
    loose_objects = repo.git_path("objects")
    tree = git("rev-parse", f"{new}^{{tree}}", cwd=repo.root)
    assert objects.commit_tree(loose_objects, new) == tree  # read from disk, no git process
    assert repo.tree_of(new) == tree
    repo.blobs(new)
    assert repo.show_file(new, "a.py") == b"A = 2\n"
    assert repo.show_file(new, "data.bin") == b"\x00\x01"
    assert repo.show_file(new, "missing.py") is None
    git("gc", "--quiet", cwd=repo.root)  # everything packed: git answers instead
    fresh = Repo(repo.root)
    assert objects.commit_tree(fresh.git_path("objects"), new) is None
    assert fresh.tree_of(new) == tree
    fresh.blobs(new)
    assert fresh.show_file(new, "a.py") == b"A = 2\n"
    assert fresh.tree_of("HEAD") == git("rev-parse", "HEAD^{tree}", cwd=repo.root)
    assert "a.py" in fresh.blobs("HEAD")
    git("rm", "-q", "a.py", cwd=repo.root)
    git("commit", "-qm", "moved", cwd=repo.root)  # names that move are asked again
    assert fresh.tree_of("HEAD") == git("rev-parse", "HEAD^{tree}", cwd=repo.root)
    assert "a.py" not in fresh.blobs("HEAD")


def test_set_refs_moves_several_refs_at_once(repo: Repo) -> None:
    head = repo.head()
    repo.set_refs({"refs/hone/r/1": head, "refs/hone/r/best": head})
    assert repo.refs("refs/hone/r/") == {"refs/hone/r/1": head, "refs/hone/r/best": head}


def test_checkout_cleans_only_when_something_is_stray(repo: Repo,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("s", base)
    one = _commit_in(wt, "s", {"src/b.py": "B = 5\n", "src/c/d.py": "D = 1\n"})
    calls: list[str] = []
    real = worktrees.git

    def counting(*args: str, cwd: Path, input: str | None = None, check: bool = True) -> str:
        calls.append(args[0])
        return real(*args, cwd=cwd, input=input, check=check)

    monkeypatch.setattr(worktrees, "git", counting)
    repo.blobs(base)
    repo.blobs(one)
    wt.checkout("s", one)
    assert calls == []  # already there, every file as committed: no git process at all
    (path / "a.py").write_text("A = dirty\n")
    wt.checkout("s", one)
    assert calls == ["checkout"]  # a changed file, nothing stray: no `git clean`
    assert (path / "a.py").read_text() == "A = 1\n"
    (path / "a.py").chmod(0o755)
    calls.clear()
    wt.checkout("s", one)
    assert calls == ["checkout"] and not os.access(path / "a.py", os.X_OK)
    wt.checkout("s", base)
    calls.clear()
    wt.checkout("s", one)
    assert calls == ["checkout"] and (path / "src" / "c" / "d.py").is_file()
    strays: list[tuple[str, bool]] = [("build.o", False), ("src/__pycache__/b.pyc", False),
                                      ("empty", True), ("src/c/d.txt", False)]
    for rel, folder in strays:
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).mkdir() if folder else (path / rel).write_text("x")
        calls.clear()
        wt.checkout("s", one)
        assert calls == ["checkout", "clean"], rel
        assert not (path / rel).exists()
    os.symlink("src", path / "link")  # a link to a folder is a file to git
    calls.clear()
    wt.checkout("s", base)
    assert calls == ["checkout", "clean"] and not (path / "link").is_symlink()
    assert not (path / "src" / "c").exists()
    assert _ls_tree(repo.root, base).keys() == {
        str(p.relative_to(path)) for p in path.rglob("*") if p.is_file() and p.name != ".git"}


def test_git_commit_without_new_files_is_one_git_process(repo: Repo,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("s", base)
    repo.blobs(base)
    calls: list[str] = []
    real_git, real_run = worktrees.git, worktrees.run_git

    def counting(*args: str, cwd: Path, input: str | None = None, check: bool = True) -> str:
        calls.append(_subcommand(args))
        return real_git(*args, cwd=cwd, input=input, check=check)

    def counting_run(*args: str, cwd: Path, input: str | None = None
                     ) -> subprocess.CompletedProcess[str]:
        calls.append(_subcommand(args))
        return real_run(*args, cwd=cwd, input=input)

    monkeypatch.setattr(worktrees, "git", counting)
    monkeypatch.setattr(worktrees, "run_git", counting_run)
    assert wt.commit("s", "nothing") is None and calls == []  # in-process: no git at all
    assert wt.commit_with_git("s", "nothing") is None and calls == ["commit"]
    (path / "a.py").write_text("A = 2\n")
    (path / "src" / "b.py").unlink()
    calls.clear()
    one = wt.commit_with_git("s", "edit and delete")
    assert one is not None and calls == ["commit"]
    assert sorted(_ls_tree(repo.root, one)) == sorted(set(_ls_tree(repo.root, base)) - {"src/b.py"})
    assert git("show", f"{one}:a.py", cwd=repo.root) == "A = 2"
    repo.blobs(one)
    (path / "new.py").write_text("N = 1\n")  # a new file: staged with `git add --all`
    calls.clear()
    two = wt.commit_with_git("s", "new file")
    assert two is not None and calls == ["add", "commit"]
    assert "new.py" in _ls_tree(repo.root, two)


def _subcommand(args: tuple[str, ...]) -> str:
    while args[0] == "-c":
        args = args[2:]
    return args[0]


def test_commits_start_no_maintenance_but_every_nth_runs_it(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    path = wt.checkout("s", repo.head())
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    monkeypatch.setattr(worktrees, "_commits", {})
    monkeypatch.setattr(worktrees, "MAINTAIN_EVERY", 3)
    for i in range(worktrees.MAINTAIN_EVERY - 1):
        (path / "a.py").write_text(f"A = {i + 10}\n")
        assert wt.commit("s", f"edit {i}") is not None
    traced = trace.read_text() if trace.exists() else ""  # in-process commits: no git at all
    assert "git maintenance" not in traced and "git gc" not in traced
    (path / "a.py").write_text("A = 0\n")
    assert wt.commit("s", "the third") is not None
    assert "built-in: git maintenance run --auto" in trace.read_text()


def test_hone_refs_are_written_as_git_would(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from hone.errors import HoneError
    from hone.vcs import git as git_module

    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    wt.checkout("s", repo.head())
    one = _commit_in(wt, "s", {"a.py": "A = 2\n"})
    two = _commit_in(wt, "s", {"a.py": "A = 3\n"})
    repo.set_ref("refs/hone/r/1", one)  # the first call reads the config once
    calls: list[str] = []
    real = git_module.git

    def counting(*args: str, cwd: Path, input: str | None = None, check: bool = True) -> str:
        calls.append(args[0])
        return real(*args, cwd=cwd, input=input, check=check)

    monkeypatch.setattr(git_module, "git", counting)
    repo.set_ref("refs/hone/r/best", one)
    repo.set_ref("refs/hone/r/1", two)  # moved again
    assert calls == []  # written as files, no git process
    monkeypatch.setattr(git_module, "git", real)
    assert git("rev-parse", "refs/hone/r/1", "refs/hone/r/best", cwd=repo.root).split() == [
        two, one]
    git("pack-refs", "--all", cwd=repo.root)  # a packed ref is overridden by the loose one
    repo.set_ref("refs/hone/r/best", two)
    assert repo.read_ref("refs/hone/r/best") == two
    assert git("fsck", "--no-progress", cwd=repo.root) == ""
    with pytest.raises(HoneError):  # a folder where the ref should be: git explains
        repo.set_ref("refs/hone/r", two)
    with pytest.raises(HoneError):  # an object that does not exist: git refuses
        repo.set_ref("refs/hone/r/9", "1" * 40)
    assert repo.read_ref("refs/hone/r/9") is None
    git("config", "core.logAllRefUpdates", "always", cwd=repo.root)
    logged = Repo(repo.root)
    logged.set_ref("refs/hone/r/7", one)  # a reflog asked for: git writes it
    assert (repo.root / ".git" / "logs" / "refs" / "hone" / "r" / "7").is_file()
