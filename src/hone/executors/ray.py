"""`ray`: evaluations as Ray tasks, on a local Ray or a cluster (`auto`, `ray://host:10001`).

The repository goes to the cluster once per base commit, as a git bundle in Ray's object
store; each job travels as base commit + patch. A worker clones the bundle once (per machine),
builds the tree in its own worktree and runs the same verifier. Ray retries a task whose worker
died (`max_retries`); a candidate's failure is a result, not an exception, so it is not retried.
Ray is imported only here, only when this executor is used (`pip install 'hone-loop[ray]'`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

from hone.config.model import Config
from hone.errors import UsageError
from hone.executors.base import (
    Job,
    Outcome,
    SlotExecutor,
    VerifierFactory,
    evaluate_job,
    objective_lock,
)
from hone.executors.registry import EXECUTORS
from hone.vcs.git import git
from hone.verify.process import kill_running


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install 'hone-loop[ray]'") from None
    return ray


@EXECUTORS.register("ray")
class RayExecutor(SlotExecutor):
    """Starts a local Ray when `address` is empty (and none runs in this process), else joins
    the cluster at `address`. Leaves a Ray it did not start running."""

    name = "ray"
    shares_repository = False  # workers build trees from a bundle of the run's base commit

    def __init__(self, repo_root: Path, logs_dir: Path, factory: VerifierFactory,
                 slots: int = 1, address: str = "", gpus: list[int] | None = None,
                 exclusive_objective: bool = False, max_retries: int = 3) -> None:
        super().__init__(slots, logs_dir)
        ray = self.ray = import_ray()
        self.repo_root, self.factory = repo_root, factory
        self.exclusive = exclusive_objective
        self.started_ray = False
        if not ray.is_initialized():
            if address:
                ray.init(address=address, logging_level="WARNING", log_to_driver=False)
            else:
                ray.init(num_cpus=max(slots, os.cpu_count() or 1), include_dashboard=False,
                         logging_level="WARNING", log_to_driver=False)
                self.started_ray = True
        options: dict[str, Any] = {"max_retries": max_retries, "retry_exceptions": False,
                                   "num_cpus": 1}
        if gpus:
            options["num_gpus"] = 1  # Ray gives the task its GPU in CUDA_VISIBLE_DEVICES
        self._remote = ray.remote(**options)(_evaluate_on_worker)
        # Start the slots' worker processes now, while the baseline and the first proposals
        # run, rather than when the first evaluations wait for them.
        warm = ray.remote(num_cpus=options["num_cpus"], num_gpus=options.get("num_gpus", 0))
        self._warming = [warm(_warm_up).remote() for _ in range(slots)]
        self._bundles: dict[str, tuple[Any, str]] = {}
        self._lock = threading.Lock()
        self._running: set[Any] = set()

    @classmethod
    def from_config(cls, config: Config, repo_root: Path, hone_dir: Path, logs_dir: Path,
                    factory: VerifierFactory) -> RayExecutor:
        ex = config.executor
        return cls(repo_root, logs_dir, factory, ex.parallel, ex.ray_address, ex.gpus,
                   ex.exclusive_objective, ex.max_retries)

    def _bundle(self, base: str) -> tuple[Any, str]:
        """The object-store reference to a bundle holding `base`, made on first use."""
        with self._lock:
            if base not in self._bundles:
                ref = f"refs/hone/_bundle/{os.getpid()}"
                git("update-ref", ref, base, cwd=self.repo_root)
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "repo.bundle"
                    try:
                        git("bundle", "create", "--quiet", str(path), ref, cwd=self.repo_root)
                    finally:
                        git("update-ref", "-d", ref, cwd=self.repo_root)
                    data = path.read_bytes()
                key = hashlib.sha256(data).hexdigest()[:16]
                self._bundles[base] = (self.ray.put(data), key)
            return self._bundles[base]

    def _evaluate(self, job: Job, slot: int) -> Outcome:
        bundle, key = self._bundle(job.base)
        # In a list, so that Ray does not fetch the bundle for workers that have it cloned.
        ref = self._remote.remote([bundle], key, job, self.factory, self.exclusive)
        with self._lock:
            self._running.add(ref)
        try:
            outcome: Outcome = self.ray.get(ref)
        finally:
            with self._lock:
                self._running.discard(ref)
        return outcome

    def cancel(self) -> None:
        super().cancel()
        with self._lock:
            running = list(self._running)
        for ref in running:
            # Not force: the task gets KeyboardInterrupt, and run_command kills its process
            # tree on the way out (a forced kill would orphan the objective).
            self.ray.cancel(ref, force=False)

    def close(self) -> None:
        super().close()
        if self.started_ray:
            self.ray.shutdown()


def _warm_up() -> int:
    import hone.executors.base  # noqa: F401 - the import is the warm-up

    return os.getpid()


def _evaluate_on_worker(bundle: list[Any], key: str, job: Job, factory: VerifierFactory,
                        exclusive: bool) -> Outcome:
    """On a Ray worker: clone the bundle once per machine, then evaluate the job."""
    import ray
    from filelock import FileLock

    root = Path(tempfile.gettempdir()) / "hone-ray" / key
    repo = root / "repo"
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / "clone.lock")):
        if not (repo / ".git").exists():
            shutil.rmtree(repo, ignore_errors=True)  # a clone cut short by a lost worker
            path = root / "repo.bundle"
            path.write_bytes(ray.get(bundle[0]))
            # Not `git clone`: it would fetch branches only, and the bundle's ref is hone's.
            repo.mkdir()
            git("init", "--quiet", cwd=repo)
            git("fetch", "--quiet", str(path), "+refs/*:refs/bundle/*", cwd=repo)
    lock = objective_lock() if exclusive else None
    # One worker process runs one task at a time: its pid names its worktree.
    outcome: list[Outcome] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(evaluate_job(job, repo, root / "worktrees", f"w{os.getpid()}",
                                        factory, dict(os.environ), root / "scratch", lock))
        except BaseException as exc:
            failed.append(exc)

    # Ray cancels a running task by raising KeyboardInterrupt in its thread between two
    # bytecodes, which never comes while that thread blocks waiting for the objective. So the
    # work runs in a thread and this one waits in short steps, then kills the process trees.
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
        # Ray cancels through a simulated SIGINT, which does nothing while SIGINT is ignored
        # (as it is for a worker started from a background job).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        kill_running()
        worker.join(10)
        raise
    if failed:
        raise failed[0]
    return outcome[0]
