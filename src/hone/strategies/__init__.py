"""How parents are chosen. Add one: a new module with a `Strategy` subclass decorated
`@STRATEGIES.register(name)`; every module here is imported, so nothing else needs a line."""

from __future__ import annotations

from hone.config.model import Config
from hone.registry import import_submodules
from hone.strategies.base import STRATEGIES, Selection, Strategy

import_submodules(__name__, __path__)


def make_strategy(name: str, config: Config) -> Strategy:
    """The strategy registered as `name`; a one-line ConfigError with the choices otherwise."""
    return STRATEGIES.make(name, config)


__all__ = ["STRATEGIES", "Selection", "Strategy", "make_strategy"]
