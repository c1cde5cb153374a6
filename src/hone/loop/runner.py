"""`hone run`: start or resume a run, then make attempts until a budget is spent."""

from __future__ import annotations

import time
from dataclasses import dataclass

from hone.loop.engine import Engine
from hone.mutators.base import Mutator, MutatorExhausted
from hone.records import Status
from hone.strategies.base import Strategy


@dataclass(frozen=True)
class Budget:
    """`attempts` counts every attempt of the run but the baseline, across resumes;
    `hours` counts wall time of this invocation; `usd` counts the run's LLM spend, across resumes
    (the attempt in flight may overshoot it by one attempt's calls)."""

    attempts: int | None = None
    hours: float | None = None
    usd: float | None = None


@dataclass(frozen=True)
class RunOutcome:
    attempts_made: int
    stopped_because: str


def run_loop(engine: Engine, mutator: Mutator, strategy: Strategy, budget: Budget
             ) -> RunOutcome:
    engine.start()
    deadline = time.monotonic() + budget.hours * 3600 if budget.hours else None
    made = 0
    while True:
        spent = budget_spent(engine, budget, deadline)
        if spent:
            return RunOutcome(made, spent)
        try:
            engine.step(mutator, strategy)
        except MutatorExhausted as exc:
            return RunOutcome(made + 1, f"the {mutator.name} mutator stopped: {exc}")
        made += 1


def budget_spent(engine: Engine, budget: Budget, deadline: float | None) -> str:
    """Why the run must stop opening attempts; empty while budget is left."""
    history = engine.history()
    done = sum(1 for a in history if a.id != 0 and not _asked_open(a))
    if budget.attempts is not None and done >= budget.attempts:
        return f"attempt budget reached ({done}/{budget.attempts})"
    if deadline is not None and time.monotonic() >= deadline:
        return f"time budget reached ({budget.hours:g} h)"
    if budget.usd is not None:
        spent = sum(float(a.extra.get("usd", 0.0)) for a in history)
        if spent >= budget.usd:
            return f"cost budget reached (${spent:.4f} of ${budget.usd:g})"
    return ""


def _asked_open(attempt: object) -> bool:
    from hone.records import Attempt

    return (isinstance(attempt, Attempt) and attempt.status is Status.RUNNING
            and bool(attempt.extra.get("asked")))
