"""The parent-selection contract, and the registry of strategies (`[search] strategy`)."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from hone.config.model import Config
from hone.records import Attempt, Hints
from hone.registry import Registry


@dataclass(frozen=True)
class Selection:
    """The parent(s) of the next attempt. With `parent2` the attempt is the three-way merge of
    the two; `hints` (island, why this parent) and `notes` (free-form, read by this strategy
    alone) are recorded with the attempt."""

    parent: Attempt
    parent2: Attempt | None = None
    hints: Hints = field(default_factory=Hints)
    notes: dict[str, Any] = field(default_factory=dict)


class Strategy(abc.ABC):
    """Chooses the parent of the next attempt from the run's history.

    Must be a pure function of the history (and the champion), so that a resumed run makes the
    same choices as one that never stopped, and several slots may call it at once. Randomness
    is seeded from the run and the attempt id. The parent is a decided attempt of the history
    that can parent (`pool.can_parent`). `merges` says whether the planner may propose merges
    of lineages on this strategy's behalf.

    Add one: a module in this package with a subclass decorated `@STRATEGIES.register(name)`
    (and `name` set to the same); tests/strategies/test_contract.py then runs it.
    """

    name: str = "base"
    merges: bool = False

    @classmethod
    def from_config(cls, config: Config) -> Strategy:
        """Build it from the run's config (override when the strategy has settings)."""
        return cls()

    @abc.abstractmethod
    def select_parent(self, history: list[Attempt], champion: Attempt, attempt_id: int
                      ) -> Attempt: ...

    def select(self, history: list[Attempt], champion: Attempt, attempt_id: int) -> Selection:
        """The parent with what to record about the choice; by default just `select_parent`."""
        return Selection(self.select_parent(history, champion, attempt_id))


STRATEGIES: Registry[Strategy] = Registry("strategy", "search.strategy")
