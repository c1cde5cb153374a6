"""How parents are chosen. Add one: a `Strategy` subclass in a new module and a line here."""

from __future__ import annotations

from collections.abc import Callable

from hone.config.model import Config
from hone.errors import UsageError
from hone.strategies.base import Selection, Strategy
from hone.strategies.greedy import GreedyStrategy
from hone.strategies.islands import IslandsStrategy
from hone.strategies.population import PopulationStrategy

REGISTRY: dict[str, Callable[[Config], Strategy]] = {
    "greedy": lambda config: GreedyStrategy(),
    "population": lambda c: PopulationStrategy(c.search, c.objective.direction),
    "islands": lambda c: IslandsStrategy(c.search, c.objective.direction),
}


def make_strategy(name: str, config: Config) -> Strategy:
    if name not in REGISTRY:
        raise UsageError(f"strategy {name!r} is not available (choose from {', '.join(REGISTRY)})")
    return REGISTRY[name](config)


__all__ = ["REGISTRY", "Selection", "Strategy", "make_strategy"]
