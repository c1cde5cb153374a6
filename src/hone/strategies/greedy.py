"""`greedy` (autoresearch): the champion is always the parent."""

from __future__ import annotations

from hone.records import Attempt
from hone.strategies.base import STRATEGIES, Strategy


@STRATEGIES.register("greedy")
class GreedyStrategy(Strategy):
    name = "greedy"

    def select_parent(self, history: list[Attempt], champion: Attempt, attempt_id: int
                      ) -> Attempt:
        return champion
