"""A finished real run (classic mutator on the knob project) shared by the report tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, KNOB_PROJECT, git, run_hone, write_files

# A second knob that the gate rejects above 5, so the run has failed attempts too.
PROJECT = {
    **KNOB_PROJECT,
    "other.py": "OTHER = 2  # hone: tune\n",
    "test_knob.py": "from knob import KNOB\nfrom other import OTHER\n"
                    "assert isinstance(KNOB, int)\nassert OTHER <= 5, f'OTHER={OTHER} too big'\n"
                    "print('knobs ok')\n",
}


def make_project(root: Path, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_files(root, files or PROJECT)
    git("add", ".", cwd=root)
    git("commit", "-qm", "initial", cwd=root)
    return root


@pytest.fixture(scope="package")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository with a run of 14 attempts: kept, discarded and failed ones."""
    os.environ.update({k: v for k, v in GIT_ENV.items() if k not in os.environ})
    root = make_project(tmp_path_factory.mktemp("report") / "repo")
    res = run_hone("init", "--objective", "python3 score.py", "--gate", "python3 test_knob.py",
                   cwd=root)
    assert res.returncode == 0, res.stderr
    res = run_hone("run", "--attempts", "14", cwd=root)
    assert res.returncode == 0, res.stderr
    yield root
