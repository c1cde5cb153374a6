"""Keep or not, once the decider has spoken: complexity must pay, ties may be broken, and a
change that keeps the score within noise while removing code is kept as a simplification.

The decider answers "is the candidate truly better?"; this module answers "is it worth what it
costs?" with the attempt's complexity and the `[acceptance]`/`[objective]` settings.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from hone.complexity.measure import Complexity
from hone.config.model import Config
from hone.decide.base import Decision
from hone.direction import Direction, fmt_gain, relative
from hone.records import Measurement


@dataclass(frozen=True)
class Review:
    """The final verdict: keep or not, why, and what kind of keep (`gain`, `simplification`,
    `tie-break`, or "" when discarded)."""

    keep: bool
    rule: str
    kind: str = ""


def smaller(cand: Complexity | None, champ: Complexity | None) -> bool:
    """Code got smaller or simpler: fewer lines, or as many lines and less branching."""
    if cand is None or champ is None:
        return False
    return cand.nloc < champ.nloc or (cand.nloc == champ.nloc and cand.ccn < champ.ccn)


def relative_gain(score: float | None, champion: float | None, direction: Direction) -> float:
    """The gain the complexity price is charged against: `Direction.gain`, except that a zero
    champion score measures it on a unit scale (as the deciders do) and unknown scores gain 0."""
    change = direction.improvement(score, champion)
    return 0.0 if change is None else relative(change, champion)


def review(decision: Decision, cand: Sequence[Measurement], champ: Sequence[Measurement],
           cand_cx: Complexity | None, champ_cx: Complexity | None, config: Config,
           simplify_only: bool = False) -> Review:
    """Apply the complexity price, the simplification rule and the tie-breakers."""
    if decision.keep and not simplify_only:
        return _price(decision, cand_cx, champ_cx, config)
    scores = [m.score for m in cand if m.score is not None]
    champ_scores = [m.score for m in champ if m.score is not None]
    if not scores or not champ_scores:
        return Review(False, decision.rule)
    can_simplify = config.acceptance.simplify and smaller(cand_cx, champ_cx)
    if not (simplify_only or can_simplify or config.objective.tie_breakers):
        return Review(False, decision.rule)  # nothing could rescue it: skip the noise test
    if not _holds(decision, scores, champ_scores, config):
        return Review(False, _lost(decision) if simplify_only else decision.rule)
    return _within_noise(decision, cand, champ, cand_cx, champ_cx, config, simplify_only,
                         can_simplify)


def _lost(decision: Decision) -> str:
    return ("simplification lost score" if decision.deterministic
            else "simplification lost score beyond noise")


def _holds(decision: Decision, scores: list[float], champ_scores: list[float],
           config: Config) -> bool:
    """The candidate's score holds against the champion's: exactly (beyond float resolution)
    when the decider found the objective deterministic, else within noise and `min_effect`."""
    from hone.decide.noise import holds_exactly, within_noise  # numpy: only when needed

    direction = config.objective.direction
    if decision.deterministic:
        return (decision.score is not None and decision.champion_score is not None
                and holds_exactly(decision.score, decision.champion_score, direction))
    acc = config.acceptance
    return within_noise(scores, champ_scores, direction, min_effect=acc.min_effect,
                        confidence=acc.confidence)


def _price(decision: Decision, cand_cx: Complexity | None, champ_cx: Complexity | None,
           config: Config) -> Review:
    """A keep, unless its gain does not pay for the lines of code it adds."""
    added = (cand_cx.nloc - champ_cx.nloc) if cand_cx and champ_cx else 0
    price = config.acceptance.complexity_weight * max(0, added)
    gain = relative_gain(decision.score, decision.champion_score, config.objective.direction)
    if price > 0 and gain < price:
        return Review(False, f"gain {fmt_gain(gain)} does not pay for +{added} lines of code "
                             f"(complexity_weight asks {price:.2%})")
    return Review(True, decision.rule, "gain")


def _within_noise(decision: Decision, cand: Sequence[Measurement],
                  champ: Sequence[Measurement], cand_cx: Complexity | None,
                  champ_cx: Complexity | None, config: Config, simplify_only: bool,
                  can_simplify: bool) -> Review:
    """A candidate whose score holds within noise: kept when simpler, or by a tie-breaker."""
    if can_simplify:
        assert cand_cx is not None and champ_cx is not None
        lines, ccn = cand_cx.nloc - champ_cx.nloc, cand_cx.ccn - champ_cx.ccn
        held = "score held" if decision.deterministic else "score held within noise"
        return Review(True, f"simplification: {lines:+d} lines of code, {ccn:+d} complexity, "
                            f"{held}", "simplification")
    if simplify_only:
        return Review(False, "within noise but not smaller or simpler")
    broken = tie_break(config, cand, champ, cand_cx, champ_cx)
    if broken:
        return Review(True, broken, "tie-break")
    return Review(False, decision.rule)


def tie_break(config: Config, cand: Sequence[Measurement], champ: Sequence[Measurement],
              cand_cx: Complexity | None, champ_cx: Complexity | None) -> str | None:
    """The rule that breaks a tie in the candidate's favour, or None (worse, equal, unknown)."""
    for text in config.objective.tie_breakers:
        how, name = text.split(None, 1)
        a, b = _value(name, cand, cand_cx), _value(name, champ, champ_cx)
        if a is None or b is None or a == b:
            continue
        if Direction(how).better(a, b):
            return f"tie within noise broken by {how} {name}: {a:g} vs {b:g}"
        return None
    return None


def _value(name: str, ms: Sequence[Measurement], cx: Complexity | None) -> float | None:
    if name in ("nloc", "ccn", "functions") and cx is not None:
        return float(getattr(cx, name))
    values = [m.metrics[name] for m in ms if name in m.metrics]
    return float(statistics.median(values)) if values else None
