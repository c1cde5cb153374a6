"""`population`: parents drawn from the top-K and from recent near-misses.

With probability `exploit` the parent is one of the K best attempts (the better, the likelier);
otherwise a recent near-miss (discarded, but close to the champion), so that ideas that almost
worked get a second chance instead of the search always starting from one champion.
"""

from __future__ import annotations

from hone.config.model import Config, SearchSection
from hone.direction import Direction
from hone.records import Attempt, Hints
from hone.strategies.base import STRATEGIES, Selection, Strategy
from hone.strategies.pool import best_first, can_parent, near_misses, rank_weighted, rng_for


@STRATEGIES.register("population")
class PopulationStrategy(Strategy):
    name = "population"
    merges = True

    def __init__(self, search: SearchSection, direction: Direction) -> None:
        self.search, self.direction = search, direction

    @classmethod
    def from_config(cls, config: Config) -> Strategy:
        return cls(config.search, config.objective.direction)

    def select_parent(self, history: list[Attempt], champion: Attempt, attempt_id: int
                      ) -> Attempt:
        return self.select(history, champion, attempt_id).parent

    def select(self, history: list[Attempt], champion: Attempt, attempt_id: int) -> Selection:
        rng = rng_for(history, attempt_id, self.name)
        others = [a for a in history if can_parent(a) and a.id != champion.id]
        # The champion heads the list whatever its score became after re-measurement.
        top = [champion, *best_first(others, self.direction)][:self.search.population]
        in_top = {a.id for a in top}
        near = [a for a in near_misses(history, champion, self.search.near_miss)
                if a.id not in in_top]
        if near and rng.random() >= self.search.exploit:
            return Selection(rng.choice(near), hints=Hints(pick="near-miss"))
        return Selection(rank_weighted(top, rng), hints=Hints(pick="top-k"))
