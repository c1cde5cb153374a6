"""The noise floor: how much the objective's score varies between runs of one commit, and what
that means for the measurement plan (and for "within noise of the champion")."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hone.decide.ranks import gains, hodges_lehmann, u_for_z, u_statistic, u_z, z_two_sided
from hone.direction import Direction, relative
from hone.records import Measurement

# Relative difference below which two scores count as the same: float rounding, not a change.
# A deterministic objective is one whose re-runs agree to this resolution; its decisions compare
# scores to this resolution too (any larger gain is kept, any larger loss is a loss).
RESOLUTION = 1e-9


def same_score(a: float, b: float) -> bool:
    """Whether `a` and `b` are equal up to `RESOLUTION` (relative to the larger magnitude)."""
    return abs(a - b) <= RESOLUTION * max(abs(a), abs(b), 1e-300)


@dataclass(frozen=True)
class NoiseFloor:
    """The spread of the baseline's repeated runs.

    `cv` is the coefficient of variation (standard deviation over |mean|; the standard deviation
    itself when the mean is zero). `deterministic` is true when every seed that was run more
    than once gave the same score each time: such an objective is measured once per seed.
    `seconds` is the median time of one run of the objective (None: not recorded), which
    proposers are told beside the timeout. `equivalence` is the equivalence spread (see
    `equivalence_spread`) over `variants` equivalent variants of the baseline; None: not
    measured. A keep must beat the champion by more than it (`margin`).
    """

    runs: int
    mean: float
    stdev: float
    cv: float
    deterministic: bool
    seconds: float | None = None
    equivalence: float | None = None
    variants: int = 0

    @property
    def margin(self) -> float:
        """The relative gain a keep must exceed whatever the rule: the equivalence spread."""
        return self.equivalence or 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoiseFloor:
        seconds, spread = data.get("seconds"), data.get("equivalence")
        return cls(int(data["runs"]), float(data["mean"]), float(data["stdev"]),
                   float(data["cv"]), bool(data["deterministic"]),
                   float(seconds) if isinstance(seconds, int | float) else None,
                   float(spread) if isinstance(spread, int | float) else None,
                   int(data.get("variants") or 0))


def equivalence_spread(reference: float, scores: Sequence[float]) -> float:
    """The equivalence spread: how far apart chance alone puts the scores of semantically
    equivalent versions of one program, relative to the original's `reference` score, estimated
    from their pooled `scores` (the original's included). The observed range of k scores falls
    short of the width they are drawn from, by (k - 1) / (k + 1) on average for a uniform
    spread, so the range is scaled up by (k + 1) / (k - 1): with 2 scores three times the one
    difference seen, with 7 a third more (on the RISC-V example one renaming moved Fmax +2.7%
    and another +5.9%: one observed difference is not the width)."""
    k = len(scores)
    if k < 2:
        return 0.0
    spread = relative(max(scores) - min(scores), reference) * (k + 1) / (k - 1)
    return spread if spread > RESOLUTION else 0.0


def _reruns_agree(scored: Sequence[Measurement]) -> bool:
    """Whether some seed was run more than once and every rerun gave the same score (up to
    `RESOLUTION`: a sum that rounds differently is not noise)."""
    by_seed: dict[int, list[float]] = {}
    for m in scored:
        by_seed.setdefault(m.seed, []).append(float(m.score or 0.0))
    repeated = [runs for runs in by_seed.values() if len(runs) > 1]
    return bool(repeated) and all(same_score(min(runs), max(runs)) for runs in repeated)


def noise_floor(measurements: Sequence[Measurement]) -> NoiseFloor:
    """The noise floor of repeated measurements of one commit (at least one with a score)."""
    scored = [m for m in measurements if m.score is not None and math.isfinite(m.score)]
    if not scored:
        raise ValueError("no finite score to estimate the noise from")
    scores = [float(m.score) for m in scored if m.score is not None]
    deterministic = _reruns_agree(scored)
    mean = statistics.fmean(scores)
    stdev = statistics.stdev(scores) if len(scores) > 1 else 0.0
    if deterministic:
        # Seeds may differ from each other (nextpnr seeds do), but a rerun changes nothing.
        stdev = 0.0
    cv = stdev / abs(mean) if mean else stdev
    times = [m.seconds for m in scored if m.seconds > 0]
    return NoiseFloor(len(scores), mean, stdev, cv, deterministic,
                      statistics.median(times) if times else None)


def runs_needed(cv: float, effect: float, confidence: float = 0.95, power: float = 0.8) -> int:
    """Candidate runs a fixed-size comparison against a well-measured champion needs to detect
    a relative `effect` under noise `cv` (normal approximation)."""
    if cv <= 0:
        return 1
    normal = statistics.NormalDist()
    z = normal.inv_cdf(confidence) + normal.inv_cdf(power)
    return max(1, math.ceil((z * cv / effect) ** 2)) if effect > 0 else 10**6


def plan_warning(floor: NoiseFloor, min_effect: float, max_repeats: int,
                 confidence: float = 0.95) -> str | None:
    """A warning with a suggested plan when the noise is larger than `min_effect`, else None."""
    if floor.deterministic or floor.cv <= min_effect:
        return None
    need = runs_needed(floor.cv, min_effect, confidence)
    detectable = floor.cv * 2.5 / math.sqrt(max_repeats)
    return (f"noise (CV {floor.cv:.1%}) is larger than min_effect ({min_effect:.1%}): an effect "
            f"of min_effect needs about {need} runs per decision; with max_repeats = "
            f"{max_repeats} only changes of about {detectable:.1%} or more will be kept. "
            f"Suggested plan: [acceptance] min_effect = {max(min_effect, detectable):.3g} "
            f"and max_repeats = {min(max(max_repeats, need), 40)}, or make the objective "
            f"steadier (more work per run, pinned CPU, fixed seeds).")


def within_noise(candidate: Sequence[float], champion: Sequence[float],
                 direction: Direction, *, min_effect: float = 0.0,
                 confidence: float = 0.95) -> bool:
    """True when the candidate's scores are not measurably worse than the champion's: the
    Hodges-Lehmann interval of the relative shift (two-sided, at `confidence`) reaches
    -`min_effect` or above. A tie within noise, e.g. for a simplification that keeps the score.

    With one run on each side and no spread (a deterministic objective) this is "not worse by
    more than `min_effect`".
    """
    cand, champ = gains(candidate, direction), gains(champion, direction)
    if not cand or not champ:
        return False
    reference = statistics.median(champ)
    if len(set(cand)) == 1 and len(set(champ)) == 1:
        return relative(cand[0] - champ[0], reference) >= -min_effect
    n, m = len(cand), len(champ)
    z_crit = z_two_sided(confidence)
    hl = hodges_lehmann(cand, champ, u_for_z(z_crit, n, m))
    significantly_worse = u_z(u_statistic(cand, champ), n, m) < -z_crit
    return not significantly_worse and relative(hl.high, reference) >= -min_effect


def holds_exactly(candidate: float, champion: float, direction: Direction) -> bool:
    """For a deterministic objective: the candidate's score is not worse than the champion's
    at all (beyond `RESOLUTION`). What a simplification must show there: no noise can hide a
    loss, so none is tolerated."""
    return (direction.oriented(candidate) >= direction.oriented(champion)
            or same_score(candidate, champion))
