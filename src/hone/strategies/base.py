"""The parent-selection contract."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from hone.records import Attempt


@dataclass(frozen=True)
class Selection:
    """The parent(s) of the next attempt. With `parent2` the attempt is the three-way merge of
    the two; `extra` is recorded with the attempt (island, why this parent)."""

    parent: Attempt
    parent2: Attempt | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Strategy(abc.ABC):
    """Chooses the parent of the next attempt from the run's history.

    Must be a pure function of the history (and the champion), so that a resumed run makes the
    same choices as one that never stopped, and several slots may call it at once. Randomness
    is seeded from the run and the attempt id. `merges` says whether the planner may propose
    merges of lineages on this strategy's behalf.
    """

    name: str = "base"
    merges: bool = False

    @abc.abstractmethod
    def select_parent(self, history: list[Attempt], champion: Attempt, attempt_id: int
                      ) -> Attempt: ...

    def select(self, history: list[Attempt], champion: Attempt, attempt_id: int) -> Selection:
        """The parent with what to record about the choice; by default just `select_parent`."""
        return Selection(self.select_parent(history, champion, attempt_id))
