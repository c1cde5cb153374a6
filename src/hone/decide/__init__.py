"""Keep or discard: how a candidate's measurements are compared with the champion's."""

from __future__ import annotations

from hone.config.model import Config
from hone.decide.base import Decider, Decision, Remeasure
from hone.decide.noise import NoiseFloor, within_noise
from hone.decide.sequential import SequentialDecider
from hone.decide.strict import StrictDecider

__all__ = ["Decider", "Decision", "NoiseFloor", "Remeasure", "SequentialDecider",
           "StrictDecider", "make_decider", "within_noise"]


def make_decider(config: Config, floor: NoiseFloor | None) -> Decider:
    """The decider `[acceptance] rule` names, told whether the objective is deterministic."""
    acc = config.acceptance
    if acc.rule == "strict":
        return StrictDecider()
    return SequentialDecider(acc.min_effect, acc.confidence, acc.initial_repeats,
                             acc.max_repeats, deterministic=bool(floor and floor.deterministic),
                             window=acc.window, aggregation=config.objective.aggregation)
