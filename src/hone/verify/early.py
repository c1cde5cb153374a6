"""Ending a candidate's measurement early: the screen, and a stop after the first seeds.

A `Reference` is what the champion scored (its screen, its objective runs by seed); it travels
in the verification job (it pickles for Ray) so the verifier can stop as soon as the candidate
is clearly worse, instead of running every seed. Both checks return a reason, or "" to go on.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hone.direction import Direction, fmt_gain, relative
from hone.records import Measurement

# Noisy objectives: a seed's run is "clearly worse" when it falls below the champion's median
# on that seed by more than this many noise standard deviations (one-sided p about 0.001 for
# normal noise), on every seed run so far.
NOISE_SIGMAS = 3.0


@dataclass(frozen=True)
class Reference:
    """The champion (`champion_id`) as the candidate is compared with while it is measured.

    `screen`: its screen score (None: no screen score to compare with, the screen only runs);
    `screen_margin`: relative loss on the screen beyond which the candidate is discarded.
    `runs`: its objective scores by seed (empty: no early stop). `deterministic`: the baseline's
    reruns agreed (one run per seed is the truth); else `cv` is the noise of one run.
    `margin`: relative loss a seed must exceed to count as worse (the equivalence spread).
    """

    champion_id: int
    direction: Direction
    screen: float | None = None
    screen_margin: float = 0.0
    runs: Mapping[int, Sequence[float]] = field(default_factory=dict)
    deterministic: bool = False
    cv: float = 0.0
    margin: float = 0.0


def screen_reason(ref: Reference, score: float) -> str:
    """Why a candidate whose screen scored `score` is discarded; "" when it goes on."""
    if ref.screen is None:
        return ""
    loss = relative(ref.direction.oriented(score) - ref.direction.oriented(ref.screen),
                    ref.screen)
    if loss >= -ref.screen_margin:
        return ""
    return (f"screen: {fmt_gain(loss)} against champion #{ref.champion_id}'s screen "
            f"({score:.6g} vs {ref.screen:.6g}), worse than screen_margin "
            f"{ref.screen_margin:.2%}; the full objective was not run")


def seed_spread(runs: Mapping[int, Sequence[float]]) -> float:
    """How far the champion's scores on different seeds lie apart, relative to their median:
    on an objective that is deterministic per seed but chaotic in it (nextpnr placement seeds),
    a loss on one seed smaller than this is no evidence of a loss on the aggregate."""
    centers = [statistics.median(scores) for scores in runs.values() if scores]
    if len(centers) < 2:
        return 0.0
    return relative(max(centers) - min(centers), statistics.median(centers))


def _threshold(ref: Reference) -> float:
    if ref.deterministic:
        return max(ref.margin, seed_spread(ref.runs))
    return max(ref.margin, NOISE_SIGMAS * ref.cv)


def seed_loss(ref: Reference, m: Measurement) -> float | None:
    """The relative loss of `m` against the champion's runs on the same seed beyond which it
    counts as clearly worse, as a negative gain; None when it is not clearly worse (or the
    champion has no run on that seed)."""
    champ = ref.runs.get(m.seed)
    if not champ or m.score is None:
        return None
    center = statistics.median(champ)
    gain = relative(ref.direction.oriented(m.score) - ref.direction.oriented(center), center)
    threshold = _threshold(ref)
    if ref.deterministic and len(set(champ)) > 1:
        return None  # the champion's own reruns disagree: one run is not the truth
    return gain if gain < -threshold and gain < 0 else None


def stop_reason(ref: Reference | None, measured: Sequence[Measurement], total: int) -> str:
    """Why to stop after the `measured` seeds of `total`; "" to run the next.

    Paired: each measured seed is compared with the champion's runs on that same seed, and the
    candidate stops only when every one is clearly worse. For a deterministic objective "clearly"
    is beyond the equivalence spread and the champion's spread across seeds (a rerun cannot
    change a score, so the first seed suffices when seeds barely matter); this is a bet that a
    loss on one seed is a loss on the aggregate, which a candidate that wins on the others
    would lose. For a noisy one it is beyond `NOISE_SIGMAS` noise deviations.
    """
    if ref is None or not ref.runs or not measured or len(measured) >= total:
        return ""
    losses = [seed_loss(ref, m) for m in measured]
    if any(loss is None for loss in losses):
        return ""
    worst = max(loss for loss in losses if loss is not None)  # the smallest loss
    seeds = ", ".join(str(m.seed) for m in measured)
    why = (f"beyond {_threshold(ref):.2%} (the larger of the equivalence spread and the "
           "champion's spread across seeds)" if ref.deterministic
           else f"beyond {_threshold(ref):.2%} ({NOISE_SIGMAS:g} noise deviations or the "
                "equivalence spread)")
    return (f"stopped early after {len(measured)} of {total} seeds: worse than champion "
            f"#{ref.champion_id} on seed(s) {seeds} by at least {fmt_gain(worst)}, {why}")
