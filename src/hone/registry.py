"""Named plugins of one kind (mutator, strategy, executor, decider), chosen by a config key.

A plugin is one module with one class and one decorator: `@STRATEGIES.register("greedy")` on a
class whose `from_config(...)` builds it. The package that owns a registry imports all its
modules (`import_submodules`), so a new module registers itself without a list to edit.
A leaf: imports nothing of hone but its errors.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from hone.errors import ConfigError


class Plugin(Protocol):
    """What a registered class provides: how to build it from the run's settings."""

    @classmethod
    def from_config(cls, *args: Any, **kwargs: Any) -> Any: ...


T = TypeVar("T")
C = TypeVar("C", bound=type[Plugin])


class Registry(Generic[T]):
    """How to build each plugin of one kind, by name. `key` is the config key that names one.

    Registration happens at import time; lookups may come from any thread.
    """

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        self._builders: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[C], C]:
        """Class decorator: make the class selectable as `name`, built by its `from_config`."""

        def decorate(cls: C) -> C:
            self.add(name, cls.from_config)
            return cls

        return decorate

    def add(self, name: str, build: Callable[..., T]) -> None:
        """Register a builder. Two builders, one name: an error (a plugin must not silently
        replace another); registering the same one again is harmless."""
        known = self._builders.get(name)
        if known is not None and known != build:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._builders[name] = build

    def remove(self, name: str) -> None:
        """Forget `name` (tests that register a plugin of their own clean up with this)."""
        self._builders.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._builders)

    def check(self, name: str) -> None:
        """A one-line ConfigError naming the key and the choices when `name` is unknown."""
        if name not in self._builders:
            raise ConfigError(f"'{self.key}': unknown {self.kind} {name!r} "
                              f"(choose from {', '.join(self.names())})")

    def make(self, name: str, *args: Any, **kwargs: Any) -> T:
        """Build the plugin `name` (its `from_config(*args, **kwargs)`)."""
        self.check(name)
        return self._builders[name](*args, **kwargs)


def import_submodules(package: str, path: Iterable[str]) -> None:
    """Import every module under a package (its `__name__` and `__path__`), sub-packages too,
    so that their decorators run. Called by the package's own `__init__`: the imports go from
    a package to its own modules, never across packages, so they cannot close an import cycle
    as long as no module imports its package's `__init__` (tests/test_plugins.py checks it)."""
    for info in pkgutil.walk_packages(list(path), prefix=package + "."):
        importlib.import_module(info.name)
