"""An executor that records the jobs it is given, for tests that count or inspect them."""

from __future__ import annotations

from concurrent.futures import Future

from hone.executors.base import Executor, Job, Outcome


class Recording(Executor):
    """The local executor, keeping every job it was given."""

    def __init__(self, inner: Executor) -> None:
        self.inner, self.slots, self.name = inner, inner.slots, "recording"
        self.jobs: list[Job] = []

    def submit(self, job: Job) -> Future[Outcome]:
        self.jobs.append(job)
        return self.inner.submit(job)

    def cancel(self) -> None:
        self.inner.cancel()

    def close(self) -> None:
        self.inner.close()
