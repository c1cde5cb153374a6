"""Where evaluations run. Add one: a new module with an `Executor` subclass decorated
`@EXECUTORS.register(name)` (from `hone.executors.registry`); every module here is imported."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from hone.config.model import Config
from hone.executors.base import Executor, Job, Outcome, VerifierFactory
from hone.executors.registry import EXECUTORS
from hone.registry import import_submodules
from hone.verify.guard import Guard
from hone.verify.verifier import build_verifier

import_submodules(__name__, __path__)


def verifier_factory(config: Config, guard: Guard | None = None) -> VerifierFactory:
    """How workers build the run's verifier: its config and its guard of protected files."""
    return partial(build_verifier, config, guard=guard)


def make_executor(config: Config, repo_root: Path, hone_dir: Path, logs_dir: Path,
                  factory: VerifierFactory | None = None) -> Executor:
    """The executor `[executor] kind` names, with `parallel` slots."""
    return EXECUTORS.make(config.executor.kind, config, repo_root, hone_dir, logs_dir,
                          factory or verifier_factory(config))


__all__ = ["EXECUTORS", "Executor", "Job", "Outcome", "make_executor", "verifier_factory"]
