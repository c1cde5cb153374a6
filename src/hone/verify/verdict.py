"""What a verification found: the typed records the verifier returns and the loop decides on."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from hone.records import GateFlake, Measurement
from hone.verify.scrub import scrub


@dataclass(frozen=True)
class StageFailure:
    """Where and why verification stopped. `reason` and `log_tail` are scrubbed of secrets
    (verify/scrub.py) here, once, so no failure carries one to a brief, a prompt or a report."""

    stage: str
    reason: str
    log_tail: str = ""
    # Set when the objective printed metrics but not one the score names: a config mistake.
    unknown_metric: str = ""
    rejected: bool = False  # broke a rule (changed a protected file), not merely failed

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", scrub(self.reason))
        object.__setattr__(self, "log_tail", scrub(self.log_tail))


@dataclass(frozen=True)
class StageRun:
    """One command a verification ran, in order: its stage (`gate:NAME`, `objective`), the
    stem of its log files (`<stem>.out`, `<stem>.err` in the attempt's log folder), seconds,
    and whether it passed."""

    stage: str
    log: str
    seconds: float
    ok: bool = True


@dataclass(frozen=True)
class Verdict:
    """Result of verifying one commit: measurements when it passed, a failure otherwise;
    `flakes`: the gates that both failed and passed on it (whether or not it passed);
    `runs` the commands it ran (the last one failed when there is a failure); `screen` the
    screen's run (`[objective] screen`); `stopped`: it passed but was found clearly worse than
    the champion before every seed ran (stage `screen` or `early`, see verify/early.py)."""

    failure: StageFailure | None
    measurements: list[Measurement] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    flakes: tuple[GateFlake, ...] = ()
    runs: tuple[StageRun, ...] = ()
    screen: Measurement | None = None
    stopped: StageFailure | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def score(self) -> float | None:
        return aggregate([m.score for m in self.measurements])

    @property
    def recorded(self) -> list[Measurement]:
        """Every run to record: the screen's, then the objective's."""
        return ([self.screen] if self.screen else []) + self.measurements


def aggregate(scores: Sequence[float | None]) -> float | None:
    """The median of the finite scores, None when there is none."""
    finite = [s for s in scores if s is not None and math.isfinite(s)]
    return statistics.median(finite) if finite else None
