"""The final confirmation: champion against baseline over fresh, interleaved runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from hone.decide.ranks import gains, hodges_lehmann, p_upper, u_for_z, u_statistic, u_z, z_two_sided
from hone.direction import Direction, fmt_gain, relative

Side = Literal["baseline", "champion"]
# Runs the objective once more on one side; None when that run failed.
Measure = Callable[[Side], float | None]


@dataclass(frozen=True)
class Confirmation:
    """Improvement of the champion over the baseline (relative, positive = better), with its
    two-sided interval at `confidence` and the one-sided p-value of "no improvement". A
    `deterministic` objective has neither: its runs differ by seed only, and a spread over
    seeds is not noise, so the improvement is that of the medians over the seeds."""

    runs: int
    baseline: list[float]
    champion: list[float]
    improvement: float | None
    low: float | None
    high: float | None
    p_value: float | None
    confidence: float
    deterministic: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.improvement is None:
            return "confirmation failed: a run of the objective failed"
        if self.deterministic or self.low == self.high:
            return (f"confirmed over {self.runs} fresh interleaved run(s) each "
                    f"(deterministic): champion vs baseline {_pct(self.improvement)}")
        p = f", p = {self.p_value:.2g}" if self.p_value is not None else ""
        return (f"confirmed over {self.runs} fresh interleaved run(s) each: champion vs "
                f"baseline {_pct(self.improvement)} [{_pct(self.low)}, {_pct(self.high)}] "
                f"at {self.confidence:.0%}{p}")


def _pct(x: float | None) -> str:
    return "unbounded" if x is None else fmt_gain(x)


def confirm(measure: Measure, runs: int, direction: Direction,
            confidence: float = 0.95, deterministic: bool = False) -> Confirmation:
    """Measure baseline and champion alternately (B C B C ...), `runs` times each, and estimate
    the champion's relative improvement with a Hodges-Lehmann interval (Mann-Whitney); for a
    `deterministic` objective (one run per seed) the improvement of the medians alone."""
    base: list[float] = []
    champ: list[float] = []
    sides: tuple[tuple[Side, list[float]], ...] = (("baseline", base), ("champion", champ))
    for _ in range(max(1, runs)):
        for side, pool in sides:
            score = measure(side)
            if score is None or not math.isfinite(score):
                return Confirmation(len(champ), base, champ, None, None, None, None, confidence)
            pool.append(score)
    g_champ, g_base = gains(champ, direction), gains(base, direction)
    reference = sorted(base)[len(base) // 2]
    n, m = len(g_champ), len(g_base)
    if deterministic or (len(set(champ)) == 1 and len(set(base)) == 1):
        effect = relative(statistics.median(g_champ) - statistics.median(g_base), reference)
        return Confirmation(n, base, champ, effect, None, None, None, confidence, True)
    hl = hodges_lehmann(g_champ, g_base, u_for_z(z_two_sided(confidence), n, m))
    low = relative(hl.low, reference) if math.isfinite(hl.low) else None
    high = relative(hl.high, reference) if math.isfinite(hl.high) else None
    return Confirmation(n, base, champ, relative(hl.estimate, reference), low, high,
                        p_upper(u_z(u_statistic(g_champ, g_base), n, m)), confidence)
