"""Shared fixtures: throwaway git repositories and the `hone` CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

GIT_ENV = {"GIT_AUTHOR_NAME": "user", "GIT_AUTHOR_EMAIL": "user@example.com",
           "GIT_COMMITTER_NAME": "user", "GIT_COMMITTER_EMAIL": "user@example.com"}

MakeRepo = Callable[..., Path]
Hone = Callable[..., subprocess.CompletedProcess[str]]


def git(*args: str, cwd: Path) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                         env={**os.environ, **GIT_ENV})
    return out.stdout.strip()


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """`make_repo(files, name="repo")`: a git repository with `files` in one commit."""

    def make(files: dict[str, str], name: str = "repo") -> Path:
        root = tmp_path / name
        root.mkdir()
        git("init", "-q", "-b", "main", cwd=root)
        write_files(root, files)
        git("add", ".", cwd=root)
        git("commit", "-qm", "initial", cwd=root)
        return root

    return make


def sigint_default() -> None:
    """`preexec_fn` for children the tests Ctrl-C: a shell's background job (`make test &`)
    passes SIGINT on ignored, and Python would keep it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_hone(*args: str, cwd: Path, env: dict[str, str] | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m hone ARGS` in `cwd` and capture its output."""
    return subprocess.run([sys.executable, "-m", "hone", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture
def hone() -> Hone:
    return run_hone


def require_tool(name: str) -> str:
    """The tool's path; skip locally when missing, fail in CI (which must install it)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make sysdeps installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


# A tiny project whose score improves when the classic mutator tunes KNOB upwards.
KNOB_PROJECT = {
    "knob.py": "KNOB = 3  # hone: tune\n",
    "score.py": "from knob import KNOB\nprint(f'score: {min(KNOB, 20)}')\n",
    "test_knob.py": "from knob import KNOB\nassert isinstance(KNOB, int)\n",
}
