"""hone's in-process commit and diff (libgit2) agree with git, case by case, and hand over to
git where they could not."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hone.vcs import fast_change, fast_commit, libgit, worktrees
from hone.vcs.git import Repo
from hone.vcs.libgit import Unsupported
from hone.vcs.worktrees import Worktrees
from tests.conftest import MakeRepo, git

FUNCS = "".join(f"def f{i}():\n    x = {i}\n    return x\n\n\n" for i in range(8))
BODY = "top = 0\ndef f():\n    a = 1\n    b = 2\n    c = 3\n"
IGNORE_RULES = "*.log\nbuild/\n!keep.log\n/out\n**/tmp/*.txt\nsub/**/deep\n"
IGNORE_PROBES = ("keep.log", "x.log", "build/a", "src/build/b", "out/c", "src/out/d",
                 "tmp/e.txt", "src/tmp/f.txt", "src/tmp/g.py", "sub/a/b/deep", "sub/deep/h",
                 "sub/i.dat", "sub/important.dat", "sub/j.py", "k.excluded", "l.tmp")
ODD = os.fsdecode(b"caf\xe9.txt")  # a name that is not UTF-8


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def _link(path: Path, target: str) -> None:
    if path.is_symlink() or path.exists():
        path.unlink()
    path.symlink_to(target)


def _chmod(path: Path, mode: int) -> None:
    path.chmod(mode)


def _remove(path: Path) -> None:
    path.unlink()


Edit = Callable[[Path], None]
# (name, edit of a worktree, whether libgit2 diffs it itself: False = hands over to git)
CASES: list[tuple[str, Edit, bool]] = [
    ("edit", lambda w: _write(w / "a.py", "A = 2\n"), True),
    ("edits in functions", lambda w: _write(w / "src/funcs.py", FUNCS.replace(
        "x = 2", "x = -2").replace("x = 3", "x = 33\n    y = 1").replace("    x = 6\n", "")),
     True),
    ("new file", lambda w: _write(w / "new.py", "N = 1\n"), True),
    ("new file in new folders", lambda w: _write(w / "pkg/sub/mod.py", "M = 1\n"), True),
    ("new files ordered", lambda w: [_write(w / n, "x\n") for n in ("a-b", "a/x", "a.c", "a0")],
     True),
    ("empty new file", lambda w: _write(w / "empty.txt", ""), True),
    ("deletion", lambda w: _remove(w / "a.py"), True),
    ("executable bit set", lambda w: _chmod(w / "a.py", 0o755), True),
    ("executable bit unset", lambda w: _chmod(w / "run.sh", 0o644), True),
    ("executable and edit", lambda w: (_write(w / "a.py", "A = 3\n"), _chmod(w / "a.py", 0o700)),
     True),
    ("new symlink", lambda w: _link(w / "link2", "src/funcs.py"), True),
    ("symlink retargeted", lambda w: _link(w / "link", "run.sh"), True),
    ("file becomes symlink", lambda w: _link(w / "a.py", "run.sh"), False),
    ("binary edit", lambda w: _write(w / "data.bin", b"\x00\x02\x03"), True),
    ("new binary", lambda w: _write(w / "img.bin", b"PNG\x00" * 50), True),
    ("text becomes binary", lambda w: _write(w / "a.py", b"A\x00\n"), True),
    ("ignored file", lambda w: _write(w / "debug.log", "noise\n"), True),
    ("ignore rules", lambda w: [_write(w / n, "x\n") for n in IGNORE_PROBES], True),
    # libgit2 1.9 alone leaves dir/x.log out: new files are git's call (`git add`)
    ("negation below dir/*", lambda w: [_write(w / n, t) for n, t in (
        (".gitignore", "dir/*\n!x.log\n"), ("dir/x.log", "x\n"), ("dir/y", "y\n"))], True),
    ("nothing", lambda w: None, True),
    ("no trailing newline", lambda w: _write(w / "nonl.txt", "still\nnone"), True),
    ("newline added", lambda w: _write(w / "nonl.txt", "no newline\n"), True),
    ("crlf content", lambda w: _write(w / "crlf.txt", b"one\r\nTWO\r\nthree\r\n"), True),
    ("quoted name with a space", lambda w: _write(w / "é t.txt", "y\n"), True),
    ("two hunks in one function", lambda w: _write(w / "body.py", BODY.replace(
        "a = 1", "a = 10").replace("c = 3", "c = 30")), True),
    ("deleted binary and no-newline file", lambda w: (_remove(w / "data.bin"),
                                                      _remove(w / "nonl.txt")), True),
    ("long function line", lambda w: _write(w / "long.py", "def " + "x" * 90 + "():\n"
                                            "    pass\n    return 2\n"), True),
]


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    root = make_repo({"a.py": "A = 1\n", "src/funcs.py": FUNCS, "run.sh": "#!/bin/sh\n",
                      "data.bin": "\x00\x01", "nonl.txt": "no newline", ".gitignore": IGNORE_RULES,
                      "sub/.gitignore": "*.dat\n!important.dat\n",
                      "é t.txt": "x\n", "body.py": BODY,
                      "long.py": "def " + "x" * 90 + "():\n    pass\n"})
    _write(root / ".git" / "info" / "exclude", "*.excluded\n")
    (root / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    (root / "run.sh").chmod(0o755)
    (root / "link").symlink_to("a.py")
    git("add", "--all", cwd=root)
    git("commit", "-qm", "more", cwd=root)
    return Repo(root)


def _tree(repo: Repo, sha: str) -> str:
    return git("rev-parse", f"{sha}^{{tree}}", cwd=repo.root)


def _count_git(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The git subcommands `Worktrees` starts from now on."""
    calls: list[str] = []
    real_git, real_run = worktrees.git, worktrees.run_git

    def counting(*args: str, cwd: Path, input: str | None = None, check: bool = True) -> str:
        calls.append(next(a for a in args if not a.startswith("-") and "=" not in a))
        return real_git(*args, cwd=cwd, input=input, check=check)

    def counting_run(*args: str, cwd: Path, input: str | None = None
                     ) -> subprocess.CompletedProcess[str]:
        calls.append(next(a for a in args if not a.startswith("-") and "=" not in a))
        return real_run(*args, cwd=cwd, input=input)

    monkeypatch.setattr(worktrees, "git", counting)
    monkeypatch.setattr(worktrees, "run_git", counting_run)
    return calls


@pytest.mark.parametrize(("name", "edit", "in_process"), CASES, ids=[c[0] for c in CASES])
def test_in_process_commit_and_change_match_git(repo: Repo, name: str, edit: Edit,
                                                in_process: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    repo.blobs(base)  # the parent's file list is known, as in a run: strays are seen by a walk
    fast_dir, slow_dir = wt.checkout("fast", base), wt.checkout("slow", base)
    edit(fast_dir)
    edit(slow_dir)
    strays = wt.has_strays(fast_dir, base)
    calls = _count_git(monkeypatch)
    fast = wt.commit("fast", f"hone {name}\n\nParent: #0\n")
    # No `git commit`; `git add` only when the worktree holds files its HEAD does not track.
    assert calls == (["add"] if strays else [])
    monkeypatch.undo()
    slow = wt.commit_with_git("slow", f"hone {name}\n\nParent: #0\n")
    assert (fast is None) == (slow is None)
    if fast is None or slow is None:
        assert name in ("ignored file", "nothing")
        return
    assert _tree(repo, fast) == _tree(repo, slow)
    assert git("rev-parse", "HEAD", cwd=fast_dir) == fast  # detached at the new commit
    assert git("rev-parse", f"{fast}^", cwd=repo.root) == base
    assert git("status", "--porcelain", cwd=fast_dir) == ""  # the index agrees with git
    assert (git("log", "-1", "--format=%an <%ae> %cn <%ce>%n%B", fast, cwd=repo.root)
            == "hone <hone@localhost> hone <hone@localhost>\n" + git(
                "log", "-1", "--format=%B", slow, cwd=repo.root))
    expected = repo.change_with_git(base, slow)
    if in_process:
        assert fast_change.change(repo.root, base, slow) == expected
    else:
        with pytest.raises(Unsupported):
            fast_change.change(repo.root, base, slow)
    assert Repo(repo.root).change(base, fast) == expected  # whichever path answers


def test_libgit2_stages_a_worktree_without_new_files_as_git(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    fast_dir, slow_dir = wt.checkout("fast", base), wt.checkout("slow", base)
    for folder in (fast_dir, slow_dir):
        _write(folder / "src/funcs.py", "changed\n")
        _remove(folder / "a.py")
        _chmod(folder / "nonl.txt", 0o755)
        _link(folder / "link", "nonl.txt")
    fast = fast_commit.commit(fast_dir, base, "m", False)  # add_all in-process
    slow = wt.commit_with_git("slow", "m")
    assert fast and slow and _tree(repo, fast) == _tree(repo, slow)
    assert git("status", "--porcelain", cwd=fast_dir) == ""


def test_a_name_that_is_not_utf8(repo: Repo) -> None:
    if sys.platform == "darwin":
        pytest.skip("the file system wants UTF-8 names")
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    fast_dir, slow_dir = wt.checkout("fast", base), wt.checkout("slow", base)
    for folder in (fast_dir, slow_dir):
        _write(folder / ODD, "latin-1 name\n")
    fast = wt.commit("fast", "odd name")
    slow = wt.commit_with_git("slow", "odd name")
    assert fast and slow and _tree(repo, fast) == _tree(repo, slow)
    # (not repo.blobs(fast): git.py decodes `git ls-tree` as UTF-8 and fails on this name)
    for folder in (fast_dir, slow_dir):
        _write(folder / ODD, "edited\n")
    fast = fast_commit.commit(fast_dir, fast, "edit", False)  # staged by libgit2
    slow = wt.commit_with_git("slow", "edit")
    assert fast and slow and _tree(repo, fast) == _tree(repo, slow)
    with pytest.raises(Unsupported):  # git's output would not decode: git.py's own answer
        fast_change.change(repo.root, base, fast)


def test_message_cleanup_matches_git(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    message = "\n  \nhone r #1: idea  \t\n\n\n\nParent: #0   \nMutator: llm\n\n  \n"
    for slot in ("fast", "slow"):
        _write(wt.checkout(slot, base) / "a.py", "A = 5\n")
    fast = fast_commit.commit(wt.path("fast"), base, message, False)
    slow = wt.commit_with_git("slow", message)
    assert fast and slow
    body = [git("cat-file", "commit", sha, cwd=repo.root).split("\n\n", 1)[1]
            for sha in (fast, slow)]
    assert body[0] == body[1] == "hone r #1: idea\n\nParent: #0\nMutator: llm"


def test_allowed_empty_commits_the_same_tree(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    wt.checkout("s", base)
    sha = wt.commit("s", "empty", allowed_empty=True)
    assert sha and sha != base and _tree(repo, sha) == _tree(repo, base)
    assert wt.head("s") == sha


def test_a_filter_attribute_makes_hone_commit_with_git(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    path = wt.checkout("s", repo.head())
    _write(path / ".gitattributes", "*.dat filter=lfs diff=lfs\n")
    _write(path / "x.dat", "big\n")
    first = wt.commit("s", "lfs")  # new files: staged by `git add`
    assert first and git("show", f"{first}:x.dat", cwd=repo.root) == "big"
    repo.blobs(first)
    _write(path / "x.dat", "bigger\n")  # a tracked file with a filter: not libgit2's to stage
    with pytest.raises(Unsupported, match="filter"):
        fast_commit.commit(path, first, "lfs", False)
    sha = wt.commit("s", "lfs")
    assert sha and git("show", f"{sha}:x.dat", cwd=repo.root) == "bigger"
    assert git("status", "--porcelain", cwd=path) == ""


def test_a_text_attribute_makes_hone_commit_with_git(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    path = wt.checkout("s", repo.head())
    _write(path / ".gitattributes", "*.txt text eol=lf\n")
    _write(path / "w.txt", b"a\r\nb\r\n")
    first = wt.commit("s", "crlf")
    assert first and git("cat-file", "-p", f"{first}:w.txt", cwd=repo.root) == "a\nb"
    repo.blobs(first)
    _write(path / "w.txt", b"a\r\nc\r\n")
    with pytest.raises(Unsupported, match="text"):
        fast_commit.commit(path, first, "crlf", False)
    sha = wt.commit("s", "crlf")  # by git, which converts
    assert sha and git("cat-file", "-p", f"{sha}:w.txt", cwd=repo.root) == "a\nc"
    assert wt.commit_with_git("s", "again") is None


def test_a_diff_attribute_makes_hone_diff_with_git(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    _write(repo.root / ".git" / "info" / "attributes", "*.py -diff\n")
    _write(wt.checkout("s", base) / "a.py", "A = 7\n")
    sha = wt.commit("s", "binary by attribute")
    assert sha
    with pytest.raises(Unsupported, match="diff attribute"):
        fast_change.change(repo.root, base, sha)
    change = Repo(repo.root).change(base, sha)
    assert change == repo.change_with_git(base, sha) and "Binary files" in change.patch


def test_without_pygit2_hone_uses_git(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygit2", None)  # `import pygit2` raises ImportError
    monkeypatch.setattr(libgit, "_loaded", None)
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("s", base)
    _write(path / "a.py", "A = 9\n")
    with pytest.raises(Unsupported, match="pygit2"):
        fast_commit.commit(path, base, "no pygit2", False)
    sha = wt.commit("s", "no pygit2")
    assert sha and git("show", f"{sha}:a.py", cwd=repo.root) == "A = 9"
    assert Repo(repo.root).change(base, sha).paths == ("a.py",)
    assert wt.commit("s", "unchanged") is None


def test_a_setting_made_during_a_run_hands_the_next_commit_to_git(repo: Repo) -> None:
    """The configuration check is remembered per worktree only while its files are unchanged:
    `core.autocrlf` set after a first in-process commit sends the next one to git."""
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("s", base)
    _write(path / "a.py", "A = 5\n")
    first = fast_commit.commit(path, base, "in-process", False)
    assert first is not None
    git("config", "core.autocrlf", "true", cwd=repo.root)
    _write(path / "a.py", "A = 6\n")
    with pytest.raises(Unsupported, match="autocrlf"):
        fast_commit.commit(path, first, "after the setting", False)
    git("config", "--unset", "core.autocrlf", cwd=repo.root)
    assert fast_commit.commit(path, first, "setting gone", False) is not None


def test_a_merge_in_progress_is_committed_by_git_with_both_parents(repo: Repo) -> None:
    """A merge attempt (strategies/merge.py) leaves MERGE_HEAD for the commit to take as its
    second parent: libgit2's commit would drop it, so git commits."""
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    side = wt.checkout("side", base)
    _write(side / "a.py", "A = 3\n")
    theirs = wt.commit("side", "theirs")
    ours_path = wt.checkout("s", base)
    _write(ours_path / "body.py", BODY + "d = 4\n")
    ours = wt.commit("s", "ours")
    assert theirs and ours
    git("merge", "--no-ff", "--no-commit", "--no-edit", theirs, cwd=ours_path)
    with pytest.raises(Unsupported, match="MERGE_HEAD"):
        fast_commit.commit(ours_path, ours, "merge", False)
    merged = wt.commit("s", "merge")
    assert merged is not None
    parents = git("rev-list", "--parents", "-n", "1", merged, cwd=repo.root).split()[1:]
    assert parents == [ours, theirs]


def test_object_ids_abbreviate_as_git_does_in_a_big_repository(tmp_path: Path) -> None:
    # 2**14 packed objects: git's `index` lines grow to 8 hex digits (find_unique_abbrev_r).
    root = tmp_path / "big"
    root.mkdir()
    git("init", "-q", cwd=root)
    stream = [b"commit refs/heads/main\ncommitter a <b> 0 +0000\ndata 1\nx\n"]
    stream += [b"M 100644 inline f%d\ndata %d\n%d\n\n" % (i, len(b"%d" % i) + 1, i)
               for i in range(1 << 14)]
    stream.append(b"commit refs/heads/main\ncommitter a <b> 1 +0000\ndata 1\ny\n"
                  b"M 100644 inline f7\ndata 8\nchanged\n\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream),
                   check=True)
    repo = Repo(root)
    old, new = git("rev-parse", "main~", "main", cwd=root).split()
    change = fast_change.change(root, old, new)
    assert change == repo.change_with_git(old, new)
    assert len(change.patch.splitlines()[1].split()[1].split("..")[0]) == 8


def test_random_edits_diff_as_git_does(repo: Repo) -> None:
    # Lines that repeat, blank lines and indentation: where xdiff's heuristics slide hunks.
    vocabulary = ["", "}", "def f():", "    return x", "    x = 1", "{", "if x:", "        pass",
                  "# note", "x"]
    rng = random.Random(7)
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("s", base)
    lines = [rng.choice(vocabulary) for _ in range(60)]
    _write(path / "r.py", "\n".join(lines) + "\n")
    old = wt.commit_with_git("s", "random base")
    assert old
    for step in range(25):
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(lines) + 1)
            if rng.random() < 0.4 and at < len(lines):
                del lines[at:at + rng.randint(1, 3)]
            else:
                lines[at:at] = [rng.choice(vocabulary) for _ in range(rng.randint(1, 4))]
        _write(path / "r.py", "\n".join(lines) + ("\n" if step % 5 else ""))
        new = wt.commit_with_git("s", f"random {step}")
        if new is None:
            continue
        assert fast_change.change(repo.root, old, new) == repo.change_with_git(old, new)
        old = new


def test_head_moves_in_place_and_git_reads_it(repo: Repo) -> None:
    wt = Worktrees(repo, repo.root / ".hone" / "worktrees")
    base = repo.head()
    path = wt.checkout("s", base)
    gitdir = Path(git("rev-parse", "--git-dir", cwd=path))
    gitdir = gitdir if gitdir.is_absolute() else path / gitdir
    inode = os.stat(gitdir / "HEAD").st_ino
    _write(path / "a.py", "A = 7\n")
    sha = fast_commit.commit(path, base, "seven", False)
    assert sha and git("rev-parse", "HEAD", cwd=path) == sha
    assert os.stat(gitdir / "HEAD").st_ino == inode  # overwritten, not replaced
    assert git("status", "--porcelain", cwd=path) == ""
    # A lock file held by someone else: HEAD is left to libgit2, which refuses it.
    (gitdir / "HEAD.lock").write_text("")
    _write(path / "a.py", "A = 8\n")
    with pytest.raises(Unsupported):
        fast_commit.commit(path, sha, "eight", False)
    assert git("rev-parse", "HEAD", cwd=path) == sha


def test_head_holding_another_commit_is_not_overwritten(tmp_path: Path) -> None:
    head = tmp_path / "HEAD"
    head.write_text("a" * 40 + "\n")
    assert not fast_commit._move_head(str(tmp_path), "b" * 40, "c" * 40)
    assert head.read_text() == "a" * 40 + "\n"
    assert fast_commit._move_head(str(tmp_path), "a" * 40, "c" * 40)
    assert head.read_text() == "c" * 40 + "\n"
