"""Duplicate changes and near-duplicate hypotheses, on a real git repository."""

from __future__ import annotations

from pathlib import Path

from hone.records import Attempt, Lineage, Status
from hone.strategies.novelty import diff_key, find_duplicate, patch_key
from hone.vcs.git import Repo
from tests.conftest import MakeRepo, git


def commit(root: Path, rel: str, text: str, base: str) -> str:
    git("checkout", "-q", "--detach", base, cwd=root)
    (root / rel).write_text(text)
    git("commit", "-qam", "x", cwd=root)
    return git("rev-parse", "HEAD", cwd=root)


def test_diff_key_ignores_whitespace_and_position_but_not_content(make_repo: MakeRepo) -> None:
    root = make_repo({"f.py": "a = 1\nb = 2\nc = 3\n"})
    repo, base = Repo(root), git("rev-parse", "HEAD", cwd=root)
    one = commit(root, "f.py", "a = 1\nb = 5\nc = 3\n", base)
    spaced = commit(root, "f.py", "a = 1\nb  =  5\nc = 3\n", base)
    other = commit(root, "f.py", "a = 1\nb = 6\nc = 3\n", base)
    shifted_base = commit(root, "f.py", "# header\n\na = 1\nb = 2\nc = 3\n", base)
    shifted = commit(root, "f.py", "# header\n\na = 1\nb = 5\nc = 3\n", shifted_base)
    key = diff_key(repo, base, one)
    assert diff_key(repo, base, spaced) == key
    assert diff_key(repo, shifted_base, shifted) == key  # same edit at another line number
    assert diff_key(repo, base, other) != key


def test_diff_key_matches_keys_made_from_a_plain_zero_context_diff(make_repo: MakeRepo) -> None:
    """Keys in journals written before came from their own `git diff -U0`: the key read from
    `Repo.change` must equal it, for edits, new, deleted and oddly named files."""
    root = make_repo({"f.py": "a = 1\nb = 2\n", "gone.txt": "x\n", "d/é s.py": "k = 1\n"})
    base = git("rev-parse", "HEAD", cwd=root)
    (root / "f.py").write_text("a = 1\n\nb  =  3\n")
    (root / "new file.py").write_text("n = 1\n")
    (root / "d/é s.py").write_text("k = 2\n")
    (root / "gone.txt").unlink()
    git("add", "--all", cwd=root)
    git("commit", "-qm", "x", cwd=root)
    head = git("rev-parse", "HEAD", cwd=root)
    plain = git("diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", base, head,
                cwd=root)
    assert "+++ " in plain and "--- " in plain
    assert diff_key(Repo(root), base, head) == patch_key(plain)
    assert diff_key(Repo(root), base, head) != diff_key(Repo(root), head, base)


def att(i: int, status: Status, stage: str = "", parent2: int | None = None, diff_key: str = "",
        tree: str = "") -> Attempt:
    return Attempt("r", i, 0, f"c{i}", status, stage=stage, parent2=parent2,
                   hypothesis=f"idea {i}", lineage=Lineage(diff_key, tree))


def test_only_evaluated_attempts_make_a_duplicate() -> None:
    history = [att(0, Status.BASELINE, tree="t0"),
               att(1, Status.FAILED, stage="interrupted", diff_key="k1", tree="t1"),
               att(2, Status.FAILED, stage="tests", diff_key="k2", tree="t2"),
               att(3, Status.DISCARDED, diff_key="k3", tree="t3")]
    new = att(4, Status.RUNNING)
    assert find_duplicate(history, new, "k1", "tx") is None  # interrupted: evaluate it again
    assert find_duplicate(history, new, "k2", "tx") == history[2]  # failed its gate
    assert find_duplicate(history, new, "kx", "t0") == history[0]  # the same code as #0
    merge = att(4, Status.RUNNING, parent2=2)
    assert find_duplicate(history, merge, "k3", "tx") is None  # merges compare code only
