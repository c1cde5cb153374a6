"""`hone check` and `hone init --check`: gates and objective once on HEAD through the run's
verifier and executor, one line per stage, the output tail and log path of a failed stage, no
run in the journal. In-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hone.loop.workspace import Workspace
from tests.conftest import KNOB_PROJECT, MakeRepo
from tests.test_init_explain import hone

GATE = "python3 test_knob.py"


def test_init_check_passes_on_a_good_repository(make_repo: MakeRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(KNOB_PROJECT)
    code, out, err = hone(capsys, "init", "--objective", "python3 score.py", "--gate", GATE,
                          "--check", "-C", str(root))
    assert code == 0, out + err
    lines = out.splitlines()
    assert any(line.startswith("pass gate:gate1") for line in lines), out
    objective = next(line for line in lines if line.startswith("pass objective"))
    assert objective.endswith("score 3  metrics: score=3")
    assert lines[-1] == "every stage passes"
    assert Workspace.open(root).store.list_runs() == []  # nothing in the journal
    code, out, _ = hone(capsys, "check", "--json", "-C", str(root))
    record = json.loads(out)
    assert code == 0 and record["ok"] is True
    assert [(s["stage"], s["ok"], s["score"]) for s in record["stages"]] == [
        ("gate:gate1", True, None), ("objective", True, 3.0)]
    assert record["stages"][1]["metrics"] == {"score": 3.0}


def test_an_objective_that_prints_nothing_shows_its_log(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({**KNOB_PROJECT, "quiet.py": "import knob\n"})
    code, out, _ = hone(capsys, "init", "--objective", "python3 quiet.py", "--check",
                        "-C", str(root))
    assert code == 1, out
    lines = out.splitlines()
    failed = next(line for line in lines if line.startswith("FAIL"))
    assert failed.split()[1] == "objective"
    assert failed.endswith("no metric 'score' in output")
    assert "  output: (none)" in lines
    assert "  log: .hone/check/00000/objective_seed1.out" in lines
    assert (root / ".hone/check/00000/objective_seed1.out").is_file()
    assert lines[-1].startswith("hone.toml is written: fix the failing stage")
    assert Workspace.open(root).store.list_runs() == []


def test_a_failing_gate_shows_its_output_tail_and_stops(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({**KNOB_PROJECT, "gate.py": "print('checking')\nraise SystemExit(3)\n"})
    assert hone(capsys, "init", "--objective", "python3 score.py", "--gate",
                "python3 gate.py", "-C", str(root))[0] == 0
    code, out, _ = hone(capsys, "check", "-C", str(root))
    assert code == 1
    lines = out.splitlines()
    assert "gate:gate1 exited with code 3" in next(x for x in lines if x.startswith("FAIL"))
    assert "  | checking" in lines and "  log: .hone/check/00000/gate_gate1.out" in lines
    assert not any("objective" in line for line in lines[1:])  # fail-fast
    code, out, _ = hone(capsys, "check", "--json", "-C", str(root))
    stage = json.loads(out)["stages"][-1]
    assert code == 1 and stage["ok"] is False and "checking" in stage["log_tail"]
    assert stage["logs"][0].endswith(".hone/check/00000/gate_gate1.out")


def test_a_broken_config_is_exit_2(make_repo: MakeRepo,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(KNOB_PROJECT)
    Path(root / "hone.toml").write_text('[objective]\nrun = "python3 score.py"\ntimout = 3\n')
    code, out, err = hone(capsys, "check", "-C", str(root))
    assert code == 2 and out == ""
    assert err.startswith("hone: error: hone.toml: unknown key 'objective.timout'")
    assert err.count("\n") == 1


def test_the_holdout_runs_after_the_objective(make_repo: MakeRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({**KNOB_PROJECT, "hold.py": "print('score: 7')\n"})
    assert hone(capsys, "init", "--objective", "python3 score.py", "-C", str(root))[0] == 0
    toml = root / "hone.toml"
    # Uncommenting the written header and defaults is how a user turns a section on.
    toml.write_text(toml.read_text().replace("# [holdout]", "[holdout]")
                    .replace('# run = ""  # its command', 'run = "python3 hold.py"  # its')
                    .replace("# repeats = 3", "repeats = 1"))
    code, out, _ = hone(capsys, "check", "--json", "-C", str(root))
    stages = json.loads(out)["stages"]
    assert code == 0, out
    assert [(s["stage"], s["ok"], s["score"]) for s in stages] == [
        ("objective", True, 3.0), ("holdout", True, 7.0)]
    assert stages[1]["logs"][0].endswith(".hone/check/00000/holdout_seed1.out")
