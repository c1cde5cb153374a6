"""The executor contract: where one evaluation (base commit + patch -> verdict, logs) runs.

Every implementation must pass tests/executors/test_contract.py.
"""

from __future__ import annotations

import abc
import os
import queue
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from hone.executors.lock import NodeLock as NodeLock
from hone.executors.lock import objective_lock as objective_lock
from hone.executors.lock import sharing
from hone.executors.logs import job_scratch, keep_logs, read_logs, remove_later
from hone.records import Purpose
from hone.vcs.git import IDENTITY, SAFE_CONFIG, Repo
from hone.vcs.worktrees import Worktrees
from hone.verify import holdout, prestart
from hone.verify.early import Reference
from hone.verify.verifier import StageFailure, Verdict, Verifier

_T = TypeVar("_T")

# Builds the verifier on the machine that runs the job: (logs_dir, env) -> Verifier. Must
# pickle (Ray ships it to workers): `functools.partial(build_verifier, config)` does.
VerifierFactory = Callable[[Path, dict[str, str]], Verifier]


@dataclass(frozen=True)
class Job:
    """One evaluation of the tree `base` + `patch` (a `git diff --binary` from `base`).

    `purpose` says what runs: the gates then the objective (verify, baseline, reverify), the
    objective alone (remeasure, confirm) or the holdout (its own command, the holdout's files
    present). `seeds` empty means the config's seeds; `gates=False` skips the gates (extra
    baseline repeats); `label` tells the logs of repeated runs apart; `reference`: the
    champion, to stop a clearly worse candidate early; `shared`: its objective may overlap
    others' (a deterministic one), so `exclusive_objective` does not hold it back.
    """

    attempt_id: int
    base: str
    patch: bytes = b""
    seeds: tuple[int, ...] = ()
    gates: bool = True
    label: str = ""
    purpose: Purpose = Purpose.VERIFY
    reference: Reference | None = None
    shared: bool = False


@dataclass(frozen=True)
class Outcome:
    """What came back: the verdict, every command's log (file name -> text), where and when."""

    attempt_id: int
    verdict: Verdict
    logs: dict[str, str] = field(default_factory=dict)
    slot: str = ""
    host: str = ""
    started: float = 0.0
    finished: float = 0.0


class Executor(abc.ABC):
    """Runs evaluations away from the loop's thread, at most `slots` at a time.

    Contract, the same for every implementation:
    * `submit(job)` returns at once a Future of an `Outcome`; jobs beyond `slots` wait.
    * The evaluated tree is `job.base` with `job.patch` applied, in a worktree hone owns (never
      the user's); the verifier is built by the factory, so gates, objective, timeouts and
      sandbox are exactly the loop's.
    * A failure of the candidate (patch does not apply, gate fails, objective crashes or times
      out) is an Outcome whose verdict has a `failure` with its stage, never an exception, and
      is never retried. The Future raises only when the executor itself broke.
    * A timeout kills the command's whole process tree.
    * Every command's log comes back in `Outcome.logs` and is written under
      `logs_dir/<attempt id:05d>/` on this machine (what `hone show` lists).
    * `cancel()` (Ctrl-C) kills what runs, process trees included; `close()` waits for the
      rest and releases the executor.
    """

    name: str = "base"
    slots: int = 1
    # True when jobs run against this machine's repository, so that a job may name any of
    # its commits as `base` with no patch; False when the repository travels (Ray).
    shares_repository: bool = True
    # Attempts the loop keeps in flight per slot: proposing the next while one is verified.
    lookahead: int = 2

    @abc.abstractmethod
    def submit(self, job: Job) -> Future[Outcome]: ...

    def prestart(self, job: Job) -> None:
        """A hint that `job` (its `base` not known yet) is likely the next one submitted: an
        executor may get ready for it (the serial one builds the jail of its first command
        while the mutator still proposes, verify/prestart.py). Never changes what runs."""
        return None  # by default: nothing to get ready

    @abc.abstractmethod
    def cancel(self) -> None:
        """Kill every running evaluation; queued ones are dropped."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is not None:
            self.cancel()
        self.close()


class SlotExecutor(Executor):
    """An executor with `slots` numbered slots: one thread each, on this machine, that runs
    `_evaluate(job, slot)` (in place, or by waiting on a remote worker) and writes the logs
    (unless `keeps_logs`: `_evaluate` kept them itself, see `evaluate_job`'s `keep`)."""

    keeps_logs = False

    def __init__(self, slots: int, logs_dir: Path) -> None:
        self.slots = slots
        self.logs_dir = logs_dir
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(slots):
            self._free.put(i)
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix=f"hone-{self.name}")

    def submit(self, job: Job) -> Future[Outcome]:
        return self._pool.submit(self._in_slot, job)

    def _in_slot(self, job: Job) -> Outcome:
        slot = self._free.get()
        try:
            outcome = self._evaluate(job, slot)
        finally:
            self._free.put(slot)
        return outcome if self.keeps_logs else keep_logs(self.logs_dir, outcome)

    @abc.abstractmethod
    def _evaluate(self, job: Job, slot: int) -> Outcome: ...

    def cancel(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def evaluate_job(job: Job, repo_root: Path, worktrees_dir: Path, slot: str,
                 factory: VerifierFactory, env: dict[str, str], scratch: Path,
                 exclusive: AbstractContextManager[object] | None = None,
                 keep: Path | None = None) -> Outcome:
    """Build the job's tree in worktree `slot` of the repository at `repo_root`, verify it
    and read its logs back. Runs wherever the executor puts it (a local thread, a Ray worker).
    `keep`: the run's logs folder when it is on this machine: the logs are kept there (moved
    from the scratch folder, see `keep_logs`)."""
    started = time.time()
    # The loop's own Repo when it runs in this process: the proposer's commit is then known
    # (its file list follows from the parent's), so neither `git clean` nor `git ls-tree` runs.
    repo = Repo.at(repo_root)
    worktrees = Worktrees(repo, worktrees_dir)
    workdir = worktrees.checkout(slot, job.base)
    commit: str | None = job.base
    failure = apply_patch(workdir, job.patch)
    if failure is None and job.patch:
        # Committed, so that the worktree is exactly a commit: the verifier's guard cleans
        # everything uncommitted away before it runs anything.
        commit = worktrees.commit(slot, f"hone attempt #{job.attempt_id}")
    if failure is not None:
        return Outcome(job.attempt_id, Verdict(failure), {}, slot, socket.gethostname(),
                       started, time.time())
    logs_dir = job_scratch(scratch, job, slot)
    if logs_dir.exists():  # left by a killed hone
        shutil.rmtree(logs_dir, ignore_errors=True)
    try:
        # A clean checkout of `commit`: the guard has nothing to clean up first.
        tree = repo.blobs(commit) if commit and not job.patch else None
        verdict = run_job(job, factory(logs_dir, env), workdir,
                          sharing(exclusive) if job.shared else exclusive, tree)
        written = logs_dir / f"{job.attempt_id:05d}"
        outcome = Outcome(job.attempt_id, verdict, read_logs(written), slot,
                          socket.gethostname(), started, time.time())
        return outcome if keep is None else keep_logs(keep, outcome, written)
    finally:
        remove_later(logs_dir)


# The kind of measurement each purpose records: only `objective` runs are pooled for decisions.
KIND = {Purpose.VERIFY: "objective", Purpose.BASELINE: "objective",
        Purpose.REMEASURE: "objective", Purpose.REVERIFY: "confirm",
        Purpose.CONFIRM: "confirm", Purpose.HOLDOUT: holdout.KIND,
        Purpose.EQUIVALENCE: "equivalence"}


def run_job(job: Job, verifier: Verifier, workdir: Path,
            exclusive: AbstractContextManager[object] | None = None,
            tree: Mapping[str, str] | None = None) -> Verdict:
    """Run `job`'s purpose with `verifier` on `workdir` (already the job's tree; `tree`: its
    blob ids when it was just checked out cleanly, see `Guard.prepare`)."""
    if job.purpose is Purpose.HOLDOUT:
        result = holdout.run_in(verifier, workdir, job.attempt_id, job.label, tree, exclusive)
        if isinstance(result, StageFailure):
            return Verdict(result)
        return Verdict(None, result)
    return verifier.verify(workdir, job.attempt_id, job.seeds or None,
                           gates=job.gates and job.purpose.gates, label=job.label,
                           exclusive=exclusive, kind=KIND[job.purpose], tree=tree,
                           reference=job.reference)


def run_now(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> Future[_T]:
    """`fn(*args, **kwargs)` run now, in this thread, as a finished future: an Exception it
    raises is the future's, as a worker thread's would be; an interrupt propagates at once."""
    future: Future[_T] = Future()
    try:
        future.set_result(fn(*args, **kwargs))
    except Exception as exc:
        future.set_exception(exc)
    return future


def proposer_slot(index: int) -> str:
    """The name of the worktree where the scheduler's proposer `index` edits and commits."""
    return f"propose-{index}"


class InlineExecutor(Executor):
    """One slot that evaluates in the caller's thread: `submit` returns a finished Future.

    The serial loop's executor: attempt k is verified, and decided, before k+1 is proposed.
    So it verifies in the proposer's own worktree, which already holds the commit the proposer
    just made: no second worktree, no checkout per attempt.
    """

    name = "inline"
    slots = 1
    lookahead = 1  # attempt k+1 is opened once k is decided: it sees every attempt before it

    def __init__(self, repo_root: Path, hone_dir: Path, logs_dir: Path,
                 factory: VerifierFactory, exclusive_objective: bool = False) -> None:
        self.repo_root, self.factory, self.logs_dir = repo_root, factory, logs_dir
        self.worktrees_dir = hone_dir / "worktrees"
        self.scratch = hone_dir / "tmp"
        # One slot here, but other runs' objectives may be measuring on this machine.
        self.exclusive = objective_lock() if exclusive_objective else None

    def submit(self, job: Job) -> Future[Outcome]:
        # An exception is the executor's breaking, not the candidate's: the future holds it.
        return run_now(evaluate_job, job, self.repo_root, self.worktrees_dir, proposer_slot(0),
                       self.factory, self._env(), self.scratch, self.exclusive,
                       keep=self.logs_dir)

    def prestart(self, job: Job) -> None:
        workdir = self.worktrees_dir / proposer_slot(0)
        if not (workdir / ".git").exists():
            return
        verifier = self.factory(job_scratch(self.scratch, job, proposer_slot(0)), self._env())
        verifier.prestart(workdir, job.attempt_id, job.seeds, kind=KIND[job.purpose],
                          gates=job.gates and job.purpose.gates, label=job.label)

    @staticmethod
    def _env() -> dict[str, str]:
        return {**os.environ, "HONE_SLOT": "0"}

    def cancel(self) -> None:
        from hone.verify.process import kill_running

        kill_running()

    def close(self) -> None:
        prestart.discard(self.worktrees_dir / proposer_slot(0))


def apply_patch(workdir: Path, patch: bytes) -> StageFailure | None:
    """Apply a binary git diff to the worktree's files; the reason when it does not apply."""
    if not patch:
        return None
    proc = subprocess.run(["git", *SAFE_CONFIG, "apply", "--binary", "--whitespace=nowarn", "-"],
                          cwd=workdir, input=patch, capture_output=True,
                          env={**os.environ, **IDENTITY})
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        return StageFailure("apply", "the patch does not apply to its base commit",
                            "\n".join(err.splitlines()[-10:]))
    return None


def binary_diff(repo: Path, base: str, commit: str) -> bytes:
    """The patch that turns `base` into `commit` (binary files and modes included)."""
    if base == commit:
        return b""
    proc = subprocess.run(["git", *SAFE_CONFIG, "diff", "--binary", "--full-index",
                           "--no-color", "--no-ext-diff", "--no-renames", base, commit],
                          cwd=repo, capture_output=True, check=True)
    return proc.stdout
