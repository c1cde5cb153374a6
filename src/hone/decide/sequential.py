"""The default rule: paired, interleaved re-measurement with a sequential rank test."""

from __future__ import annotations

import math
from typing import Any, Literal

from hone.decide.base import Arm, Decider, Decision, Remeasure
from hone.decide.pooled import Aggregation, finite_scores, pooled_score, relative
from hone.decide.ranks import boundaries, gains, hodges_lehmann, p_upper, u_for_z, u_statistic, u_z
from hone.records import Measurement


class SequentialDecider(Decider):
    """Keep a candidate only when it is better than the champion by at least `min_effect`
    (relative) and significantly so at `confidence`, re-measuring both as long as needed.

    How: the candidate's runs are interleaved with fresh runs of the champion (A B A B ...), so
    that a machine that drifts during the decision shifts both arms alike; the champion's
    reference sample is its `window` most recent earlier runs plus the fresh ones. After
    `initial_repeats` candidate runs, and after every further pair, the rule looks at the data:

    * keep when the one-sided Mann-Whitney U test of "candidate better" crosses the boundary of
      the look and the Hodges-Lehmann estimate of the relative shift is at least `min_effect`;
    * discard early when the candidate is significantly worse, or when its statistic has fallen
      below a futility line rising from `futility_start` at the first look to the final boundary;
    * otherwise add a pair, up to `max_repeats` candidate runs, then discard as undecided.

    Why Mann-Whitney U: it compares ranks, so one outlier run (a page fault, a throttled core)
    cannot win or lose a decision, it assumes no noise distribution, and for normal noise it
    keeps 95% of the t-test's power. Because ranks are distribution-free under the null, the
    per-look boundaries (b_k = C * (n_k / n_max) ** -rho) are calibrated by simulating random
    rank orders, which makes the overall false-keep rate of the whole sequence of looks equal
    to 1 - confidence for any continuous noise. The reported interval is the Hodges-Lehmann
    interval that inverts the same test at the same per-look level, so "kept" and "interval
    above zero" agree. A bootstrap interval was rejected: with 3 to 10 runs per arm it is
    too discrete and too narrow.

    Deterministic objectives (`deterministic=True`, set from the noise floor) are decided on one
    run: keep if and only if better by at least `min_effect` (and by more than zero).
    """

    def __init__(self, min_effect: float = 0.01, confidence: float = 0.95,
                 initial_repeats: int = 3, max_repeats: int = 10, *,
                 deterministic: bool = False, window: int = 20, rho: float = 0.25,
                 futility_start: float = 0.0, aggregation: Aggregation = "median") -> None:
        if not 0.5 < confidence < 1:
            raise ValueError("confidence must be between 0.5 and 1")
        self.min_effect = min_effect
        self.confidence = confidence
        self.max_repeats = max(1, max_repeats)
        self.initial_repeats = max(1, min(initial_repeats, self.max_repeats))
        self.deterministic = deterministic
        self.window = max(1, window)
        self.rho = rho
        self.futility_start = futility_start
        self.aggregation: Aggregation = aggregation

    def decide(self, candidate: list[Measurement], champion: list[Measurement],
               direction: Literal["max", "min"], remeasure: Remeasure) -> Decision:
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
        if self.deterministic and max(cand) == min(cand):
            return self._single(cand, champ, direction, base)
        return self._sequential(cand, champ, direction, remeasure, base)

    def _pool(self, scores: list[float]) -> float | None:
        return pooled_score(scores, self.aggregation)

    def _single(self, cand: list[float], champ: list[float], direction: Literal["max", "min"],
                base: dict[str, Any]) -> Decision:
        champ_score = self._pool(champ)
        assert champ_score is not None
        effect = relative(gains([cand[0]], direction)[0] - gains([champ_score], direction)[0],
                           champ_score)
        keep = effect > 0 and effect >= self.min_effect
        rule = ("deterministic: better by at least min_effect" if keep
                else "deterministic: not better by min_effect")
        return Decision(keep, cand[0], champ_score, rule, {
            **base, "rule": rule, "deterministic": True, "runs": 1, "champion_runs": 0,
            "estimate": effect, "interval": [effect, effect], "p_value": None})

    def _sequential(self, cand: list[float], champ: list[float],
                    direction: Literal["max", "min"], remeasure: Remeasure,
                    base: dict[str, Any]) -> Decision:
        older = champ[-self.window:]
        first = max(self.initial_repeats, min(len(cand), self.max_repeats))
        last = max(self.max_repeats, len(cand))
        bounds = boundaries(first, last, len(older), 1 - self.confidence, self.rho)
        fresh: list[float] = []
        failed = {"candidate": 0, "champion": 0}
        target = first
        while True:
            # Pair every candidate run with a fresh champion run, then add candidate runs up to
            # the look: A (from verify) B A B A B ...
            while len(cand) < target or len(fresh) < len(cand):
                arm: Arm = "champion" if len(fresh) < len(cand) else "candidate"
                score = _score(remeasure(arm))
                if score is None:
                    failed[arm] += 1
                    if arm == "candidate" or failed[arm] > self.max_repeats:
                        rule = f"{arm} failed when re-measured"
                        return self._decision(False, rule, cand, champ + fresh, base, {
                            "runs": len(cand), "champion_runs": len(fresh),
                            "failed_runs": failed})
                    continue
                (cand if arm == "candidate" else fresh).append(score)
            n = len(cand)
            ref = older + fresh
            g_cand, g_ref = gains(cand, direction), gains(ref, direction)
            z = u_z(u_statistic(g_cand, g_ref), n, len(ref))
            b = bounds.z_at(n)
            ref_median = pooled_score(ref, "median")
            hl = hodges_lehmann(g_cand, g_ref, u_for_z(b, n, len(ref)))
            estimate = relative(hl.estimate, ref_median)
            low, high = relative(hl.low, ref_median), relative(hl.high, ref_median)
            progress = (n - first) / (last - first) if last > first else 1.0
            futility = self.futility_start + (bounds.z_at(last) - self.futility_start) * progress
            if bounds.crosses(n, z) and estimate >= self.min_effect:
                keep, rule = True, "better: significant and at least min_effect"
            elif bounds.crosses(n, -z):
                keep, rule = False, "worse: significantly below the champion"
            elif high < self.min_effect:
                keep, rule = False, "below min_effect: the interval excludes it"
            elif n >= last:
                keep, rule = False, "not significant after max_repeats runs"
            elif z < futility:
                keep, rule = False, "futile: too far from significance to reach it"
            else:
                target = n + 1
                continue
            return self._decision(keep, rule, cand, champ + fresh, base, {
                "runs": n, "champion_runs": len(fresh), "champion_reference": len(ref),
                "estimate": estimate, "interval": [_finite(low), _finite(high)],
                "p_value": p_upper(z), "p_threshold": p_upper(b), "z": z, "boundary": b,
                "failed_runs": failed})

    def _decision(self, keep: bool, rule: str, cand: list[float], champ: list[float],
                  base: dict[str, Any], evidence: dict[str, Any]) -> Decision:
        return Decision(keep, self._pool(cand), self._pool(champ), rule,
                        {**base, "rule": rule, "deterministic": False, **evidence})


def _score(m: Measurement | None) -> float | None:
    if m is None or m.score is None or not math.isfinite(m.score):
        return None
    return float(m.score)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
