"""A run's life cycle as a library function: open, start or resume, attempts, the end.

`open_engine` builds the run's collaborators once (guard, executor, measurer, engine);
`run_session` measures the baseline of a new run (or resumes one), makes attempts through the
scheduler until a budget is spent, then runs the final holdout on the champion and confirms it
against the baseline. The CLI's `hone run` is this function plus printing.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from hone.decide.confirm import Confirmation
from hone.executors import Executor, make_executor, verifier_factory
from hone.executors.base import VerifierFactory
from hone.loop.budget import Budget
from hone.loop.engine import Engine, EventHandler, _ignore
from hone.loop.jobs import Measurer
from hone.loop.measure import confirm_champion
from hone.loop.notice import notice_config
from hone.loop.notify import Notifier
from hone.loop.rebase import mark_rebased
from hone.loop.safeguards import make_guard
from hone.loop.scheduler import Scheduler
from hone.loop.workspace import Workspace
from hone.mutators.base import Mutator, RunEnd
from hone.plugins import check
from hone.records import added_cost
from hone.strategies.base import Strategy
from hone.vcs import libgit


@contextmanager
def open_engine(ws: Workspace, run: str, on_event: EventHandler = _ignore,
                simplify_only: bool = False,
                executor: Callable[[VerifierFactory], Executor] | None = None
                ) -> Iterator[Engine]:
    """The engine of `run` with its executor, closed on the way out. `executor` builds it
    from the run's verifier factory (default: the one `[executor]` names). A run opened with
    a config that changed what it measures is refused (UsageError); any other change is
    recorded as a new config version and said on stderr (loop/notice.py)."""
    check(ws.config, ws.config_path.name)  # every plugin it names is registered
    info = ws.store.get_run(run)
    for line in notice_config(ws, info) if info is not None else []:
        sys.stderr.write(f"hone: {line}\n")  # a measured change raised UsageError instead
    base = info.baseline_commit if info is not None else ws.repo.head()
    guard = make_guard(ws, base)
    factory = verifier_factory(ws.config, guard)
    build = executor or (lambda f: make_executor(ws.config, ws.repo.root, ws.run_dir(run),
                                                 ws.logs_dir(run), f))
    # New champions and held attempts run `[notify] command`, whoever proposed them.
    notify = Notifier(ws.config.notify, run, ws.repo.root, ws.logs_dir(run), on_event)
    with build(factory) as built:
        yield Engine(ws, run, guard, Measurer(built, ws.repo, base), notify,
                     simplify_only=simplify_only)


@dataclass(frozen=True)
class SessionEnd:
    """How a `run_session` ended: why it stopped, and what the end of the run measured."""

    stopped_because: str
    final_holdout: dict[str, Any] | None = None
    confirmation: Confirmation | None = None


def run_session(engine: Engine, mutator: Mutator, strategy: Strategy, budget: Budget,
                rebased_from: str | None = None) -> SessionEnd:
    """Start or resume the run, make attempts until `budget` is spent, then the holdout on
    the champion and its confirmation against the baseline. `rebased_from`: the run whose
    tried ideas a new run's briefs carry (`hone run --rebase`)."""
    libgit.preload()  # while the run starts: every attempt's commit uses it
    engine.start()
    if rebased_from is not None:
        mark_rebased(engine.store, engine.run, rebased_from)
    try:
        with settled_heap():
            stopped = Scheduler(engine, mutator, strategy, budget).run()
    finally:
        engine.ws.repo.flush_refs()  # the best ref follows the journal (Engine.conclude)
    finish_mutator(engine, mutator)
    final = engine.safeguards.final_holdout()
    return SessionEnd(stopped, final, confirm_champion(engine))


@contextmanager
def settled_heap() -> Iterator[None]:
    """The objects alive once a run has started (modules, config, SDK clients: tens of
    thousands) kept out of the cyclic collector's sight while the attempts run, and given
    back after. A full collection walks every object alive; in the overhead bench's loop one
    came every 50 attempts or so and took about 50 ms (1 ms per attempt). Garbage is
    collected first, so that none of it is kept for the run's length."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def finish_mutator(engine: Engine, mutator: Mutator) -> None:
    """Let the mutator take in the run's last outcomes (`Mutator.finish`); what that wrote
    and cost is recorded with the last decided attempt, so budgets and `hone show` see it."""
    history = engine.history()
    done = mutator.finish(RunEnd(engine.run, history, engine.ws.config, engine.ws.dir))
    decided = [a for a in history if a.id != 0 and a.status.decided]
    if done is None or not decided:
        return
    last = decided[-1]
    engine.store.put_texts(engine.run, last.id, done.texts)
    if done.cost is not None:
        engine.store.put_attempt(replace(last, cost=added_cost(last.cost, done.cost)))
