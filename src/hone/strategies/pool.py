"""Helpers shared by strategies: which attempts can be parents, ranking, seeded randomness."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hone.direction import Direction
from hone.records import Attempt, Status

PARENT_STATUSES = (Status.BASELINE, Status.KEPT, Status.DISCARDED)


def can_parent(a: Attempt) -> bool:
    """Measured code that passed its gates: a baseline, a kept or a discarded attempt."""
    return a.status in PARENT_STATUSES and a.score is not None and a.commit is not None


def best_first(attempts: Sequence[Attempt], direction: Direction) -> list[Attempt]:
    """Best score first; among equals the older one (it was confirmed first); unscored last."""
    return sorted(attempts, key=lambda a: (direction.key(a.score), a.id))


def rng_for(history: Sequence[Attempt], attempt_id: int, salt: str) -> random.Random:
    run = history[0].run if history else ""
    return random.Random(f"{run}:{attempt_id}:{salt}")


def rank_weighted(ranked: Sequence[Attempt], rng: random.Random) -> Attempt:
    """One of `ranked` (best first), the i-th with weight 1/(i+1)."""
    return rng.choices(list(ranked), weights=[1 / (i + 1) for i in range(len(ranked))])[0]


def near_misses(history: Sequence[Attempt], champion: Attempt, distance: float,
                recent: int = 30) -> list[Attempt]:
    """Recent discarded attempts that scored within `distance` (relative) of the champion,
    but not exactly as well: an exact tie is the champion's score again (a no-op or a stale
    lineage), not an idea that almost worked."""
    if champion.score is None:
        return []
    scale = abs(champion.score) or 1.0
    window = [a for a in history if a.status is not Status.RUNNING][-recent:]
    return [a for a in window if a.status is Status.DISCARDED and can_parent(a)
            and a.score != champion.score
            and abs((a.score or 0.0) - champion.score) <= distance * scale]
