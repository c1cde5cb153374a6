"""The champion's score: one estimate pooled over all its measurements, not its luckiest run."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Literal

from hone.records import Measurement

Aggregation = Literal["median", "mean", "min", "max"]


def finite_scores(measurements: Sequence[Measurement]) -> list[float]:
    """The scores of the measurements that produced a finite one, in order."""
    return [m.score for m in measurements if m.score is not None and math.isfinite(m.score)]


def pooled_score(scores: Sequence[float | None], how: Aggregation = "median") -> float | None:
    """Aggregate every finite score (the median by default); None when there is none.

    Re-measuring the champion adds to its pool, so its estimate regresses towards its true score
    instead of staying at the lucky run that got it kept (the winner's curse).
    """
    finite = [s for s in scores if s is not None and math.isfinite(s)]
    if not finite:
        return None
    if how == "median":
        return float(statistics.median(finite))
    if how == "mean":
        return float(statistics.fmean(finite))
    return float(min(finite) if how == "min" else max(finite))


def one_per_seed(measurements: Sequence[Measurement]) -> list[Measurement]:
    """The first measurement with a finite score of each seed, in order: the runs of a
    deterministic objective, where a rerun of a seed repeats its score and would otherwise
    count that seed twice in a median."""
    seen: dict[int, Measurement] = {}
    for m in measurements:
        if m.score is not None and math.isfinite(m.score):
            seen.setdefault(m.seed, m)
    return list(seen.values())


def pooled_champion(measurements: Sequence[Measurement],
                    how: Aggregation = "median") -> float | None:
    """The champion's score from all its measurements."""
    return pooled_score(finite_scores(measurements), how)
