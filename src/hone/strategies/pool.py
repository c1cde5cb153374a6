"""Helpers shared by strategies: which attempts can be parents, ranking, seeded randomness."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hone.direction import Direction
from hone.records import Attempt, Status

PARENT_STATUSES = (Status.BASELINE, Status.KEPT, Status.DISCARDED)


def can_parent(a: Attempt) -> bool:
    """Measured code that passed its gates: a baseline, a kept or a discarded attempt, not
    descended from a vetoed one."""
    return (a.status in PARENT_STATUSES and a.score is not None and a.commit is not None
            and not a.tainted)


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
    but not exactly as well (an exact tie is the champion's score again: a no-op or a stale
    lineage, not an idea that almost worked), and whose decision measured them close, not
    one lucky draw (`measured_close`)."""
    if champion.score is None:
        return []
    scale = abs(champion.score) or 1.0
    window = [a for a in history if a.status is not Status.RUNNING][-recent:]
    return [a for a in window if a.status is Status.DISCARDED and can_parent(a)
            and a.score != champion.score
            and abs((a.score or 0.0) - champion.score) <= distance * scale
            and measured_close(a, distance)]


def measured_close(a: Attempt, distance: float) -> bool:
    """Whether the interval of the attempt's decision (its relative shift against the
    champion of that moment) stays within `distance` below it: its runs together say it is
    close. An open or missing lower end (two runs of a noisy objective, stopped early) is a
    draw, not evidence; an attempt decided without an interval (the `strict` rule, older
    journals) is judged on its score alone."""
    interval = a.decision.evidence.get("interval") if a.decision is not None else None
    if not isinstance(interval, list) or len(interval) != 2:
        return True
    low = interval[0]
    return isinstance(low, int | float) and low >= -distance
