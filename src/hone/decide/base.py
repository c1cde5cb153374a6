"""The decision contract."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hone.direction import Direction
from hone.records import Measurement

Arm = Literal["candidate", "champion"]
# Takes one more measurement of an arm; None when that measurement failed.
Remeasure = Callable[[Arm], Measurement | None]


@dataclass(frozen=True)
class Decision:
    """Keep or not, with the estimates and the evidence behind it."""

    keep: bool
    score: float | None
    champion_score: float | None
    rule: str
    evidence: dict[str, Any] = field(default_factory=dict)


class Decider(abc.ABC):
    """Compares a candidate that passed its gates with the champion.

    `candidate` and `champion` hold the measurements taken so far (the champion's pooled over
    the run); the decider may call `remeasure` for more. It must return within a bounded number
    of measurements.
    """

    @abc.abstractmethod
    def decide(self, candidate: list[Measurement], champion: list[Measurement],
               direction: Direction, remeasure: Remeasure) -> Decision: ...
