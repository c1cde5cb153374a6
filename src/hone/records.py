"""Immutable records shared by the loop, the journal and the CLI."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """Lifecycle of an attempt (see PRODUCT.md, Words)."""

    BASELINE = "baseline"
    RUNNING = "running"
    KEPT = "kept"
    DISCARDED = "discarded"
    FAILED = "failed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    HELD = "held"  # would be kept, but a safeguard found something a person must approve
    VETOED = "vetoed"  # taken back by `hone veto`

    @property
    def decided(self) -> bool:
        return self is not Status.RUNNING


@dataclass(frozen=True)
class Measurement:
    """One run of the objective on one commit: the metrics it printed and the score."""

    attempt_id: int
    seed: int
    score: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    kind: str = "objective"  # objective | holdout | confirm


class Purpose(enum.StrEnum):
    """Why a measurement job runs; every one goes through the run's executor."""

    VERIFY = "verify"  # gates, then the objective: a new attempt
    BASELINE = "baseline"  # the baseline's runs, its noise floor included
    REMEASURE = "remeasure"  # one more objective run for the decider
    REVERIFY = "reverify"  # gates and objective again from a clean tree (outsized gains)
    HOLDOUT = "holdout"  # the objective the proposer never sees
    CONFIRM = "confirm"  # the final champion-against-baseline runs

    @property
    def gates(self) -> bool:
        """Whether this purpose runs the gates before the objective."""
        return self in (Purpose.VERIFY, Purpose.BASELINE, Purpose.REVERIFY)


class Event(enum.StrEnum):
    """What the loop tells its observers (the live view, the line printer)."""

    BASELINE_START = "baseline-start"
    BASELINE = "baseline"
    START = "start"
    VERIFY = "verify"
    DECIDED = "decided"
    CHAMPION = "champion"


@dataclass(frozen=True)
class Attempt:
    """One proposed change: a git commit with its verdict. Id 0 is the baseline."""

    run: str
    id: int
    parent: int | None
    commit: str | None
    status: Status
    score: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    hypothesis: str = ""
    mutator: str = ""
    stage: str = ""
    reason: str = ""
    log_tail: str = ""
    started: float = 0.0
    finished: float | None = None
    parent2: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float | None:
        return None if self.finished is None else self.finished - self.started
