"""How many attempts are in flight: the one loop of `hone run`, serial or parallel.

The loop's steps, spread over threads:
* the main thread opens attempts (in id order), submits their verification to the executor and
  decides, in id order, one at a time: so `kept` means better than the champion of that moment;
* proposer threads (one per slot) check out the parent, let the mutator edit and commit (the
  serial loop, which has nothing to overlap, proposes in the main thread and saves the hand-offs);
* the executor's slots verify (the caller's thread when inline, local threads, Ray tasks).

With an executor of `slots` slots, up to `lookahead * slots` attempts are in flight at once, so
a slot that frees up finds the next candidate already proposed whenever proposing is faster than
evaluating. To keep a run deterministic, attempt k is shown (parent selection, brief, mutator
history) only attempts up to k - depth, which are always decided by the time k opens: the same
run gives the same attempts however the timing falls, on any executor. The serial loop is the
inline executor: depth 1, so attempt k sees every attempt before it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from hone.executors.base import Outcome, proposer_slot, run_now
from hone.loop.budget import Budget, budget_spent
from hone.loop.cheap import verify_plan
from hone.loop.engine import Engine
from hone.loop.repair import next_turn
from hone.mutators.base import Mutator, MutatorExhausted
from hone.records import Attempt, Event, Placement, Status
from hone.store.base import IdTaken
from hone.strategies.base import Strategy
from hone.strategies.plan import Plan
from hone.verify import meanwhile
from hone.verify.verifier import StageFailure, Verdict

# What a proposer thread hands back: the attempt and its early end (None: verify it).
Proposed = tuple[Attempt, StageFailure | None]


@dataclass
class _Flight:
    """The attempts between opening and deciding, by where they are."""

    opened: dict[int, Attempt] = field(default_factory=dict)  # not yet decided
    proposing: dict[Future[Proposed], int] = field(default_factory=dict)
    evaluating: dict[Future[Outcome], int] = field(default_factory=dict)
    waiting: list[Attempt] = field(default_factory=list)  # proposed, waiting for a slot
    ready: dict[int, tuple[Attempt, Verdict]] = field(default_factory=dict)  # to decide
    champions: dict[int, Attempt] = field(default_factory=dict)  # the one each was shown


class Scheduler:
    """Runs `engine`'s attempts, verifying up to its executor's slots at a time."""

    def __init__(self, engine: Engine, mutator: Mutator, strategy: Strategy,
                 budget: Budget) -> None:
        self.engine, self.mutator, self.strategy, self.budget = engine, mutator, strategy, budget
        executor = engine.measurer.executor
        self.slots = executor.slots
        self.depth = executor.lookahead * self.slots
        self._stopping = threading.Event()
        self._proposer_slots: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._next_jail: meanwhile.Later[None] | None = None
        for i in range(self.slots):
            self._proposer_slots.put(proposer_slot(i))

    def run(self) -> str:
        """Make attempts until a budget is spent or the mutator stops; why it stopped."""
        deadline = time.monotonic() + self.budget.hours * 3600 if self.budget.hours else None
        flight = _Flight()
        stopped = ""
        proposers = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="hone-propose")
        try:
            while True:
                self._decide_ready(flight)
                while not stopped and len(flight.opened) < self.depth:
                    stopped = budget_spent(self.engine.history(), self.budget, deadline)
                    if stopped:
                        break
                    attempt, history, champion, plan = self._open()
                    flight.opened[attempt.id] = attempt
                    flight.champions[attempt.id] = champion
                    self._get_ready(attempt, champion)
                    future = self._start_proposal(proposers, attempt, history, champion, plan)
                    flight.proposing[future] = attempt.id
                self._submit_waiting(flight)
                if not flight.opened or not (flight.proposing or flight.evaluating):
                    # Nothing in flight (or, defensively, nothing left that could finish).
                    return stopped or "nothing left to run"
                pending: list[Future[Any]] = [*flight.proposing, *flight.evaluating]
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                stopped = self._collect(flight, done) or stopped
        except BaseException as exc:
            self._stopping.set()
            self.engine.measurer.executor.cancel()
            # Let proposers reach a stopping point, so their writes come before ours.
            wait(list(flight.proposing), timeout=5)
            for attempt_id in sorted(flight.opened):
                self.engine.abandon(attempt_id, exc)
            raise
        finally:
            self._drop_next_jail()
            proposers.shutdown(wait=False, cancel_futures=True)

    def _start_proposal(self, proposers: ThreadPoolExecutor, attempt: Attempt,
                        history: list[Attempt], champion: Attempt, plan: Plan
                        ) -> Future[Proposed]:
        """Propose `attempt` in a proposer thread; the serial loop, which has nothing to
        overlap, proposes in this thread (a finished future: no hand-off between threads)."""
        if self.slots == 1:
            return run_now(self._propose, attempt, history, champion, plan)
        return proposers.submit(self._propose, attempt, history, champion, plan)

    def _get_ready(self, attempt: Attempt, champion: Attempt) -> None:
        """The serial loop: get `attempt`'s verification ready (its jail) while it is proposed.
        First the jail queued for it while the last attempt was measured is waited for (built
        now if no measurement came): that one is kept when it is the right one."""
        if self.slots != 1:
            return
        if self._next_jail is not None:
            self._next_jail.result()
            self._next_jail = None
        self.engine.measurer.prestart(attempt, verify_plan(self.engine, champion, self.slots))

    def _drop_next_jail(self) -> None:
        """At the end: no next jail is built any more; one being built is let finish, so
        that it is held, and the executor's close discards it."""
        if self._next_jail is not None and not self._next_jail.cancel():
            with contextlib.suppress(Exception):
                self._next_jail.result()
        self._next_jail = None

    def _decide_ready(self, flight: _Flight) -> None:
        """Decide, in id order, every attempt whose turn has come."""
        while flight.opened and min(flight.opened) in flight.ready:
            attempt, verdict = flight.ready.pop(min(flight.opened))
            del flight.opened[attempt.id]
            self.engine.conclude(attempt, verdict)

    def _submit_waiting(self, flight: _Flight) -> None:
        while flight.waiting and len(flight.evaluating) < self.slots:
            attempt = flight.waiting.pop(0)
            self.engine.on_event(Event.VERIFY, attempt)
            # Stopped early against the champion it was shown, which a later one can only
            # beat: the same decision however the timing falls.
            shown = flight.champions.pop(attempt.id, None) or self.engine.champion()
            plan = verify_plan(self.engine, shown, self.slots)
            if self.slots == 1:
                # The next attempt's jail, built while this one is measured: it takes the
                # next id, and the same seeds (they do not depend on the champion).
                self._next_jail = meanwhile.later(partial(
                    self.engine.measurer.prestart, replace(attempt, id=attempt.id + 1), plan))
            future = self.engine.measurer.verify(attempt, plan)
            flight.evaluating[future] = attempt.id

    def _collect(self, flight: _Flight, done: set[Future[Any]]) -> str:
        """Move finished proposals and evaluations on; why to stop, if a mutator stopped."""
        stopped = ""
        for fut in done:
            if fut in flight.proposing:
                attempt_id = flight.proposing.pop(fut)
                try:
                    attempt, early = fut.result()
                except MutatorExhausted as exc:  # engine.propose recorded the attempt failed
                    flight.opened.pop(attempt_id, None)
                    stopped = stopped or f"the {self.mutator.name} mutator stopped: {exc}"
                    continue
                if early is not None:
                    flight.ready[attempt.id] = (attempt, Verdict(early))
                else:
                    flight.waiting.append(attempt)
                    flight.waiting.sort(key=lambda a: a.id)
            else:
                attempt_id = flight.evaluating.pop(fut)
                outcome: Outcome = fut.result()
                attempt = self.engine.get(attempt_id)
                attempt = replace(attempt, placement=Placement(
                    outcome.slot, outcome.host, outcome.started, outcome.finished))
                flight.ready[attempt_id] = (attempt, outcome.verdict)
        return stopped

    def _open(self) -> tuple[Attempt, list[Attempt], Attempt, Plan]:
        """Open the next attempt from what it may see: attempts up to id - depth. It repairs
        attempt id - depth when that one broke (loop/repair.py), else follows the strategy.
        It is planned for the run's free id and takes it only when it is recorded (a crash in
        between leaves no gap); planned again if another writer (`hone ask`) took it first."""
        engine = self.engine
        while True:
            history = engine.history()
            next_id = engine.store.free_attempt_id(engine.run)
            visible = [a for a in history if a.id <= max(0, next_id - self.depth)]
            kept = [a for a in visible if a.status is Status.KEPT]
            champion = kept[-1] if kept else visible[0]
            turn = next_turn(self.strategy, self.mutator, engine.ws.config, visible, champion,
                             next_id, self.depth)
            plan = turn.plan
            try:
                attempt = engine.open_attempt(
                    next_id, plan.parent, "merge" if plan.is_merge else self.mutator.name,
                    plan.parent2, plan.hints, plan.notes,
                    repair_of=turn.repair_of.id if turn.repair_of else None)
            except IdTaken:
                continue
            return attempt, visible, champion, plan

    def _propose(self, attempt: Attempt, history: list[Attempt], champion: Attempt,
                 plan: Plan) -> Proposed:
        """In a proposer thread: edit, commit and check the rules."""
        slot = self._proposer_slots.get()
        try:
            proposal = self.engine.propose(attempt, self.mutator, slot, history, champion,
                                           plan)
            if self._stopping.is_set():
                raise InterruptedError("the run is stopping")
            return self.engine.materialise(attempt, slot, proposal, history)
        finally:
            self._proposer_slots.put(slot)
