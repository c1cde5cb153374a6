"""The decider contract (hone/decide/base.py), run against every registered decider, for both
directions and with the noise floor known or not: a pure function of the measurements (same
inputs, same decision), a bounded number of re-measurements, a clearly better candidate kept
and a clearly worse one discarded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hone.config.model import Config
from hone.decide import DECIDERS, Decider, Decision, NoiseFloor, make_decider
from hone.decide.base import Arm
from hone.direction import Direction
from hone.plugins import check
from hone.records import Measurement

# Noise of about 1% around the true score, the same sequence each time.
WOBBLE = [0.0, 0.8, -0.6, 0.3, -0.9, 0.5, -0.2, 0.7, -0.4, 0.1, -0.7, 0.6, -0.3, 0.9, -0.5, 0.2]
FLOORS = {"unknown": None, "noisy": NoiseFloor(5, 100.0, 0.6, 0.006, False)}


def runs(true: float, n: int, start: int = 0) -> list[Measurement]:
    return [Measurement(0, 1 + i, true + WOBBLE[(start + i) % len(WOBBLE)]) for i in range(n)]


def remeasurer(candidate: float, champion: float, calls: list[Arm]
               ) -> Callable[[Arm], Measurement]:
    """More runs of each arm: the same scores for the same sequence of requests."""

    def remeasure(arm: Arm) -> Measurement:
        calls.append(arm)
        n = calls.count(arm)
        true = candidate if arm == "candidate" else champion
        return runs(true, 1, start=n + (3 if arm == "candidate" else 7))[0]

    return remeasure


def decider(name: str, floor: str) -> Decider:
    config = check(Config.model_validate({"objective": {"run": "true"},
                                          "acceptance": {"rule": name}}))
    return make_decider(config, FLOORS[floor])


def decide(d: Decider, candidate: float, champion: float, direction: Direction
           ) -> tuple[Decision, list[Arm]]:
    calls: list[Arm] = []
    decision = d.decide(runs(candidate, 2), runs(champion, 10, start=5), direction,
                        remeasurer(candidate, champion, calls))
    return decision, calls


@pytest.fixture(params=DECIDERS.names())
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("floor", list(FLOORS))
@pytest.mark.parametrize("direction", list(Direction))
def test_clearly_better_is_kept_and_clearly_worse_is_discarded(
        name: str, direction: Direction, floor: str) -> None:
    better, worse = (150.0, 50.0) if direction == "max" else (50.0, 150.0)
    kept, calls = decide(decider(name, floor), better, 100.0, direction)
    assert kept.keep, kept
    assert len(calls) <= 64, "a decision takes a bounded number of measurements"
    dropped, calls = decide(decider(name, floor), worse, 100.0, direction)
    assert not dropped.keep, dropped
    assert len(calls) <= 64


@pytest.mark.parametrize("direction", list(Direction))
def test_same_measurements_same_decision(name: str, direction: Direction) -> None:
    # A close call (1% better), where a decider that drew on anything but its inputs would
    # show it; a fresh decider built from the same config decides alike.
    close = 101.0 if direction == "max" else 99.0
    first, calls = decide(decider(name, "noisy"), close, 100.0, direction)
    for again in (decider(name, "noisy"), decider(name, "noisy")):
        second, calls2 = decide(again, close, 100.0, direction)
        assert (second, calls2) == (first, calls)
