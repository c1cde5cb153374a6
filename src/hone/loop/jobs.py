"""Every measurement of a run as an executor job with a purpose.

The loop never runs a gate or an objective itself: it asks a `Measurer`, which submits a
`Job` to the run's executor, so exclusivity, GPU pinning and Ray placement apply to verifying,
the baseline, re-measuring, re-verifying, the holdout and the confirmation alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future

from hone.executors.base import Executor, Job, Outcome, binary_diff
from hone.records import Attempt, Measurement, Purpose
from hone.vcs.git import Repo
from hone.verify.verifier import StageFailure, Verdict


class Measurer:
    """Submits the jobs of one run to `executor`; `base` is the run's baseline commit, from
    which patches are taken when the executor does not share the repository (Ray)."""

    def __init__(self, executor: Executor, repo: Repo, base: str) -> None:
        self.executor, self.repo, self.base = executor, repo, base

    @property
    def slots(self) -> int:
        return self.executor.slots

    def job(self, attempt: Attempt, purpose: Purpose, seeds: Sequence[int] = (), *,
            gates: bool = True, label: str = "") -> Job:
        """The job that measures `attempt`'s commit for `purpose`."""
        assert attempt.commit is not None, "only a committed attempt can be measured"
        if self.executor.shares_repository:
            base, patch = attempt.commit, b""
        else:
            base, patch = self.base, binary_diff(self.repo.root, self.base, attempt.commit)
        return Job(attempt.id, base, patch, tuple(seeds), gates, label, purpose)

    def submit(self, attempt: Attempt, purpose: Purpose, seeds: Sequence[int] = (), *,
               gates: bool = True, label: str = "") -> Future[Outcome]:
        return self.executor.submit(self.job(attempt, purpose, seeds, gates=gates,
                                             label=label))

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
