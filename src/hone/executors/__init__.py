"""Where evaluations run. Add one: an `Executor` subclass in a new module and a line here."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from hone.config.model import Config
from hone.errors import UsageError
from hone.executors.base import Executor, Job, Outcome, VerifierFactory
from hone.verify.guard import Guard
from hone.verify.verifier import build_verifier


def _local(config: Config, repo_root: Path, hone_dir: Path, logs_dir: Path,
           factory: VerifierFactory) -> Executor:
    from hone.executors.base import InlineExecutor
    from hone.executors.local import LocalExecutor

    ex = config.executor
    if ex.parallel == 1:  # the serial loop: verified in the loop's own thread
        return InlineExecutor(repo_root, hone_dir, logs_dir, factory)
    return LocalExecutor(repo_root, hone_dir, logs_dir, factory, ex.parallel, ex.gpus,
                         ex.exclusive_objective)


def _ray(config: Config, repo_root: Path, hone_dir: Path, logs_dir: Path,
         factory: VerifierFactory) -> Executor:
    from hone.executors.ray import RayExecutor

    ex = config.executor
    return RayExecutor(repo_root, logs_dir, factory, ex.parallel, ex.ray_address, ex.gpus,
                       ex.exclusive_objective, ex.max_retries)


REGISTRY: dict[str, Callable[[Config, Path, Path, Path, VerifierFactory], Executor]] = {
    "local": _local,
    "ray": _ray,
}


def verifier_factory(config: Config, guard: Guard | None = None) -> VerifierFactory:
    """How workers build the run's verifier: its config and its guard of protected files."""
    return partial(build_verifier, config, guard=guard)


def make_executor(config: Config, repo_root: Path, hone_dir: Path, logs_dir: Path,
                  factory: VerifierFactory | None = None) -> Executor:
    """The executor `[executor] kind` names, with `parallel` slots."""
    kind = config.executor.kind
    if kind not in REGISTRY:
        raise UsageError(f"unknown executor {kind!r} (choose from {', '.join(REGISTRY)})")
    return REGISTRY[kind](config, repo_root, hone_dir, logs_dir,
                          factory or verifier_factory(config))


__all__ = ["REGISTRY", "Executor", "Job", "Outcome", "make_executor", "verifier_factory"]
