"""When a run must stop opening attempts: its attempt, time and dollar budgets."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hone.records import Attempt, Status


@dataclass(frozen=True)
class Budget:
    """`attempts` counts every attempt of the run but the baseline, across resumes;
    `hours` counts wall time of this invocation; `usd` counts the run's LLM spend, across resumes
    (the attempts in flight may overshoot it by their calls). Once `stop_file` exists no
    attempt is opened (`hone stop`, see loop/locks.py)."""

    attempts: int | None = None
    hours: float | None = None
    usd: float | None = None
    stop_file: Path | None = None


def budget_spent(history: list[Attempt], budget: Budget, deadline: float | None) -> str:
    """Why the run must stop opening attempts; empty while budget is left."""
    done = sum(1 for a in history if a.id != 0 and not _asked_open(a))
    if budget.attempts is not None and done >= budget.attempts:
        return f"attempt budget reached ({done}/{budget.attempts})"
    if deadline is not None and time.monotonic() >= deadline:
        return f"time budget reached ({budget.hours:g} h)"
    if budget.usd is not None:
        spent = sum(a.cost.usd for a in history if a.cost is not None)
        if spent >= budget.usd:
            return f"cost budget reached (${spent:.4f} of ${budget.usd:g})"
    if budget.stop_file is not None and budget.stop_file.exists():
        return "asked to stop (hone stop)"
    return ""


def _asked_open(attempt: Attempt) -> bool:
    """An attempt `hone ask` handed out and not yet told: not spent until it is."""
    return attempt.status is Status.RUNNING and attempt.asked
