"""The registry of executors (`[executor] kind`). Its own module so that an executor module can
register itself (`@EXECUTORS.register(name)` on an `Executor` subclass with `from_config(config,
repo_root, hone_dir, logs_dir, factory)`) without importing the package's `__init__`."""

from __future__ import annotations

from hone.executors.base import Executor
from hone.registry import Registry

EXECUTORS: Registry[Executor] = Registry("executor", "executor.kind")
