"""Noise floor, the plan warning, "within noise", and the final confirmation."""

from __future__ import annotations

import numpy as np
import pytest

from hone.decide.confirm import Side, confirm
from hone.decide.noise import noise_floor, plan_warning, within_noise
from hone.direction import Direction
from hone.records import Measurement


def test_noise_floor_measures_spread_and_detects_determinism() -> None:
    noisy = noise_floor([Measurement(0, 1, s) for s in (95.0, 100.0, 105.0, 100.0)])
    assert not noisy.deterministic and 0.035 < noisy.cv < 0.045
    same = noise_floor([Measurement(0, 1, 7.0)] * 5)
    assert same.deterministic and same.cv == 0
    # Seeds that give different results, each the same when re-run: deterministic per seed.
    seeded = noise_floor([Measurement(0, s, 10.0 * s) for s in (1, 2, 3, 1, 2)])
    assert seeded.deterministic
    # A single run proves nothing about determinism.
    assert not noise_floor([Measurement(0, 1, 7.0)]).deterministic


def test_plan_warning_when_noise_exceeds_min_effect() -> None:
    floor = noise_floor([Measurement(0, 1, s) for s in (90.0, 100.0, 110.0, 95.0, 105.0)])
    warning = plan_warning(floor, min_effect=0.01, max_repeats=16)
    assert warning is not None and "min_effect" in warning and "Suggested plan" in warning
    assert plan_warning(floor, min_effect=0.2, max_repeats=16) is None
    assert plan_warning(noise_floor([Measurement(0, 1, 1.0)] * 3), 0.0, 16) is None


def test_within_noise() -> None:
    rng = np.random.default_rng(5)
    champ = list(100 + 3 * rng.normal(size=20))
    assert within_noise(list(100 + 3 * rng.normal(size=8)), champ, Direction.MAX)
    assert not within_noise(list(80 + 3 * rng.normal(size=8)), champ, Direction.MAX)
    assert within_noise(list(80 + 3 * rng.normal(size=8)), champ, Direction.MIN)  # lower is better
    assert within_noise([100.0], [100.0], Direction.MAX)
    assert within_noise([99.5], [100.0], Direction.MAX, min_effect=0.01)
    assert not within_noise([98.0], [100.0], Direction.MAX, min_effect=0.01)


def test_confirm_interleaves_and_brackets_the_true_gain() -> None:
    rng = np.random.default_rng(2)
    order: list[Side] = []

    def measure(side: Side) -> float:
        order.append(side)
        return float((110.0 if side == "champion" else 100.0) * (1 + 0.01 * rng.normal()))

    c = confirm(measure, 6, Direction.MAX)
    assert order == ["baseline", "champion"] * 6
    assert c.low is not None and c.high is not None and c.improvement is not None
    assert c.low < 0.10 < c.high and c.low > 0
    assert c.p_value is not None and c.p_value < 0.01
    assert "+" in c.summary() and "interleaved" in c.summary()


def test_confirm_deterministic_and_failed() -> None:
    c = confirm(lambda side: 12.0 if side == "champion" else 3.0, 1, Direction.MAX)
    assert c.improvement == 3.0 and c.low is None and c.high is None and c.deterministic
    assert "[" not in c.summary() and "(deterministic)" in c.summary()
    # Seeds of a deterministic objective differ (nextpnr's do): no interval from their spread.
    seeds = {"baseline": iter([100.0, 200.0, 600.0]), "champion": iter([101.0, 202.0, 606.0])}
    by_seed = confirm(lambda side: next(seeds[side]), 3, Direction.MAX, deterministic=True)
    assert by_seed.deterministic and by_seed.low is None and by_seed.p_value is None
    assert by_seed.improvement == pytest.approx(0.01)
    failed = confirm(lambda side: None, 3, Direction.MAX)
    assert failed.improvement is None and "failed" in failed.summary()
