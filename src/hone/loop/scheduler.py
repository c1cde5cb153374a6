"""Parallel slots: proposals are made while evaluations run; decisions stay serial.

The loop's steps, spread over threads:
* the main thread opens attempts (in id order), submits evaluations and decides, in id
  order, one at a time: so `kept` means better than the champion of that moment;
* proposer threads (one per slot) check out the parent, let the mutator edit and commit;
* the executor's slots verify (local threads or Ray tasks).

Up to `2 * parallel` attempts are in flight at once, so a slot that frees up finds the next
candidate already proposed whenever proposing is faster than evaluating. To keep a run
deterministic, attempt k is shown (parent selection, brief, mutator history) only attempts
up to k - 2 * parallel, which are always decided by the time k opens: the same run gives the
same attempts however the timing falls, on any executor.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from hone.executors import verifier_factory
from hone.executors.base import Executor, Job, Outcome, VerifierFactory, binary_diff
from hone.loop.engine import Engine
from hone.loop.measure import plan_seeds, run_noise
from hone.loop.runner import Budget, RunOutcome, budget_spent
from hone.mutators.base import Mutator, MutatorExhausted
from hone.records import Attempt, Measurement, Status
from hone.strategies.base import Strategy
from hone.strategies.plan import Plan, plan_attempt
from hone.verify.verifier import StageFailure, Verdict

# What a proposer thread hands back: the attempt, its early end (None: verify it), its patch.
Proposed = tuple[Attempt, StageFailure | None, bytes]


class Scheduler:
    """Runs `engine`'s attempts with `executor.slots` evaluations at a time."""

    def __init__(self, engine: Engine, executor: Executor, mutator: Mutator,
                 strategy: Strategy, budget: Budget) -> None:
        self.engine, self.executor = engine, executor
        self.mutator, self.strategy, self.budget = mutator, strategy, budget
        self.slots = executor.slots
        self.depth = 2 * self.slots
        self._stopping = threading.Event()
        self._proposer_slots: queue.SimpleQueue[str] = queue.SimpleQueue()
        for i in range(self.slots):
            self._proposer_slots.put(f"propose-{i}")
        self._base = ""

    # -- the run -----------------------------------------------------------------------------
    def run(self, baseline: Attempt | None) -> RunOutcome:
        """Measure `baseline` (a new run's, from `engine.begin()`), then make attempts."""
        engine = self.engine
        if baseline is not None:
            self._baseline(baseline)
        self._base = engine.info().baseline_commit
        engine.measure_hook = self._remeasure
        deadline = (time.monotonic() + self.budget.hours * 3600
                    if self.budget.hours else None)
        inflight: dict[int, Attempt] = {}  # opened, not yet decided
        proposing: dict[Future[Proposed], int] = {}
        evaluating: dict[Future[Outcome], int] = {}
        waiting: list[tuple[Attempt, bytes]] = []  # proposed, waiting for a free slot
        ready: dict[int, tuple[Attempt, Verdict]] = {}  # verdict known, waiting for its turn
        stopped = ""
        made = 0
        proposers = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="hone-propose")
        try:
            while True:
                # Decide first, so that the attempts it frees are opened before waiting.
                while inflight and min(inflight) in ready:
                    attempt, verdict = ready.pop(min(inflight))
                    del inflight[attempt.id]
                    engine.conclude(attempt, verdict, "decide")
                while not stopped and len(inflight) < self.depth:
                    stopped = budget_spent(engine, self.budget, deadline)
                    if stopped:
                        break
                    attempt, history, champion, plan = self._open()
                    inflight[attempt.id] = attempt
                    made += 1
                    proposing[proposers.submit(self._propose, attempt, history, champion,
                                               plan)] = attempt.id
                while waiting and len(evaluating) < self.slots:
                    attempt, patch = waiting.pop(0)
                    engine.on_event("verify", attempt)
                    job = Job(attempt.id, self._base, patch,
                              tuple(plan_seeds(engine.ws.config, run_noise(engine))))
                    evaluating[self.executor.submit(job)] = attempt.id
                if not inflight or not (proposing or evaluating):
                    # Nothing in flight (or, defensively, nothing left that could finish).
                    return RunOutcome(made, stopped or "nothing left to run")
                pending: list[Future[Any]] = [*proposing, *evaluating]
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut in proposing:
                        attempt_id = proposing.pop(fut)
                        try:
                            attempt, early, patch = fut.result()
                        except MutatorExhausted as exc:
                            # engine.propose recorded the attempt as failed.
                            inflight.pop(attempt_id, None)
                            stopped = stopped or f"the {self.mutator.name} mutator stopped: {exc}"
                            continue
                        if early is not None:
                            ready[attempt.id] = (attempt, Verdict(early))
                        else:
                            waiting.append((attempt, patch))
                            waiting.sort(key=lambda w: w[0].id)
                    else:
                        attempt_id = evaluating.pop(fut)
                        outcome: Outcome = fut.result()
                        attempt = engine.get(attempt_id)
                        attempt = replace(attempt, extra={**attempt.extra, "eval": {
                            "slot": outcome.slot, "host": outcome.host,
                            "start": outcome.started, "end": outcome.finished}})
                        ready[attempt_id] = (attempt, outcome.verdict)
        except BaseException as exc:
            self._stopping.set()
            self.executor.cancel()
            # Let proposers reach a stopping point, so their writes come before ours.
            wait(list(proposing), timeout=5)
            for attempt_id in sorted(inflight):
                engine.abandon(attempt_id, exc)
            raise
        finally:
            proposers.shutdown(wait=False, cancel_futures=True)
            engine.measure_hook = None

    # -- steps -------------------------------------------------------------------------------
    def _baseline(self, baseline: Attempt) -> None:
        """Measure a new run's baseline: its repeats in parallel, the gates with the first."""
        engine = self.engine
        assert baseline.commit is not None
        workdir = engine.ws.worktrees.checkout("baseline", baseline.commit)
        baseline = engine.quality.account(baseline, workdir, baseline.commit)
        assert baseline.commit is not None
        config = engine.ws.config
        seeds = config.objective.seed_list()
        # The noise floor's runs too: every repeat of the baseline is measured in parallel.
        runs = max(config.acceptance.noise_runs, len(seeds))
        futures = [self.executor.submit(Job(baseline.id, baseline.commit, b"",
                                            (seeds[i % len(seeds)],), gates=i == 0,
                                            label=f"_n{i}" if i >= len(seeds) else ""))
                   for i in range(runs)]
        verdicts = [f.result().verdict for f in futures]
        failure = next((v.failure for v in verdicts if v.failure), None)
        engine.record_baseline(baseline, Verdict(
            failure, [m for v in verdicts for m in v.measurements]))

    def _open(self) -> tuple[Attempt, list[Attempt], Attempt, Plan]:
        """Open the next attempt from what it may see: attempts up to id - depth."""
        engine = self.engine
        history = engine.history()
        next_id = engine.store.next_attempt_id(engine.run)
        visible = [a for a in history if a.id <= max(0, next_id - self.depth)]
        kept = [a for a in visible if a.status is Status.KEPT]
        champion = kept[-1] if kept else visible[0]
        plan = plan_attempt(self.strategy, engine.ws.config, visible, champion, next_id)
        attempt = Attempt(engine.run, next_id, plan.parent.id, None, Status.RUNNING,
                          mutator="merge" if plan.is_merge else self.mutator.name,
                          started=time.time(),
                          parent2=plan.parent2.id if plan.parent2 else None,
                          extra=dict(plan.extra))
        engine.store.put_attempt(attempt)
        engine.on_event("start", attempt)
        return attempt, visible, champion, plan

    def _propose(self, attempt: Attempt, history: list[Attempt], champion: Attempt,
                 plan: Plan) -> Proposed:
        """In a proposer thread: edit, commit and check the rules; the patch from the base."""
        slot = self._proposer_slots.get()
        try:
            proposal = self.engine.propose(attempt, self.mutator, slot, history, champion,
                                           plan)
            if self._stopping.is_set():
                raise InterruptedError("the run is stopping")
            attempt, early = self.engine.materialise(attempt, slot, proposal, history)
            if early is not None or attempt.commit is None:
                return attempt, early, b""
            return attempt, None, binary_diff(self.engine.ws.repo.root, self._base,
                                              attempt.commit)
        finally:
            self._proposer_slots.put(slot)

    def _remeasure(self, target: Attempt, seed: int, label: str) -> Measurement | StageFailure:
        """One more objective run of `target` for the decider, in an executor slot."""
        assert target.commit is not None
        patch = binary_diff(self.engine.ws.repo.root, self._base, target.commit)
        outcome = self.executor.submit(Job(target.id, self._base, patch, (seed,), gates=False,
                                           label=label)).result()
        verdict = outcome.verdict
        if verdict.failure:
            return verdict.failure
        return verdict.measurements[0]


def run_parallel(engine: Engine, mutator: Mutator, strategy: Strategy, budget: Budget,
                 make: Callable[[VerifierFactory], Executor]) -> RunOutcome:
    """`hone run` with `--parallel N` or `--executor ray`: `make` builds the executor from
    the verifier factory, known once the run has begun (its guard is the baseline's)."""
    baseline = engine.begin()
    factory = verifier_factory(engine.ws.config, engine.verifier.guard)
    with make(factory) as executor:
        return Scheduler(engine, executor, mutator, strategy, budget).run(baseline)
