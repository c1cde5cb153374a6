"""`hone simplify`: a phase that only removes code, each removal verified like any attempt.

The proposer is told to make the champion smaller or simpler; a proposal is kept only when the
score stays within noise of the champion and the code got smaller (lines of code) or simpler
(cyclomatic complexity). With the classic mutator configured, the offline `ablate` mutator
proposes the removals (it undoes the run's own changes piece by piece).
"""

from __future__ import annotations

from dataclasses import dataclass

from hone.complexity.measure import Complexity
from hone.errors import UsageError
from hone.loop.budget import Budget
from hone.loop.engine import Engine
from hone.loop.scheduler import Scheduler
from hone.mutators import make_mutator
from hone.records import Attempt
from hone.strategies import make_strategy


@dataclass(frozen=True)
class Simplified:
    before: Attempt
    after: Attempt
    stopped_because: str

    def cost(self, a: Attempt) -> Complexity | None:
        return Complexity.from_json(a.code.complexity)


def simplify(engine: Engine, mutator_kind: str | None, attempts: int,
             hours: float | None = None) -> Simplified:
    """Make up to `attempts` simplification attempts from the champion (`engine` opened
    with `simplify_only`)."""
    if engine.store.get_run(engine.run) is None:
        raise UsageError(f"no run named {engine.run!r}; `hone run` first")
    config = engine.ws.config
    kind = mutator_kind or ("ablate" if config.mutator.kind == "classic" else config.mutator.kind)
    if kind == "classic":
        raise UsageError("the classic mutator cannot simplify; use --mutator ablate, llm or agent")
    mutator = make_mutator(kind, config)
    engine.start()
    before = engine.champion()
    made = sum(1 for a in engine.history() if a.id != 0)
    stopped = Scheduler(engine, mutator, make_strategy("greedy", config),
                        Budget(made + attempts, hours)).run()
    return Simplified(before, engine.champion(), stopped)
