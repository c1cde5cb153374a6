"""Rank statistics for the deciders: Mann-Whitney U, its Hodges-Lehmann interval, and
sequential boundaries calibrated so that peeking after every run keeps the false-keep rate.

Scores are turned into *gains* first (the score for `max`, its negation for `min`), so that
"larger is better" everywhere below.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy.stats import norm

# Calibration draws: the estimated false-keep rate then has a standard error of about 0.15%.
_CALIBRATION_DRAWS = 20_000


def gains(scores: Sequence[float], direction: Literal["max", "min"]) -> list[float]:
    """Scores oriented so that larger is better."""
    return [float(s) if direction == "max" else -float(s) for s in scores]


def u_statistic(better: Sequence[float], worse: Sequence[float]) -> float:
    """Mann-Whitney U of `better` over `worse`: pairs where it is larger, ties counting half."""
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
    return float(norm.sf(z))


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
    diffs = np.sort((np.asarray(cand, dtype=float)[:, None]
                     - np.asarray(ref, dtype=float)[None, :]).ravel())
    r = math.floor(u_crit) if u_crit >= 0 else -1
    n = diffs.size
    low = float(diffs[n - 1 - r]) if 0 <= r < n else -math.inf
    high = float(diffs[r]) if 0 <= r < n else math.inf
    return ShiftEstimate(float(np.median(diffs)), low, high)


@dataclass(frozen=True)
class Boundaries:
    """Per-look efficacy boundaries on the standardised U, for looks at `looks` candidate runs
    (the champion having `pool` older runs plus one fresh run per candidate run)."""

    looks: tuple[int, ...]
    pool: int
    c: float
    rho: float

    def z_at(self, n: int) -> float:
        """The boundary on the standardised U at the look with `n` candidate runs."""
        return float(self.c * (n / self.looks[-1]) ** -self.rho)

    def crosses(self, n: int, z: float) -> bool:
        # Same arithmetic as the calibration, so that ties with the boundary go the same way.
        return bool(z * (n / self.looks[-1]) ** self.rho > self.c)


def boundaries(first: int, last: int, pool: int, alpha: float, rho: float = 0.25) -> Boundaries:
    """Efficacy boundaries b_k = C * (n_k / n_K) ** -rho, with C calibrated by simulation.

    Under the null (candidate and champion runs from one distribution) the ranks of the runs are
    a uniform random permutation whatever the noise distribution, so simulating uniform draws
    calibrates the boundaries exactly for any continuous noise: the chance that the statistic
    crosses the boundary at *some* look is `alpha`. rho = 0 gives Pocock's constant boundary,
    rho = 0.5 O'Brien-Fleming's; 0.25 sits between (stricter at first looks, nearly nominal at
    the last one).
    """
    return _boundaries(first, last, pool, round(alpha, 6), round(rho, 6))


@lru_cache(maxsize=256)
def _boundaries(first: int, last: int, pool: int, alpha: float, rho: float) -> Boundaries:
    looks = tuple(range(first, last + 1))
    rng = np.random.default_rng(20240901 + 7919 * pool + 131 * first + last)
    cand = rng.random((_CALIBRATION_DRAWS, last))
    champ = rng.random((_CALIBRATION_DRAWS, pool + last))
    wins = (cand[:, :, None] > champ[:, None, :]).astype(np.int32)
    cum = wins.cumsum(axis=1).cumsum(axis=2)
    scaled = np.empty((_CALIBRATION_DRAWS, len(looks)))
    for k, n in enumerate(looks):
        m = pool + n
        scaled[:, k] = ((cum[:, n - 1, m - 1] - n * m / 2.0)
                        / math.sqrt(n * m * (n + m + 1) / 12.0)) * (n / last) ** rho
    peak = np.sort(scaled.max(axis=1))[::-1]
    # The smallest C whose strict crossing rate does not exceed alpha.
    c = float(peak[int(alpha * _CALIBRATION_DRAWS)])
    return Boundaries(looks, pool, c, rho)
