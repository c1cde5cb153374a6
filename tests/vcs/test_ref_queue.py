"""Ref writes off the loop's path: in order, waited for by `flush`, failures not lost."""

from __future__ import annotations

import threading

import pytest

from hone.vcs.git import GitError, Repo
from hone.vcs.ref_queue import RefQueue
from tests.conftest import MakeRepo, git


def test_writes_run_in_the_order_they_were_put_and_flush_waits_for_them() -> None:
    done: list[str] = []
    gate = threading.Event()

    def write(ref: str, sha: str) -> None:
        gate.wait(5)  # the first write is slow: the later ones must still come after it
        done.append(sha)

    queue = RefQueue(write)
    for n in range(5):
        queue.put("refs/hone/r/best", str(n))
    assert done == []  # put does not wait
    gate.set()
    queue.flush()
    assert done == ["0", "1", "2", "3", "4"]


def test_a_failed_write_is_raised_once_by_the_next_flush_or_put() -> None:
    finished = threading.Event()

    def write(ref: str, sha: str) -> None:
        try:
            if sha == "bad":
                raise GitError(f"cannot write {ref}")
        finally:
            finished.set()

    queue = RefQueue(write)
    queue.put("refs/hone/r/best", "bad")
    with pytest.raises(GitError, match="cannot write"):
        queue.flush()
    queue.flush()  # raised once
    finished.clear()
    queue.put("refs/hone/r/best", "bad")
    assert finished.wait(5)
    for _ in range(100):  # `finished` is set just before the future is
        try:
            queue.put("refs/hone/r/best", "good")
        except GitError:
            break
        threading.Event().wait(0.01)
    else:
        pytest.fail("put never raised the failed write")
    queue.flush()


def test_repo_set_ref_soon_points_the_ref_once_flushed(make_repo: MakeRepo) -> None:
    root = make_repo({"a.txt": "a\n"})
    first = git("rev-parse", "HEAD", cwd=root)
    (root / "a.txt").write_text("b\n")
    git("commit", "-qam", "two", cwd=root)
    second = git("rev-parse", "HEAD", cwd=root)
    repo = Repo(root)
    for sha in (second, first, second, first):
        repo.set_ref_soon("refs/hone/r/best", sha)
    repo.flush_refs()
    assert git("rev-parse", "refs/hone/r/best", cwd=root) == first
