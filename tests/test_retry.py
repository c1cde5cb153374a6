"""Flaky gates and timeouts: `[[gates]] retries`, `hone retry ID`, and duplicates of a change
whose failure may have been the machine's. Driven in-process through `hone.cli.main`, with
ask/tell as the proposer; the gates' outcomes follow a plan kept outside the worktree."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.loop.workspace import Workspace
from hone.records import Attempt, GateFlake, Lineage, Status
from hone.strategies.novelty import TRIES, find_duplicate
from hone.verify.retries import settled
from tests.conftest import KNOB_PROJECT, MakeRepo, git

# Each run of the gate takes the next outcome of its plan (`pass` or `fail`; past the end:
# pass) and counts itself in a file outside the worktree. The baseline's gate is run 0.
GATE = """\
import pathlib, sys
count = pathlib.Path(sys.argv[1])
n = int(count.read_text()) if count.exists() else 0
count.write_text(str(n + 1))
plan = sys.argv[2].split(",")
sys.exit(1 if n < len(plan) and plan[n] == "fail" else 0)
"""


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def project(make_repo: MakeRepo, tmp_path: Path, gate: str, retries: int,
            timeout: float = 600) -> Path:
    """The knob project with one gate (`gate`, a shell command) and no sandbox, so that the
    gate may keep its count outside the worktree."""
    config = (f'[objective]\nrun = "python3 score.py"\n\n[[gates]]\nname = "tests"\n'
              f"run = {json.dumps(gate)}\nretries = {retries}\ntimeout = {timeout}\n\n"
              '[files]\neditable = ["knob.py"]\n\n[sandbox]\nenabled = false\n')
    return make_repo({**KNOB_PROJECT, "hone.toml": config})


def planned_gate(tmp_path: Path, plan: str) -> str:
    script = tmp_path / "gate.py"
    script.write_text(GATE)
    return f"{sys.executable} {script} {tmp_path / 'count'} {plan}"


def attempt(capsys: pytest.CaptureFixture[str], root: Path, knob: int) -> dict[str, Any]:
    """Ask, set the knob, tell: the told attempt's JSON."""
    code, out, err = hone(capsys, "ask", "--json", "-C", str(root))
    assert code == 0, err
    asked = json.loads(out)
    (Path(asked["workdir"]) / "knob.py").write_text(f"KNOB = {knob}  # hone: tune\n")
    code, out, err = hone(capsys, "tell", str(asked["id"]), "--hypothesis", f"knob {knob}",
                          "--json", "-C", str(root))
    assert code == 0, err
    told: dict[str, Any] = json.loads(out)
    return told


def shown(capsys: pytest.CaptureFixture[str], root: Path, attempt_id: int) -> dict[str, Any]:
    code, out, err = hone(capsys, "show", str(attempt_id), "--json", "-C", str(root))
    assert code == 0, err
    view: dict[str, Any] = json.loads(out)
    return view


def test_settling_a_gate() -> None:
    assert settled([True], 2) is True
    assert settled([False], 0) is False
    assert settled([False], 1) is None
    assert settled([False, False], 1) is False
    assert settled([False, True], 1) is None  # passed after a failure: must pass again
    assert settled([False, True, True], 1) is True
    assert settled([False, True, False], 2) is False  # flaky: passed 1 of 3
    assert settled([False, False, True, True], 2) is None
    assert settled([False, False, True, True, True], 2) is True


@pytest.mark.slow  # real verified attempts through the CLI
@pytest.mark.parametrize(("plan", "status", "flake"), [
    ("pass,fail", "discarded", "passed 2 of 3 runs"),  # fails once, then passes twice
    ("pass,fail,pass,fail", "failed", "passed 1 of 3 runs"),  # the repeat fails
])
def test_a_gate_that_passes_after_a_failure_must_pass_again(
        make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        plan: str, status: str, flake: str) -> None:
    root = project(make_repo, tmp_path, planned_gate(tmp_path, plan), retries=1)
    told = attempt(capsys, root, 2)  # a worse knob: passing its gate, it is discarded
    assert told["status"] == status
    assert (tmp_path / "count").read_text() == "4"  # the baseline's run, then three
    view = shown(capsys, root, 1)
    assert view["flags"] == [f"flaky gate tests: {flake}"]
    assert view["extra"]["flaky_gates"][0]["gate"] == "tests"
    assert any(log.endswith("gate_tests_run3.out") for log in view["logs"]), view["logs"]
    if status == "failed":
        assert view["stage"] == "gate:tests" and "is flaky: passed 1 of 3" in view["reason"]
    code, out, _ = hone(capsys, "status", "--columns", "id,status,flags", "-C", str(root))
    assert code == 0 and out.splitlines()[-1].split() == ["1", status, "flaky:tests"]


@pytest.mark.slow  # real verified attempts through the CLI
def test_a_gate_that_fails_every_second_run_fails(
        make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo, tmp_path, planned_gate(tmp_path, ",".join(["pass", "fail"] * 5)),
                   retries=2)
    told = attempt(capsys, root, 2)
    assert told["status"] == "failed"
    view = shown(capsys, root, 1)
    assert view["stage"] == "gate:tests" and "passed 1 of 3 runs" in view["reason"]
    assert view["flags"] == ["flaky gate tests: passed 1 of 3 runs"]
    # Seen to be flaky on this code, it is no machine's fault: the same change is a duplicate.
    assert attempt(capsys, root, 2)["status"] == "duplicate"


@pytest.mark.slow  # real verified attempts through the CLI
def test_retry_verifies_a_gate_failure_again_and_records_the_link(
        make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo, tmp_path, planned_gate(tmp_path, "pass,fail"), retries=0)
    assert attempt(capsys, root, 5)["status"] == "failed"
    code, out, err = hone(capsys, "retry", "1", "--json", "-C", str(root))
    assert code == 0, err
    retried = json.loads(out)
    assert (retried["id"], retried["retry_of"], retried["status"]) == (2, 1, "kept")
    view = shown(capsys, root, 2)
    assert view["extra"]["retry_of"] == 1 and "retry of #1" in view["flags"]
    assert view["hypothesis"] == "knob 5" and view["parent"] == 0
    one = shown(capsys, root, 1)
    assert git("rev-parse", f"{view['commit']}^{{tree}}", cwd=root) == \
        git("rev-parse", f"{one['commit']}^{{tree}}", cwd=root)
    status = json.loads(hone(capsys, "status", "--json", "-C", str(root))[1])
    assert [a["retry_of"] for a in status["attempts"]] == [None, None, 1]
    assert status["champion"]["id"] == 2

    # Kept, or the baseline: nothing to retry; one line, exit 2.
    for done in ("2", "0"):
        code, out, err = hone(capsys, "retry", done, "-C", str(root))
        assert code == 2 and len(err.strip().splitlines()) == 1 and "retried" in err, err
    assert not (Workspace.open(root).worktrees("main").base / "retry-main").exists()
    code, _, err = hone(capsys, "retry", "1", "--run", "other", "-C", str(root))
    assert code == 1 and "no run named 'other'" in err  # and no such run was started
    assert [r["name"] for r in json.loads(hone(capsys, "runs", "--json", "-C", str(root))[1])
            ["runs"]] == ["main"]

    # While another hone process holds the run, a retry says so and waits for no one.
    with Workspace.open(root).lock("main"):
        code, _, err = hone(capsys, "retry", "1", "-C", str(root))
    assert code == 2 and err.count("\n") == 1 and "is in use by pid" in err


@pytest.mark.slow  # real verified attempts through the CLI
def test_a_duplicate_of_a_timed_out_attempt_is_verified_again(
        make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gate = "if grep -q 'KNOB = 7' knob.py; then sleep 60; fi"
    root = project(make_repo, tmp_path, gate, retries=0, timeout=3)
    assert attempt(capsys, root, 7)["status"] == "failed"
    assert shown(capsys, root, 1)["stage"] == "timeout"
    assert attempt(capsys, root, 7)["status"] == "failed"  # verified again: no duplicate
    assert shown(capsys, root, 2)["stage"] == "timeout"
    # A worse score is the candidate's own: its repeat is a duplicate.
    assert attempt(capsys, root, 2)["status"] == "discarded"
    assert attempt(capsys, root, 2)["status"] == "duplicate"


def _attempt(i: int, status: Status, stage: str = "", key: str = "k",
             flakes: tuple[GateFlake, ...] = ()) -> Attempt:
    return Attempt("r", i, 0, f"c{i}", status, stage=stage, flakes=flakes,
                   lineage=Lineage(key, f"t{i}"))


@pytest.mark.parametrize(("earlier", "duplicate"), [
    (_attempt(1, Status.FAILED, "gate:tests"), False),
    (_attempt(1, Status.FAILED, "timeout"), False),
    (_attempt(1, Status.FAILED, "objective"), True),  # the candidate's own crash
    (_attempt(1, Status.DISCARDED), True),
    (_attempt(1, Status.FAILED, "gate:tests", flakes=(GateFlake("tests", 1, 3),)), True),
    (_attempt(1, Status.FAILED, "gate:lint", flakes=(GateFlake("tests", 2, 3),)), False),
])
def test_which_failures_let_a_change_be_verified_again(earlier: Attempt,
                                                       duplicate: bool) -> None:
    new = _attempt(9, Status.RUNNING)
    found = find_duplicate([_attempt(0, Status.BASELINE, key="b"), earlier], new, "k", "tx")
    assert (found is earlier) if duplicate else found is None


def test_a_change_is_tried_at_most_tries_times() -> None:
    history = [_attempt(i, Status.FAILED, "timeout") for i in range(1, TRIES + 1)]
    new = _attempt(9, Status.RUNNING)
    assert find_duplicate(history[:-1], new, "k", "tx") is None
    assert find_duplicate(history, new, "k", "tx") is history[-1]
