"""Keep or discard: how a candidate's measurements are compared with the champion's.

Add a rule: a new module with a `Decider` subclass decorated `@DECIDERS.register(name)`; every
module here is imported, so nothing else needs a line."""

from __future__ import annotations

from hone.config.model import Config
from hone.decide.base import DECIDERS, Decider, Decision, Remeasure
from hone.decide.noise import NoiseFloor, within_noise
from hone.decide.sequential import SequentialDecider
from hone.decide.strict import StrictDecider
from hone.registry import import_submodules

import_submodules(__name__, __path__)

__all__ = ["DECIDERS", "Decider", "Decision", "NoiseFloor", "Remeasure", "SequentialDecider",
           "StrictDecider", "make_decider", "within_noise"]


def make_decider(config: Config, floor: NoiseFloor | None) -> Decider:
    """The decider `[acceptance] rule` names, told whether the objective is deterministic."""
    return DECIDERS.make(config.acceptance.rule, config, floor)
