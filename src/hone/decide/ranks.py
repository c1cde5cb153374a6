"""Rank statistics for the deciders: Mann-Whitney U, its Hodges-Lehmann interval, and
sequential boundaries calibrated so that peeking after every run keeps the false-keep rate.

Scores are turned into *gains* first (`Direction.oriented`: the score for `max`, its negation
for `min`), so that "larger is better" everywhere below.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from hone.direction import Direction

# numpy is imported in the functions that use it: every command that imports the deciders
# (status, show) would pay its start-up; the normal law is the standard library's.

# Calibration draws: the estimated false-keep rate then has a standard error of about 0.15%.
_CALIBRATION_DRAWS = 20_000


def gains(scores: Sequence[float], direction: Direction) -> list[float]:
    """Scores oriented so that larger is better."""
    return [direction.oriented(s) for s in scores]


def u_statistic(better: Sequence[float], worse: Sequence[float]) -> float:
    """Mann-Whitney U of `better` over `worse`: pairs where it is larger, ties counting half."""
    import numpy as np

    a = np.asarray(better, dtype=float)[:, None]
    b = np.asarray(worse, dtype=float)[None, :]
    return float((a > b).sum() + 0.5 * (a == b).sum())


def u_z(u: float, n: int, m: int) -> float:
    """U standardised under the null of one distribution (no tie correction)."""
    sd = math.sqrt(n * m * (n + m + 1) / 12.0)
    return (u - n * m / 2.0) / sd if sd > 0 else 0.0


def u_for_z(z: float, n: int, m: int) -> float:
    """The U at which the standardised statistic equals `z`."""
    return n * m / 2.0 + z * math.sqrt(n * m * (n + m + 1) / 12.0)


def p_upper(z: float) -> float:
    """One-sided p-value of a standardised statistic (normal approximation)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def z_two_sided(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval at `confidence`."""
    return statistics.NormalDist().inv_cdf((1 + confidence) / 2)


@dataclass(frozen=True)
class ShiftEstimate:
    """Hodges-Lehmann shift of candidate over reference, with the interval that inverts U."""

    estimate: float
    low: float
    high: float


def hodges_lehmann(cand: Sequence[float], ref: Sequence[float], u_crit: float) -> ShiftEstimate:
    """Median of all pairwise differences, and the interval of shifts d for which the shifted
    candidate's U (one side or the other) does not exceed `u_crit`.

    The lower end is above zero exactly when U > u_crit, so the interval and the test agree.
    Ends that the sample sizes cannot bound are infinite.
    """
    import numpy as np

    diffs = np.sort((np.asarray(cand, dtype=float)[:, None]
                     - np.asarray(ref, dtype=float)[None, :]).ravel())
    r = math.floor(u_crit) if u_crit >= 0 else -1
    n = diffs.size
    low = float(diffs[n - 1 - r]) if 0 <= r < n else -math.inf
    high = float(diffs[r]) if 0 <= r < n else math.inf
    return ShiftEstimate(float(np.median(diffs)), low, high)


def fresh_runs(n: int, every: int) -> int:
    """Fresh champion runs interleaved with `n` candidate runs: one per `every` of them."""
    return -(-n // every)


def information(n: int, m: int) -> float:
    """Statistical information of n candidate runs against m champion runs, in runs."""
    return n * m / (n + m)


@dataclass(frozen=True)
class Boundaries:
    """Sequential boundaries for looks at `looks` candidate runs, the champion having `pool`
    older runs plus one fresh run per `every` candidate runs.

    They are two parallel lines on the score S = z * sqrt(I) against the information I (a
    truncated sequential probability ratio test, as in Wald's SPRT and Whitehead's designs):
    keep above `upper + slope * I`, give up below `-lower + slope * I`, at the last look keep
    only above the upper line.
    """

    looks: tuple[int, ...]
    pool: int
    every: int
    upper: float
    lower: float
    slope: float

    def fresh(self, n: int) -> int:
        """Fresh champion runs that go with `n` candidate runs."""
        return fresh_runs(n, self.every)

    def info(self, n: int) -> float:
        return information(n, self.pool + self.fresh(n))

    def z_keep(self, n: int) -> float:
        """The z above which the look with `n` candidate runs keeps."""
        info = self.info(n)
        return float((self.upper + self.slope * info) / math.sqrt(info))

    def crosses(self, n: int, z: float) -> bool:
        return bool(z * math.sqrt(self.info(n)) - self.slope * self.info(n) > self.upper)

    def futile(self, n: int, z: float) -> bool:
        return bool(z * math.sqrt(self.info(n)) - self.slope * self.info(n) < -self.lower)


def boundaries(first: int, last: int, pool: int, alpha: float, every: int = 1,
               effect: float = 1.0, beta: float = 0.2) -> Boundaries:
    """The boundaries of a test with false-keep rate `alpha`, designed to keep a change of
    `effect` noise standard deviations with probability about 1 - `beta`.

    The slope and the lower line are Wald's (effect / 2 and ln((1 - alpha) / beta) / effect);
    the upper line is calibrated by simulation. Under the null (candidate and champion runs
    from one distribution) the ranks of the runs are a uniform random permutation whatever the
    noise distribution, so simulating uniform draws makes the chance that the whole sequence of
    looks keeps equal to `alpha` for any continuous noise.
    """
    return _boundaries(first, last, pool, round(alpha, 6), every, round(effect, 6),
                       round(beta, 6))


@lru_cache(maxsize=256)
def _boundaries(first: int, last: int, pool: int, alpha: float, every: int, effect: float,
                beta: float) -> Boundaries:
    import numpy as np

    looks = tuple(range(first, last + 1))
    slope = effect / 2
    lower = math.log((1 - alpha) / beta) / effect
    rng = np.random.default_rng(20240901 + 7919 * pool + 131 * first + last + 17 * every)
    cand = rng.random((_CALIBRATION_DRAWS, last))
    champ = rng.random((_CALIBRATION_DRAWS, pool + fresh_runs(last, every)))
    wins = (cand[:, :, None] > champ[:, None, :]).astype(np.int32)
    cum = wins.cumsum(axis=1).cumsum(axis=2)
    score = np.empty((_CALIBRATION_DRAWS, len(looks)))
    for k, n in enumerate(looks):
        m = pool + fresh_runs(n, every)
        info = information(n, m)
        z = (cum[:, n - 1, m - 1] - n * m / 2.0) / math.sqrt(n * m * (n + m + 1) / 12.0)
        score[:, k] = z * math.sqrt(info) - slope * info
    # A path stops at its first look below the lower line; it keeps if it rose above the
    # upper line before that. So it keeps iff the running maximum of its score up to the
    # stopping look exceeds the upper line.
    below = score < -lower
    stop = np.where(below.any(axis=1), below.argmax(axis=1), len(looks) - 1)
    running_max = np.maximum.accumulate(score, axis=1)
    peak = np.sort(running_max[np.arange(_CALIBRATION_DRAWS), stop])[::-1]
    # The smallest upper line whose strict crossing rate does not exceed alpha, less two
    # standard errors of the simulation, so that its own error cannot push the rate above alpha.
    crossings = alpha * _CALIBRATION_DRAWS
    upper = float(peak[max(0, int(crossings - 2 * math.sqrt(crossings * (1 - alpha))))])
    return Boundaries(looks, pool, every, upper, lower, slope)
