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
