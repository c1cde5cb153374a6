"""How parents are chosen. Add one: a `Strategy` subclass in a new module and a line here."""

from __future__ import annotations

from collections.abc import Callable

from hone.config.model import Config
from hone.errors import UsageError
from hone.strategies.base import Strategy
from hone.strategies.greedy import GreedyStrategy

REGISTRY: dict[str, Callable[[Config], Strategy]] = {
    "greedy": lambda config: GreedyStrategy(),
}


def make_strategy(name: str, config: Config) -> Strategy:
    if name not in REGISTRY:
        raise UsageError(f"strategy {name!r} is not available (choose from {', '.join(REGISTRY)})")
    return REGISTRY[name](config)


__all__ = ["REGISTRY", "Strategy", "make_strategy"]
