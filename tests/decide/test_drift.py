"""Drift of the machine: a champion pool measured on a quieter machine must not make a no-op
look better; with the drift check (the default) the decision uses fresh interleaved runs."""

from __future__ import annotations

import random

import pytest

from hone.config.load import parse_config
from hone.decide import make_decider
from hone.decide.base import Arm
from hone.decide.drift import detect_drift
from hone.decide.noise import noise_floor
from hone.decide.sequential import SequentialDecider
from hone.direction import Direction
from hone.records import Measurement


class Machine:
    """A scripted objective: `level` times the true score times 2% noise (seeded)."""

    def __init__(self, seed: int) -> None:
        self.rng, self.level, self.runs = random.Random(seed), 1.0, 0

    def run(self, true: float) -> Measurement:
        self.runs += 1
        return Measurement(0, 0, true * self.level * (1 + 0.02 * self.rng.gauss(0, 1)))


def _decide(decider: SequentialDecider, machine: Machine, candidate_true: float,
            step: float) -> tuple[bool, str, dict[str, object]]:
    """The champion's pool of 30 runs at true score 100, then the machine shifts by `step`
    and the candidate is decided."""
    pool = [machine.run(100.0) for _ in range(30)]
    machine.level = 1 + step

    def remeasure(arm: Arm) -> Measurement:
        return machine.run(candidate_true if arm == "candidate" else 100.0)

    d = decider.decide([machine.run(candidate_true)], pool, Direction.MAX, remeasure)
    return d.keep, d.rule, d.evidence


def _default() -> SequentialDecider:
    config = parse_config({"objective": {"run": "x"}})
    assert config.acceptance.drift_check and config.acceptance.window == 30
    floor = noise_floor([Measurement(0, 0, 100.0), Measurement(0, 0, 101.0)])
    decider = make_decider(config, floor)
    assert isinstance(decider, SequentialDecider)
    return decider


def test_no_ops_on_a_machine_that_got_faster_are_not_kept() -> None:
    unchecked = SequentialDecider(window=30, drift_check=False)
    kept = sum(_decide(unchecked, Machine(seed), 100.0, 0.25)[0] for seed in range(40))
    assert kept == 40  # the stale pool makes every no-op +25% better: what issue 17 saw

    decisions = [_decide(_default(), Machine(seed), 100.0, 0.25) for seed in range(40)]
    assert sum(keep for keep, _, _ in decisions) <= 4  # 5% expected, as on a steady machine
    for _, rule, evidence in decisions:
        assert "fresh run(s) lie +" in rule and "fresh interleaved runs only" in rule
        drift = evidence["drift"]
        assert isinstance(drift, dict) and 0.15 < drift["shift"] < 0.35


@pytest.mark.parametrize("seed", range(3))
def test_a_real_gain_is_still_kept_on_a_drifting_machine(seed: int) -> None:
    keep, rule, evidence = _decide(_default(), Machine(seed), 115.0, 0.25)
    assert keep, rule
    assert "drift" in evidence and evidence["champion_runs"] == evidence["runs"]


def test_the_check_is_quiet_on_a_steady_machine() -> None:
    keep, rule, evidence = _decide(_default(), Machine(7), 100.0, 0.0)
    assert not keep and "drift" not in evidence and "drifted" not in rule


def test_detect_drift_needs_fresh_runs_outside_the_pool() -> None:
    pool = [100.0 + i * 0.1 for i in range(30)]
    assert detect_drift([], pool, keep=True) is None
    # A keep: fresh runs above the pool's middle are enough to distrust it; below are not.
    high = detect_drift([101.6], pool, keep=True)
    assert high is not None and high.shift > 0 and high.fresh == 1 and high.pool == 30
    assert detect_drift([101.4], pool, keep=True) is None
    assert detect_drift([90.0, 91.0], pool, keep=True) is None
    # A discard: only fresh runs measurably below the pool (a machine that got slower).
    assert detect_drift([101.4], pool, keep=False) is None
    assert detect_drift([110.0, 111.0], pool, keep=False) is None
    low = detect_drift([90.0, 91.0], pool, keep=False)
    assert low is not None and low.shift < -0.08
