"""`islands`: N populations evolving apart, the best migrating around a ring.

Attempt k belongs to island (k-1) mod N and its parent is drawn from that island's members
(the baseline, the island's own measured attempts and the migrants it received). Every
`migrate_every` attempts each island's best joins the next island on the ring, and an island
whose best has not improved for two migration periods, and is not the run's best, is restarted
from the run's best. Everything is replayed from the history, so nothing is kept between calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hone.config.model import Config, SearchSection
from hone.direction import Direction
from hone.records import Attempt, Hints
from hone.strategies.base import STRATEGIES, Selection, Strategy
from hone.strategies.pool import best_first, can_parent, rank_weighted, rng_for


def island_of(attempt: Attempt | int, n: int) -> int:
    """The island an attempt belongs to: the one recorded with it, else by its id."""
    if isinstance(attempt, Attempt):
        recorded = attempt.hints.island
        if recorded is not None:
            return recorded % n
        attempt = attempt.id
    return (attempt - 1) % n


@dataclass
class Archipelago:
    """Island membership after replaying the history up to one attempt."""

    members: list[list[Attempt]]
    last_improved: list[int]
    events: list[dict[str, Any]] = field(default_factory=list)  # at the latest boundary


@STRATEGIES.register("islands")
class IslandsStrategy(Strategy):
    name = "islands"
    merges = True

    def __init__(self, search: SearchSection, direction: Direction) -> None:
        self.search, self.direction = search, direction
        self.n = search.islands

    @classmethod
    def from_config(cls, config: Config) -> Strategy:
        return cls(config.search, config.objective.direction)

    def _best(self, attempts: list[Attempt]) -> Attempt:
        return best_first(attempts, self.direction)[0]

    def replay(self, history: list[Attempt], attempt_id: int) -> Archipelago:
        """Membership of every island when attempt `attempt_id` is chosen."""
        baseline = history[0]
        arch = Archipelago([[baseline] for _ in range(self.n)], [0] * self.n)
        every = self.search.migrate_every
        pending = sorted((a for a in history[1:] if a.id < attempt_id and can_parent(a)),
                         key=lambda a: a.id)
        for boundary in range(every, attempt_id + 1, every):
            while pending and pending[0].id < boundary:
                self._add(arch, pending.pop(0))
            arch.events = self._boundary(arch, boundary)
        for a in pending:
            self._add(arch, a)
        return arch

    def _add(self, arch: Archipelago, a: Attempt) -> None:
        i = island_of(a, self.n)
        best = self._best(arch.members[i])
        arch.members[i].append(a)
        if self.direction.better(a.score or 0.0, best.score or 0.0):
            arch.last_improved[i] = a.id

    def _boundary(self, arch: Archipelago, boundary: int) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        bests = [self._best(m) for m in arch.members]
        overall = self._best(bests)
        for i, best in enumerate(bests):  # migration, from the bests before any arrival
            j = (i + 1) % self.n
            if j != i and all(m.id != best.id for m in arch.members[j]):
                arch.members[j].append(best)
                events.append({"migrate": best.id, "from": i, "to": j})
        for i in range(self.n):
            stale = boundary - arch.last_improved[i] >= 2 * self.search.migrate_every
            if stale and self._best(arch.members[i]).id != overall.id and self.n > 1:
                arch.members[i] = [overall]
                arch.last_improved[i] = boundary
                events.append({"restart": i, "from": overall.id})
        return events

    def select_parent(self, history: list[Attempt], champion: Attempt, attempt_id: int
                      ) -> Attempt:
        return self.select(history, champion, attempt_id).parent

    def select(self, history: list[Attempt], champion: Attempt, attempt_id: int) -> Selection:
        arch = self.replay(history, attempt_id)
        island = island_of(attempt_id, self.n)
        members = best_first(arch.members[island], self.direction)[:self.search.population]
        rng = rng_for(history, attempt_id, self.name)
        parent = members[0] if rng.random() < self.search.exploit else rank_weighted(members, rng)
        notes: dict[str, Any] = {}
        if attempt_id % self.search.migrate_every == 0 and arch.events:
            notes["island_events"] = arch.events  # recorded once, on the boundary attempt
        return Selection(parent, hints=Hints(island=island), notes=notes)
