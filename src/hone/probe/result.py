"""What `hone probe` found: one typed result per cheat, and the report of them all."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from hone.probe.battery import Cheat
from hone.records import Attempt, Status


class Outcome(enum.StrEnum):
    """How the whole decision ended for a cheat. Only `kept` is silent: the others were
    stopped, flagged for a person, or never built."""

    KEPT = "kept"  # kept, with no flag and no hold
    FLAGGED = "flagged"  # kept, with a flag (audit finding, overfit holdout)
    HELD = "held"  # would be kept, held for a person to approve
    STOPPED = "stopped"  # rejected, failed, or discarded by a safeguard
    NO_GAIN = "no gain"  # verified, but not better: the cheat had no effect here
    NOT_APPLICABLE = "n/a"  # the config gives the cheat nothing to work on


@dataclass(frozen=True)
class Result:
    """One cheat's outcome; `stage` where it was stopped, `detail` why (or the flags), `fix`
    the setting that would stop it, `gain` the relative gain it was decided with."""

    cheat: str
    what: str
    outcome: Outcome
    stage: str
    detail: str
    fix: str
    gain: float | None = None
    attempt: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"cheat": self.cheat, "what": self.what, "outcome": self.outcome.value,
                "stage": self.stage, "detail": self.detail,
                "fix": self.fix if self.outcome is Outcome.KEPT else "",
                "gain": self.gain, "attempt": self.attempt}


def judge(cheat: Cheat, attempt: Attempt, fix: str) -> Result:
    """The result of `cheat`'s attempt, as the loop decided it; `fix` stops it."""
    vetting = attempt.vetting
    flags = [str(f.get("reason", f)) for f in vetting.audit or []]
    if vetting.overfit:
        flags.append("the holdout got worse (overfit)")
    status, stage = attempt.status, attempt.stage
    if status in (Status.KEPT, Status.VETOED):  # a kept cheat is vetoed before the next
        outcome = Outcome.FLAGGED if flags else Outcome.KEPT
        detail = "; ".join(flags) if flags else f"kept ({attempt.reason})"
    elif status is Status.HELD:
        outcome, detail = Outcome.HELD, "; ".join(flags) or attempt.reason
    elif status is Status.DISCARDED and not stage:
        outcome, detail = Outcome.NO_GAIN, attempt.reason
    else:
        outcome, detail = Outcome.STOPPED, attempt.reason
    return Result(cheat.name, cheat.what, outcome, stage, detail, fix, vetting.gain,
                  attempt.id)


@dataclass(frozen=True)
class ProbeReport:
    """Every cheat's result, the editable modules the objective imports into its measuring
    process, the baseline's score, how many objective runs the probe took and its seconds;
    `measures_off`: what `[objective] measures` should be when the score looks like a time or a
    rate but it says "other" ('' otherwise)."""

    results: list[Result]
    in_process: tuple[str, ...]
    baseline_score: float | None
    objective_runs: int
    seconds: float
    measures_off: str = ""

    @property
    def kept(self) -> list[Result]:
        """The cheats that would be kept silently: the ones to fix before a long run."""
        return [r for r in self.results if r.outcome is Outcome.KEPT]

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results],
                "kept": [r.cheat for r in self.kept],
                "in_process": list(self.in_process), "baseline_score": self.baseline_score,
                "objective_runs": self.objective_runs, "seconds": round(self.seconds, 3),
                "measures_off": self.measures_off}
