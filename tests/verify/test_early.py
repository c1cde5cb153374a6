"""Cheap first in the verifier: the screen, and the stop after the first seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.config.load import parse_config
from hone.direction import Direction
from hone.errors import UsageError
from hone.records import Measurement
from hone.verify.early import Reference, screen_reason, stop_reason
from hone.verify.verifier import Verifier
from tests.conftest import KNOB_PROJECT, MakeRepo, git


def run(seed: int, score: float) -> Measurement:
    return Measurement(1, seed, score)


CHAMPION = {1: [100.0], 2: [100.0], 3: [100.0]}  # the seeds barely matter


def test_deterministic_worse_on_the_first_seed_stops() -> None:
    ref = Reference(4, Direction.MAX, runs=CHAMPION, deterministic=True)
    why = stop_reason(ref, [run(1, 90.0)], 3)
    assert why.startswith("stopped early after 1 of 3 seeds: worse than champion #4 on "
                          "seed(s) 1 by at least -10.00%"), why
    # Better, equal, or worse only within the equivalence spread: go on.
    assert stop_reason(ref, [run(1, 101.0)], 3) == ""
    assert stop_reason(ref, [run(1, 100.0)], 3) == ""
    assert stop_reason(Reference(4, Direction.MAX, runs=CHAMPION, deterministic=True,
                                 margin=0.2), [run(1, 90.0)], 3) == ""
    # Every seed measured: nothing left to save, the decider decides.
    assert stop_reason(ref, [run(1, 90.0)], 1) == ""
    # Paired: a seed the champion never ran is no evidence.
    assert stop_reason(ref, [run(7, 1.0)], 3) == ""


def test_direction_min_and_paired_by_seed() -> None:
    ref = Reference(2, Direction.MIN, runs=CHAMPION, deterministic=True)
    assert stop_reason(ref, [run(2, 110.0)], 3).startswith("stopped early after 1 of 3")
    assert stop_reason(ref, [run(2, 99.0)], 3) == ""
    # Worse on seed 1, better on seed 2: not every seed so far is worse.
    assert stop_reason(ref, [run(1, 110.0), run(2, 90.0)], 3) == ""
    assert stop_reason(ref, [run(1, 110.0), run(2, 105.0)], 3).startswith(
        "stopped early after 2 of 3 seeds")


def test_seeds_that_move_the_score_need_a_larger_loss() -> None:
    # Deterministic per seed but chaotic in it (placement seeds): 80..120 around 100, so a
    # loss of 10% on one seed says nothing about the median; 50% does.
    chaotic = {1: [100.0], 2: [80.0], 3: [120.0]}
    ref = Reference(4, Direction.MAX, runs=chaotic, deterministic=True)
    assert stop_reason(ref, [run(1, 90.0)], 3) == ""
    why = stop_reason(ref, [run(1, 50.0)], 3)
    assert why.startswith("stopped early after 1 of 3 seeds") and "beyond 40.00%" in why


def test_noisy_objective_needs_a_loss_beyond_its_noise() -> None:
    noisy = {1: [100.0, 101.0, 99.0], 2: [80.0, 81.0]}
    ref = Reference(1, Direction.MAX, runs=noisy, cv=0.02)
    assert stop_reason(ref, [run(1, 95.0)], 3) == ""  # -5%: within 3 x 2%
    why = stop_reason(ref, [run(1, 90.0)], 3)
    assert why.startswith("stopped early after 1 of 3 seeds") and "noise deviations" in why


def test_screen_reason() -> None:
    ref = Reference(3, Direction.MAX, screen=10.0, screen_margin=0.05)
    assert screen_reason(ref, 9.6) == ""  # -4%: within the margin
    why = screen_reason(ref, 9.0)
    assert why.startswith("screen: -10.00% against champion #3's screen"), why
    assert "the full objective was not run" in why
    assert screen_reason(Reference(3, Direction.MAX), 1.0) == ""  # no screen score to beat


def verifier(tmp_path: Path, **objective: Any) -> Verifier:
    config = parse_config({"objective": {"run": "echo score: 1", **objective}})
    return Verifier(config, tmp_path / "logs")


def test_verifier_stops_after_the_first_seed(tmp_path: Path) -> None:
    v = verifier(tmp_path, run="echo score: 90", seeds=[1, 2, 3])
    ref = Reference(0, Direction.MAX, runs=CHAMPION, deterministic=True)
    verdict = v.verify(tmp_path, 1, reference=ref)
    assert verdict.passed and verdict.stopped is not None
    assert verdict.stopped.stage == "early"
    assert verdict.stopped.reason.startswith("stopped early after 1 of 3 seeds")
    assert [m.seed for m in verdict.measurements] == [1]
    # A better candidate runs every seed.
    better = verifier(tmp_path, run="echo score: 200", seeds=[1, 2, 3]).verify(
        tmp_path, 2, reference=ref)
    assert better.stopped is None and len(better.measurements) == 3


def test_verifier_screen_discards_before_the_objective(tmp_path: Path) -> None:
    trail = tmp_path / "trail"
    v = verifier(tmp_path, run=f"echo objective >> {trail}; echo score: 1",
                 screen=f"echo screen >> {trail}; echo score: 9", screen_margin=0.05)
    verdict = v.verify(tmp_path, 1, reference=Reference(0, Direction.MAX, screen=10.0,
                                                         screen_margin=0.05))
    assert trail.read_text().split() == ["screen"]
    assert verdict.stopped is not None and verdict.stopped.stage == "screen"
    assert verdict.screen is not None and verdict.screen.kind == "screen"
    assert verdict.screen.score == 9.0 and verdict.measurements == []
    assert [r.stage for r in verdict.runs] == ["screen"]
    # Within the margin (or with no champion screen, as for the baseline): the objective runs.
    trail.unlink()
    kept = v.verify(tmp_path, 2, reference=Reference(0, Direction.MAX, screen=9.2,
                                                     screen_margin=0.05))
    assert trail.read_text().split() == ["screen", "objective"]
    assert kept.stopped is None and [m.kind for m in kept.recorded] == ["screen", "objective"]
    # A screen that crashes fails the attempt at stage `screen`.
    crash = verifier(tmp_path, screen="exit 3").verify(tmp_path, 3)
    assert crash.failure is not None and crash.failure.stage == "screen"


def test_screen_config_validation(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
                                  ) -> None:
    with pytest.raises(UsageError, match="screen_margin is set but screen"):
        parse_config({"objective": {"run": "x", "screen_margin": 0.1}})
    with pytest.raises(UsageError, match="screen_margin"):
        parse_config({"objective": {"run": "x", "screen": "y", "screen_margin": -1}})
    root = make_repo(KNOB_PROJECT)
    (root / "hone.toml").write_text('[objective]\nrun = "python3 score.py"\n'
                                    'screen_margin = "lots"\n')
    git("add", ".", cwd=root)
    git("commit", "-qm", "config", cwd=root)
    assert main(["status", "-C", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "screen_margin" in err[0], err


def test_check_shows_the_screen_before_the_objective(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({**KNOB_PROJECT, "hone.toml": (
        '[objective]\nrun = "python3 score.py"\nscreen = "echo score: 2"\n'
        '[sandbox]\nenabled = false\n')})
    assert main(["check", "--json", "-C", str(root)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [(s["stage"], s["score"]) for s in record["stages"]] == [
        ("screen", 2.0), ("objective", 3.0)]
