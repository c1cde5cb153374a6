"""The holdout's verdict: worse only when measurably worse, never on one run's noise."""

from __future__ import annotations

import random

from hone.config.load import parse_config
from hone.direction import Direction
from hone.verify import holdout

MAX, MIN = Direction.MAX, Direction.MIN


def test_one_run_a_side_is_inconclusive_however_far_apart() -> None:
    found = holdout.compare([7.0], [10.0], 0, MAX)
    assert not found.worse and found.inconclusive
    assert found.to_json()["runs"] == 1 and found.to_json()["inconclusive"] is True


def test_repeats_1_on_a_noisy_holdout_never_flags_noise() -> None:
    # The same commit measured twice, once each: half of such pairs "drop" (and the former
    # rule, a drop beyond twice the standard error, flagged each of them). None is flagged.
    rng = random.Random(7)
    flagged = sum(holdout.compare([rng.gauss(10, 1)], [rng.gauss(10, 1)], 0, MAX).worse
                  for _ in range(200))
    assert flagged == 0


def test_a_noisy_holdout_with_repeats_flags_noise_rarely() -> None:
    # Three runs a side, all of one commit: flagged when the three fall below the other three,
    # 1 time in 20 (the rank test at 95%).
    rng = random.Random(1)
    flagged = sum(holdout.compare([rng.gauss(10, 1) for _ in range(3)],
                                  [rng.gauss(10, 1) for _ in range(3)], 0, MAX).worse
                  for _ in range(600))
    assert flagged <= 600 * 0.07


def test_settling_pure_noise_from_one_run_flags_it_rarely() -> None:
    # `repeats = 1`, then one more run a side while a drop cannot be told from noise (up to
    # MAX_RUNS): pure noise is called worse about 1 time in 20 (the rank test at 95%), and
    # more runs are taken in many draws.
    rng = random.Random(20261201)
    found = [holdout.settle([rng.random()], [rng.random()], 0, MAX, 0.0,
                            lambda: [rng.random()], lambda: [rng.random()]) for _ in range(400)]
    assert sum(f.worse for f in found) <= 400 * 0.08
    assert sum(f.runs > 1 for f in found) >= 100


def test_runs_that_agree_show_any_drop() -> None:
    # A deterministic holdout (right or wrong on other inputs): two runs a side suffice.
    found = holdout.compare([0.0, 0.0], [1.0, 1.0], 0, MAX)
    assert found.worse and not found.inconclusive and (found.score, found.reference) == (0, 1)
    assert not holdout.compare([1.0, 1.0], [1.0, 1.0], 0, MAX).worse
    assert holdout.compare([5.0, 5.0], [4.0, 4.0], 0, MIN).worse  # lower is better


def test_a_clear_drop_beyond_noise_is_worse_and_tolerance_forgives_a_small_one() -> None:
    assert holdout.compare([7.1, 6.9, 7.0], [10.2, 9.8, 10.0], 0, MAX).worse
    assert not holdout.compare([9.9, 9.9], [10.0, 10.0], 0, MAX, tolerance=0.05).worse


def test_the_holdout_runs_with_the_objectives_seeds() -> None:
    config = parse_config({"objective": {"run": "x", "seeds": [7, 9]},
                           "holdout": {"run": "y", "repeats": 3}})
    assert holdout.seeds(config) == [7, 9, 7]
    # By default the objective runs with seed 1 every time: so does the holdout (seeds 2 and 3
    # would tell it apart).
    default = parse_config({"objective": {"run": "x"}, "holdout": {"run": "y"}})
    assert default.objective.seed_list() == [1] and holdout.seeds(default) == [1, 1, 1]


def test_a_collapse_against_a_noisy_reference_gets_runs_until_it_can_tell() -> None:
    """2 runs against 2 can never be significant for a rank test: the drop is inconclusive,
    and settle adds runs on both sides (up to MAX_RUNS) until they tell a collapse from
    noise."""
    first = holdout.compare([-10.0, -10.0], [1.0, 2.0], 0, Direction.MAX)
    assert first.inconclusive and not first.worse
    batches = {"candidate": 0, "reference": 0}

    def more(side: str, score: float) -> list[float]:
        batches[side] += 1
        return [score]

    found = holdout.settle([-10.0, -10.0], [1.0, 2.0], 0, Direction.MAX, 0.0,
                           lambda: more("candidate", -10.0), lambda: more("reference", 1.0))
    assert found.worse and not found.inconclusive
    assert batches["candidate"] == batches["reference"] >= 1
    assert found.runs == found.reference_runs == 2 + batches["candidate"] <= holdout.MAX_RUNS


def test_settle_stops_when_a_side_cannot_be_measured_again() -> None:
    found = holdout.settle([-10.0, -10.0], [1.0, 2.0], 0, Direction.MAX, 0.0,
                           lambda: [], lambda: [1.0])
    assert found.inconclusive and not found.worse and found.reference_runs == 2


def test_noise_that_does_not_drop_the_median_settles_at_once() -> None:
    calls: list[int] = []
    found = holdout.settle([1.0, 2.0], [2.0, 1.0], 0, Direction.MAX, 0.0,
                           lambda: calls.append(1) or [1.0], lambda: [1.0])
    assert not found.inconclusive and not found.worse and not calls
