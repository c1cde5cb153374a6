"""`resolved` answers as `Path.resolve` does, for paths that exist and paths that do not."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hone.resolve import resolved


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "real" / "deep").mkdir(parents=True)
    (tmp_path / "real" / "deep" / "f.txt").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "real" / "deep")  # absolute
    (tmp_path / "real" / "up").symlink_to("..")  # relative, upwards
    (tmp_path / "chain").symlink_to("link")  # a link to a link
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to("loop")
    return tmp_path


@pytest.mark.parametrize("rel", [
    "real", "real/deep/f.txt", "link", "link/f.txt", "chain/f.txt", "link/..",
    "real/up/real/deep", "real/deep/../up", "missing", "missing/x/../y", "link/missing",
    "dangling", "dangling/x", "chain/../real",
])
def test_resolved_agrees_with_path_resolve(tree: Path, rel: str) -> None:
    path = tree / rel
    assert resolved(path) == path.resolve()


def test_a_relative_path_is_made_absolute_from_the_working_folder(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree / "link")
    assert resolved(Path("f.txt")) == Path("f.txt").resolve() == tree / "real/deep/f.txt"


def test_a_symlink_loop_ends_as_path_resolve_ends(tree: Path) -> None:
    for path in (tree / "loop", tree / "loop" / "x"):
        assert _outcome(resolved, path) == _outcome(Path.resolve, path)


def _outcome(resolve: Callable[[Path], Path], path: Path) -> object:
    """The answer, or the type of the error."""
    try:
        return resolve(path)
    except Exception as exc:  # the type is what is compared
        return type(exc)


def test_no_file_descriptor_is_left_open(tree: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        resolved(tree / "link" / "f.txt")
        resolved(tree / "missing")
    assert len(os.listdir("/proc/self/fd")) == before
