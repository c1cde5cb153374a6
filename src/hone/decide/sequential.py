"""The default rule: paired, interleaved re-measurement with a sequential rank test."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hone.decide.base import DECIDERS, Arm, Decider, Decision, Remeasure
from hone.decide.drift import Drift, detect_drift
from hone.decide.noise import RESOLUTION
from hone.decide.pooled import Aggregation, finite_scores, one_per_seed, pooled_score
from hone.decide.ranks import (
    Boundaries,
    boundaries,
    gains,
    hodges_lehmann,
    p_upper,
    u_for_z,
    u_statistic,
    u_z,
    z_two_sided,
)
from hone.direction import Direction, fmt_gain, relative
from hone.records import Measurement

if TYPE_CHECKING:
    from hone.config.model import Config
    from hone.decide.noise import NoiseFloor


@DECIDERS.register("sequential")
class SequentialDecider(Decider):
    """Keep a candidate only when it is better than the champion by at least `min_effect`
    (relative) and significantly so at `confidence`, re-measuring both as long as needed.

    How: the candidate's runs are interleaved with fresh runs of the champion (A B A A B A A B,
    one champion run per `champion_every` candidate runs), so that a machine that drifts during
    the decision shifts both arms alike; the champion's reference sample is its `window` most
    recent earlier runs plus the fresh ones, which also join its pool for later decisions. After
    `initial_repeats` candidate runs, and after every further run, the rule looks at the data:

    * keep when the one-sided Mann-Whitney U test of "candidate better" crosses the upper
      boundary of the look and the Hodges-Lehmann estimate of the relative shift is at least
      `min_effect`;
    * discard early when the statistic falls below the lower (futility) boundary: the candidate
      is worse, or too unlikely to turn out better;
    * discard when the interval of the shift lies entirely below `min_effect`;
    * otherwise add a run, up to `max_repeats` candidate runs, then discard as undecided.

    The boundaries are those of a truncated sequential probability ratio test designed for a
    change of `design_effect` noise standard deviations at `power` (see `ranks.boundaries`).
    Why Mann-Whitney U: it compares ranks, so one outlier run (a page fault, a throttled core)
    cannot win or lose a decision, it assumes no noise distribution, and for normal noise it
    keeps 95% of the t-test's power. Because ranks are distribution-free under the null, the
    upper boundary is calibrated by simulating random rank orders, which makes the false-keep
    rate of the whole sequence of looks 1 - confidence for any continuous noise. The reported
    interval is the Hodges-Lehmann interval that inverts the same test at the look's level, so
    "kept" and "interval above zero" agree. A bootstrap interval was rejected: with 2 to 16
    runs per arm it is too discrete and too narrow.

    Drift (`drift_check`, on by default): a verdict is checked against the machine having
    changed since the champion's pool was measured (`drift.detect_drift`): a keep when the
    champion's fresh runs rank above its pool at all, a discard when they are measurably below
    it. Then the pool is stale: the decision goes on with the fresh interleaved runs alone
    (A B A B, its boundaries designed anew) and its rule says so. bench/noise.py (`--step`,
    `--drift`) measures the false keeps it saves and what it costs on a steady machine.

    Deterministic objectives (`deterministic=True`, set from the noise floor) are decided on the
    runs they have (one per seed): keep if and only if the aggregate is strictly better, beyond
    float resolution (`noise.RESOLUTION`). `min_effect` is a margin against noise and applies
    to noisy objectives only: on a deterministic objective a +0.3% is as real as a +30%.

    Equivalence noise (`margin`, the baseline's equivalence spread, `NoiseFloor.margin`): on an
    objective that is deterministic per input but chaotic in the code, an equivalent program
    (renamed, reordered) scores differently, so a deterministic keep needs a gain beyond that
    spread, and a noisy one uses it as `min_effect` when it is larger.

    The rule of every decision says what was measured, with numbers: "worse" only when the
    interval excludes a gain; "not better, stopped early" when the futility line stopped a
    candidate whose interval still reached above zero.
    """

    @classmethod
    def from_config(cls, config: Config, floor: NoiseFloor | None) -> Decider:
        """`[acceptance]`, told whether the objective is deterministic (the floor says)."""
        acc = config.acceptance
        margin = floor.margin if floor else 0.0
        return cls(max(acc.min_effect, margin) if margin else acc.min_effect, acc.confidence,
                   acc.initial_repeats, acc.max_repeats,
                   deterministic=bool(floor and floor.deterministic), window=acc.window,
                   aggregation=config.objective.aggregation, margin=margin,
                   drift_check=acc.drift_check)

    def __init__(self, min_effect: float = 0.01, confidence: float = 0.95,
                 initial_repeats: int = 2, max_repeats: int = 16, *,
                 deterministic: bool = False, window: int = 30,
                 aggregation: Aggregation = "median", champion_every: int = 2,
                 design_effect: float = 1.0, power: float = 0.8, margin: float = 0.0,
                 drift_check: bool = True) -> None:
        if not 0.5 < confidence < 1:
            raise ValueError("confidence must be between 0.5 and 1")
        self.min_effect = min_effect
        self.confidence = confidence
        self.max_repeats = max(1, max_repeats)
        self.initial_repeats = max(1, min(initial_repeats, self.max_repeats))
        self.deterministic = deterministic
        self.margin = max(0.0, margin)
        self.window = max(0, window)
        self.drift_check = drift_check
        self.design_effect = design_effect
        self.power = power
        self.aggregation: Aggregation = aggregation
        # Without a pool the reference is the fresh runs alone: strictly A B A B then.
        self.champion_every = max(1, champion_every) if self.window else 1

    def decide(self, candidate: list[Measurement], champion: list[Measurement],
               direction: Direction, remeasure: Remeasure) -> Decision:
        if self.deterministic:  # a seed's rerun repeats its score: each seed counts once
            candidate, champion = one_per_seed(candidate), one_per_seed(champion)
        # Copies: the caller's remeasure may append to the lists it passed in.
        cand = finite_scores(candidate)
        champ = finite_scores(champion)
        base = {"min_effect": self.min_effect, "confidence": self.confidence}
        if not cand:
            return Decision(False, None, self._pool(champ), "candidate has no score",
                            {**base, "runs": 0, "champion_runs": 0})
        if not champ:
            return Decision(True, self._pool(cand), None, "no champion to beat",
                            {**base, "runs": len(cand), "champion_runs": 0})
        if self.deterministic:
            return self._single(cand, champ, direction, base)
        return self._sequential(cand, champ, direction, remeasure, base)

    def _pool(self, scores: list[float]) -> float | None:
        return pooled_score(scores, self.aggregation)

    def _single(self, cand: list[float], champ: list[float], direction: Direction,
                base: dict[str, Any]) -> Decision:
        champ_score, cand_score = self._pool(champ), self._pool(cand)
        assert champ_score is not None and cand_score is not None
        effect = relative(direction.oriented(cand_score) - direction.oriented(champ_score),
                          champ_score)
        keep = effect > max(RESOLUTION, self.margin)
        rule = (f"deterministic: better by {_pct(effect)}" if keep
                else f"deterministic: {_pct(effect)} is within the equivalence spread "
                     f"{self.margin:.2%}" if effect > RESOLUTION
                else f"deterministic: worse by {_pct(effect)}" if effect < -RESOLUTION
                else "deterministic: same score")
        spread = {"equivalence": self.margin} if self.margin else {}
        return Decision(keep, cand_score, champ_score, rule, {
            **base, **spread, "min_effect": 0.0, "rule": rule, "deterministic": True,
            "runs": len(cand), "champion_runs": 0, "estimate": effect,
            "p_value": None}, deterministic=True)

    def _sequential(self, cand: list[float], champ: list[float],
                    direction: Direction, remeasure: Remeasure,
                    base: dict[str, Any]) -> Decision:
        older = champ[max(0, len(champ) - self.window):] if self.window else []
        first = max(self.initial_repeats, min(len(cand), self.max_repeats))
        last = max(self.max_repeats, len(cand))
        bounds = self._bounds(first, last, len(older), self.champion_every)
        fresh: list[float] = []
        failed = {"candidate": 0, "champion": 0}
        drift: Drift | None = None
        target = first
        while True:
            arm = self._fill(cand, fresh, target, bounds, remeasure, failed)
            if arm is not None:
                return self._decision(False, f"{arm} failed when re-measured", cand,
                                      champ + fresh, base, {
                                          "runs": len(cand), "champion_runs": len(fresh),
                                          "failed_runs": failed})
            n = len(cand)
            look = self._measure(cand, older + fresh, bounds, n, direction)
            verdict = self._look(bounds, n, look.z, look.shift, last)
            if verdict is None:
                target = n + 1
                continue
            keep, rule = verdict
            if older and self.drift_check:
                drift = detect_drift(gains(fresh, direction), gains(older, direction), keep)
                if drift is not None:
                    # The pool is stale: from here on only fresh runs, strictly A B A B.
                    older, target, bounds = [], n, self._bounds(n, last, 0, 1)
                    continue
            estimate, low, high = look.shift
            return self._decision(keep, rule + (f"; {drift.text()}" if drift else ""), cand,
                                  champ + fresh, base, {
                "runs": n, "champion_runs": len(fresh),
                "champion_reference": len(older) + len(fresh),
                "estimate": estimate, "interval": [_finite(low), _finite(high)],
                "p_value": p_upper(look.z), "p_threshold": p_upper(look.boundary),
                "z": look.z, "boundary": look.boundary, "failed_runs": failed,
                **({"drift": drift.to_json()} if drift else {})})

    @staticmethod
    def _measure(cand: list[float], ref: list[float], bounds: Boundaries, n: int,
                 direction: Direction) -> _Look:
        """The rank statistic of the candidate's runs against the reference `ref`, and the
        Hodges-Lehmann shift with its interval at the look's boundary."""
        g_cand, g_ref = gains(cand, direction), gains(ref, direction)
        z = u_z(u_statistic(g_cand, g_ref), n, len(ref))
        b = bounds.z_keep(n)
        ref_median = pooled_score(ref, "median")
        hl = hodges_lehmann(g_cand, g_ref, u_for_z(b, n, len(ref)))
        return _Look(z, b, (relative(hl.estimate, ref_median), relative(hl.low, ref_median),
                            relative(hl.high, ref_median)))

    def _bounds(self, first: int, last: int, pool: int, every: int) -> Boundaries:
        return boundaries(first, last, pool, 1 - self.confidence, every, self.design_effect,
                          1 - self.power)

    def _fill(self, cand: list[float], fresh: list[float], target: int, bounds: Boundaries,
              remeasure: Remeasure, failed: dict[str, int]) -> Arm | None:
        """Pair every candidate run with fresh champion runs, then add candidate runs up to
        `target`: A (from verify) B A B A B ... The arm whose re-measuring failed too often
        (the candidate once, the champion more than `max_repeats` times), or None."""
        while len(cand) < target or len(fresh) < bounds.fresh(len(cand)):
            arm: Arm = "champion" if len(fresh) < bounds.fresh(len(cand)) else "candidate"
            score = _score(remeasure(arm))
            if score is None:
                failed[arm] += 1
                if arm == "candidate" or failed[arm] > self.max_repeats:
                    return arm
                continue
            (cand if arm == "candidate" else fresh).append(score)
        return None

    def _look(self, bounds: Boundaries, n: int, z: float,
              shift: tuple[float, float, float], last: int) -> tuple[bool, str] | None:
        """The verdict at the look with `n` candidate runs, from the relative `shift`
        (estimate, low, high); None: measure one more."""
        estimate, low, high = shift
        measured = f"{_pct(estimate)} [{_pct(low)}, {_pct(high)}]"
        if bounds.crosses(n, z) and estimate >= self.min_effect:
            return True, (f"better: {measured}, significant and at least min_effect "
                          f"{self.min_effect:.2%}")
        if bounds.futile(n, z):
            # "worse" is a finding (significant at `confidence`, two-sided), not just the
            # futility line, which a candidate crosses after 2 runs on an unbounded interval.
            return False, (f"worse: {_pct(estimate)}, measured below the champion at "
                           f"{self.confidence:.0%} after {n} run(s)"
                           if z < -z_two_sided(self.confidence)
                           else f"not better, stopped early after {n} run(s): {measured}")
        if high < self.min_effect:
            return False, (f"{_pct(estimate)} < min_effect {self.min_effect:.2%}: the interval "
                           f"[{_pct(low)}, {_pct(high)}] excludes it")
        if n >= last:
            return False, f"not significant after {n} runs: {measured}"
        return None

    def _decision(self, keep: bool, rule: str, cand: list[float], champ: list[float],
                  base: dict[str, Any], evidence: dict[str, Any]) -> Decision:
        return Decision(keep, self._pool(cand), self._pool(champ), rule,
                        {**base, "rule": rule, "deterministic": False, **evidence})


@dataclass(frozen=True)
class _Look:
    """What one look measured: the statistic `z`, the keep `boundary`, and the relative
    `shift` (estimate, low, high)."""

    z: float
    boundary: float
    shift: tuple[float, float, float]


def _score(m: Measurement | None) -> float | None:
    if m is None or m.score is None or not math.isfinite(m.score):
        return None
    return float(m.score)


def _pct(x: float) -> str:
    """A relative shift for a rule: '+0.49%', or 'unbounded' for an open end of an interval."""
    return fmt_gain(x) or "unbounded"


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
