"""The parent-selection contract."""

from __future__ import annotations

import abc

from hone.records import Attempt


class Strategy(abc.ABC):
    """Chooses the parent of the next attempt from the run's history.

    Must be a pure function of the history (and the champion), so that a resumed run makes the
    same choices as one that never stopped.
    """

    name: str = "base"

    @abc.abstractmethod
    def select_parent(self, history: list[Attempt], champion: Attempt, attempt_id: int
                      ) -> Attempt: ...
