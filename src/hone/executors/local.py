"""`local`: evaluations in threads of this process, each slot in its own hone-owned worktree.

Threads suffice: the work is in the gate and objective subprocesses, which run in parallel.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from contextlib import AbstractContextManager
from pathlib import Path

from hone.config.model import Config
from hone.executors.base import (
    Executor,
    InlineExecutor,
    Job,
    Outcome,
    SlotExecutor,
    VerifierFactory,
    evaluate_job,
    objective_lock,
)
from hone.executors.registry import EXECUTORS
from hone.verify.process import kill_running


@EXECUTORS.register("local")
class LocalExecutor(SlotExecutor):
    """Slot `i` uses worktree `exec-<i>` and, with `gpus`, CUDA_VISIBLE_DEVICES=gpus[i % n]."""

    name = "local"
    keeps_logs = True  # moved from the scratch folder by evaluate_job

    def __init__(self, repo_root: Path, hone_dir: Path, logs_dir: Path, factory: VerifierFactory,
                 slots: int = 1, gpus: list[int] | None = None,
                 exclusive_objective: bool = False) -> None:
        super().__init__(slots, logs_dir)
        self.repo_root, self.factory = repo_root, factory
        self.worktrees_dir = hone_dir / "worktrees"
        self.scratch = hone_dir / "tmp"
        self.gpus = list(gpus or [])
        self.exclusive: AbstractContextManager[object] | None = (
            objective_lock() if exclusive_objective else None)
        self._submitted: list[Future[Outcome]] = []
        self._cancelled = False

    @classmethod
    def from_config(cls, config: Config, repo_root: Path, hone_dir: Path, logs_dir: Path,
                    factory: VerifierFactory) -> Executor:
        """`parallel` slots on this machine; one slot is the serial loop, verified inline."""
        ex = config.executor
        if ex.parallel == 1:
            return InlineExecutor(repo_root, hone_dir, logs_dir, factory,
                                  ex.exclusive_objective)
        return cls(repo_root, hone_dir, logs_dir, factory, ex.parallel, ex.gpus,
                   ex.exclusive_objective)

    def slot_env(self, slot: int) -> dict[str, str]:
        env = {**os.environ, "HONE_SLOT": str(slot)}
        if self.gpus:
            env["CUDA_VISIBLE_DEVICES"] = str(self.gpus[slot % len(self.gpus)])
        return env

    def _evaluate(self, job: Job, slot: int) -> Outcome:
        return evaluate_job(job, self.repo_root, self.worktrees_dir, f"exec-{slot}",
                            self.factory, self.slot_env(slot), self.scratch, self.exclusive,
                            keep=self.logs_dir)

    def submit(self, job: Job) -> Future[Outcome]:
        future = super().submit(job)
        self._submitted = [f for f in self._submitted if not f.done()] + [future]
        return future

    def cancel(self) -> None:
        super().cancel()
        # The slots' commands run in this process's threads: end their process trees.
        kill_running()
        self._cancelled = True

    def close(self) -> None:
        # After a cancel, a slot that was between two commands (gate, then objective) starts
        # the next one after the kill: keep killing until every slot has returned.
        deadline = time.monotonic() + 60
        while (self._cancelled and time.monotonic() < deadline
               and not all(f.done() for f in self._submitted)):
            kill_running()
            time.sleep(0.1)
        super().close()
