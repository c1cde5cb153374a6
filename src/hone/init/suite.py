"""The test suite of a repository, and the files that decide what it runs.

A gate that runs the tests is only as good as the tests: a proposer that may edit a test, a
`conftest.py` or pytest's options (`addopts = --co` collects and runs nothing) passes any gate.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from hone.init.commands import simple_commands

TEST_FOLDERS = ("tests", "test", "testing")
TEST_FILES = ("test_*.py", "*_test.py")
# Where pytest reads its options (first found wins), and its hooks.
PYTEST_CONFIG = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


@dataclass(frozen=True)
class Suite:
    """What to protect of the test suite: folders (`tests/`), file-name patterns, config."""

    folders: tuple[str, ...]
    file_patterns: tuple[str, ...]
    config: tuple[str, ...]
    pytest: bool  # a gate runs pytest


def runs_pytest(commands: Iterable[str]) -> bool:
    """Whether one of `commands` runs pytest (`pytest`, `py.test`, `python -m pytest`)."""
    for command in commands:
        for words in simple_commands(command):
            program = PurePosixPath(words[0]).name
            if program in ("pytest", "py.test") or (
                    "-m" in words and words[words.index("-m") + 1:][:1] == ["pytest"]):
                return True
    return False


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatch(name, p) for p in TEST_FILES)


def find_suite(tracked: Sequence[str], gates: Iterable[str]) -> Suite | None:
    """The test suite of the tracked files, or None when there are no tests and no gate runs
    pytest. A test file inside a folder named tests/test/testing gives its outermost such
    folder; one elsewhere is covered by the file-name patterns."""
    pytest = runs_pytest(gates)
    folders: list[str] = []
    python = pytest  # pytest's files and settings matter: a gate runs it, or Python tests
    for path in tracked:
        parts = path.split("/")
        folder = next((i for i, part in enumerate(parts[:-1]) if part in TEST_FOLDERS), None)
        if folder is not None:
            pattern = "/".join(parts[:folder + 1]) + "/"
            if pattern not in folders and not any(pattern.startswith(f) for f in folders):
                folders.append(pattern)
        python = python or is_test_file(path) or PurePosixPath(path).name == "conftest.py"
    if not folders and not python:
        return None
    if not python:  # tests in another language: their folders only
        return Suite(tuple(folders), (), (), False)
    return Suite(tuple(folders), TEST_FILES, ("conftest.py", *PYTEST_CONFIG), pytest)
