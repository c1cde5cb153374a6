"""The decision contract, and the registry of deciders (`[acceptance] rule`)."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hone.config.model import Config
from hone.direction import Direction
from hone.records import Measurement
from hone.registry import Registry

if TYPE_CHECKING:
    from hone.decide.noise import NoiseFloor

Arm = Literal["candidate", "champion"]
# Takes one more measurement of an arm; None when that measurement failed.
Remeasure = Callable[[Arm], Measurement | None]


@dataclass(frozen=True)
class Decision:
    """Keep or not, with the estimates and the evidence behind it. `deterministic`: decided
    as a deterministic objective (scores compared as they are, no noise and no `min_effect`),
    which the review after the decider must honour too (a simplification may lose nothing)."""

    keep: bool
    score: float | None
    champion_score: float | None
    rule: str
    evidence: dict[str, Any] = field(default_factory=dict)
    deterministic: bool = False


class Decider(abc.ABC):
    """Compares a candidate that passed its gates with the champion.

    `candidate` and `champion` hold the measurements taken so far (the champion's pooled over
    the run); the decider may call `remeasure` for more. It must return within a bounded number
    of measurements, and be a pure function of the measurements it gets (same inputs, same
    decision), so that a resumed run decides as one that never stopped. It keeps a clearly
    better candidate and discards a clearly worse one, for both directions.

    Add one: a module in this package with a subclass decorated `@DECIDERS.register(name)`;
    tests/decide/test_contract.py then runs it.
    """

    @classmethod
    def from_config(cls, config: Config, floor: NoiseFloor | None) -> Decider:
        """Build it from the run's config and the baseline's noise floor (None: unknown)."""
        return cls()

    @abc.abstractmethod
    def decide(self, candidate: list[Measurement], champion: list[Measurement],
               direction: Direction, remeasure: Remeasure) -> Decision: ...


DECIDERS: Registry[Decider] = Registry("decider", "acceptance.rule")
