"""Every measurement of a run as an executor job with a purpose.

The loop never runs a gate or an objective itself: it asks a `Measurer`, which submits a
`Job` to the run's executor, so exclusivity, GPU pinning and Ray placement apply to verifying,
the baseline, re-measuring, re-verifying, the holdout and the confirmation alike.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace

from hone.executors.base import Executor, Job, Outcome, binary_diff
from hone.records import Attempt, Measurement, Purpose
from hone.vcs.git import Repo
from hone.verify.early import Reference, stop_reason
from hone.verify.verifier import StageFailure, Verdict


@dataclass(frozen=True)
class VerifyPlan:
    """The seeds a new attempt is measured with; `concurrent`: one executor job per seed,
    run at once on free slots (the gates and the screen run with the first seed, before the
    others; `gated`: there are gates or a screen); `reference`: the champion to stop a
    clearly worse candidate against."""

    seeds: tuple[int, ...]
    reference: Reference | None = None
    concurrent: bool = False
    gated: bool = True


class Measurer:
    """Submits the jobs of one run to `executor`; `base` is the run's baseline commit, from
    which patches are taken when the executor does not share the repository (Ray)."""

    def __init__(self, executor: Executor, repo: Repo, base: str) -> None:
        self.executor, self.repo, self.base = executor, repo, base

    @property
    def slots(self) -> int:
        return self.executor.slots

    def job(self, attempt: Attempt, purpose: Purpose, seeds: Sequence[int] = (), *,
            gates: bool = True, label: str = "", reference: Reference | None = None,
            shared: bool = False) -> Job:
        """The job that measures `attempt`'s commit for `purpose`."""
        assert attempt.commit is not None, "only a committed attempt can be measured"
        if self.executor.shares_repository:
            base, patch = attempt.commit, b""
        else:
            base, patch = self.base, binary_diff(self.repo.root, self.base, attempt.commit)
        return Job(attempt.id, base, patch, tuple(seeds), gates, label, purpose, reference,
                   shared)

    def submit(self, attempt: Attempt, purpose: Purpose, seeds: Sequence[int] = (), *,
               gates: bool = True, label: str = "", reference: Reference | None = None,
               shared: bool = False) -> Future[Outcome]:
        return self.executor.submit(self.job(attempt, purpose, seeds, gates=gates,
                                             label=label, reference=reference, shared=shared))

    def prestart(self, attempt: Attempt, plan: VerifyPlan) -> None:
        """Tell the executor that `attempt`'s verification as `plan` says comes next, before
        it is proposed, so that it may get ready (see `Executor.prestart`)."""
        if not plan.concurrent or self.slots < 2:
            self.executor.prestart(Job(attempt.id, "", seeds=plan.seeds,
                                       reference=plan.reference))

    def verify(self, attempt: Attempt, plan: VerifyPlan) -> Future[Outcome]:
        """Verify a new attempt as `plan` says: one job (gates, screen, then the seeds in
        turn, stopping early against the plan's reference), or with `plan.concurrent` one job
        per seed: the first with the gates and the screen, then, unless it stopped, the others
        at once (with no gate and no screen, all at once). One outcome either way."""
        if not plan.concurrent or self.slots < 2 or len(plan.seeds) < 2:
            return self.submit(attempt, Purpose.VERIFY, plan.seeds, reference=plan.reference)
        future: Future[Outcome] = Future()
        threading.Thread(target=self._fan_out, args=(attempt, plan, future), daemon=True,
                         name=f"hone-seeds-{attempt.id}").start()
        return future

    def _fan_out(self, attempt: Attempt, plan: VerifyPlan, future: Future[Outcome]) -> None:
        try:
            future.set_result(self._concurrent(attempt, plan))
        except BaseException as exc:  # the executor broke: the waiting loop must hear of it
            future.set_exception(exc)

    def _concurrent(self, attempt: Attempt, plan: VerifyPlan) -> Outcome:
        """The seeds of `plan` as one executor job each; their outcomes as one."""
        gated = plan.gated
        def one(seed: int, first: bool) -> Future[Outcome]:
            return self.submit(attempt, Purpose.VERIFY, (seed,), gates=first,
                               reference=plan.reference if first else None, shared=True)

        head = one(plan.seeds[0], True)
        rest = [] if gated else [one(s, False) for s in plan.seeds[1:]]
        first = head.result()
        v = first.verdict
        if gated and not (v.failure or v.stopped):
            why = stop_reason(plan.reference, v.measurements, len(plan.seeds))
            if why:
                return replace(first, verdict=replace(v, stopped=StageFailure("early", why)))
            rest = [one(s, False) for s in plan.seeds[1:]]
        return combined([first, *(f.result() for f in rest)])

    def verdict(self, attempt: Attempt, purpose: Purpose, seeds: Sequence[int] = (), *,
                gates: bool = True, label: str = "") -> Verdict:
        """Submit and wait: the verdict of one job."""
        return self.submit(attempt, purpose, seeds, gates=gates, label=label).result().verdict

    def once(self, attempt: Attempt, purpose: Purpose, seed: int, label: str
             ) -> Measurement | StageFailure:
        """One objective run (remeasure, confirm): its measurement, or why it failed."""
        verdict = self.verdict(attempt, purpose, (seed,), gates=False, label=label)
        if verdict.failure is not None:
            return verdict.failure
        return verdict.measurements[0]

    def holdout(self, attempt: Attempt, label: str = "") -> list[Measurement] | StageFailure:
        """The holdout's runs on `attempt`, or why it failed."""
        verdict = self.verdict(attempt, Purpose.HOLDOUT, label=label)
        return verdict.failure if verdict.failure is not None else verdict.measurements


def combined(outcomes: list[Outcome]) -> Outcome:
    """The outcomes of one attempt's seed jobs (the first with the gates) as one: the first
    failure in seed order, the measurements before it, every command run and log."""
    measurements: list[Measurement] = []
    failure: StageFailure | None = None
    for o in outcomes:
        if o.verdict.failure is not None:
            failure = o.verdict.failure
            break
        measurements += o.verdict.measurements
    first = outcomes[0]
    verdict = replace(first.verdict, failure=failure, measurements=measurements,
                      runs=tuple(r for o in outcomes for r in o.verdict.runs))
    logs = {name: text for o in outcomes for name, text in o.logs.items()}
    return replace(first, verdict=verdict, logs=logs,
                   finished=max(o.finished for o in outcomes))
