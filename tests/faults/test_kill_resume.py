"""`hone run`, `hone tell` and `hone ask` killed with SIGKILL at 33 points, each resumed: no
attempt lost, duplicated or stuck, refs and journal agree, the baseline measured (harness.py).

The points, in the order a fresh `hone run --attempts 2` reaches them: inside each journal
write of the baseline and of an attempt (`journal:<write>:N`), just after a ref was written
(`git:update-ref:N`), around a worktree's commit (`git:commit:N`, `git:committed:N`: made
in-process or by git) and after a diff (`git:diffed:N`), and at git calls of the loop through
the shim (`git=<cmd>:N[:after]`).
A few run in the quick suite; the rest are marked slow (CI runs both).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import git, run_hone
from tests.faults.harness import Fault, check_consistent, killed, make_project

QUICK = {
    "journal:add_measurement:2",  # inside the baseline
    "git:update-ref:3",           # attempt #1's ref written, the journal not told
    "git:committed:1",            # attempt #1 committed, not recorded
    "journal:put_attempt:4",      # inside the journal write of attempt #1's decision
}
RUN_POINTS = [
    # the baseline
    "journal:create_run:1", "journal:put_attempt:1",
    "journal:add_measurement:1", "journal:add_measurement:2", "journal:add_measurement:3",
    "journal:update_run:1", "journal:put_attempt:2", "git:update-ref:1", "git:update-ref:2",
    "git=checkout:1", "git=checkout:1:after",
    # attempt #1: open, commit, ref, record, measure, decide, champion
    "journal:add_attempt:1", "git:commit:1", "git:committed:1",
    "git:update-ref:3", "journal:put_attempt:3", "journal:add_measurement:4",
    "journal:put_attempt:4", "journal:update_run:2", "git:update-ref:4",
    # attempt #2 and the end of the run
    "journal:add_attempt:2", "git:diffed:2", "journal:put_attempt:5",
    "journal:add_measurement:6", "git=*:10",
]
TELL_POINTS = ["git:commit:1", "git:committed:1", "git:update-ref:1",
               "journal:put_attempt:1", "journal:put_attempt:2", "journal:update_run:1",
               "git:update-ref:2"]


def _marks(point: str) -> list[pytest.MarkDecorator]:
    return [] if point in QUICK else [pytest.mark.slow]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One repository for every case; each case is its own run (runs share nothing but it)."""
    return make_project(tmp_path_factory.mktemp("faults") / "repo")


def _run_name(prefix: str, point: str) -> str:
    return prefix + "-" + re.sub(r"[^a-z0-9]+", "-", point.lower()).strip("-")


@pytest.mark.parametrize("point", [pytest.param(p, marks=_marks(p)) for p in RUN_POINTS])
def test_run_killed_and_resumed(project: Path, tmp_path: Path, point: str) -> None:
    run = _run_name("run", point)
    args = ("run", "--run", run, "--attempts", "2")
    killed(*args, cwd=project, fault=Fault(point), scratch=tmp_path)
    resumed = run_hone(*args, cwd=project)
    assert resumed.returncode == 0, resumed.stderr
    check_consistent(project, run, attempts_budget=2)


@pytest.mark.parametrize("point", [pytest.param(p, marks=[] if p == "journal:put_attempt:2"
                                                else [pytest.mark.slow]) for p in TELL_POINTS])
def test_tell_killed_and_told_again(project: Path, tmp_path: Path, point: str) -> None:
    """The same change is verified when `tell` is repeated after a crash: never "the proposal
    changed nothing", never "already told"."""
    run = _run_name("tell", point)
    asked = run_hone("ask", "--json", "--run", run, cwd=project)
    assert asked.returncode == 0, asked.stderr
    out = json.loads(asked.stdout)
    workdir = Path(out["workdir"])
    (workdir / "knob.py").write_text("KNOB = 9  # hone: tune\n")
    tell = ("tell", str(out["id"]), "--hypothesis", "nine", "--json", "--run", run)
    killed(*tell, cwd=project, fault=Fault(point), scratch=tmp_path)
    again = run_hone(*tell, cwd=project)
    assert again.returncode == 0, again.stderr
    told = json.loads(again.stdout)
    assert told["status"] == "kept" and told["score"] == 7, told  # 1 + |9 - 3|
    best = git("show", f"refs/hone/{run}/best:knob.py", cwd=project)
    assert best.startswith("KNOB = 9"), best
    check_consistent(project, run, attempts_budget=None)


@pytest.mark.slow
def test_an_ask_killed_before_its_worktree_is_not_left_running(project: Path,
                                                               tmp_path: Path) -> None:
    """Nobody can tell an attempt whose ask died before making its worktree: the next start
    records it as interrupted instead of leaving it pending for ever."""
    run = "ask-killed"
    assert run_hone("run", "--run", run, "--attempts", "0", cwd=project).returncode == 0
    killed("ask", "--json", "--run", run, cwd=project, fault=Fault("git=worktree:1"),
           scratch=tmp_path)
    resumed = run_hone("run", "--run", run, "--attempts", "2", cwd=project)
    assert resumed.returncode == 0, resumed.stderr
    check_consistent(project, run, attempts_budget=2)
