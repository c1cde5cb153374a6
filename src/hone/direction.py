"""Which way a score is better, and the one definition of gain: "+20%" means better, whatever
the direction.

Every surface that shows or compares scores (brief, live view, status, show, best, report,
squash messages, strategies, deciders) goes through this module, so that they cannot disagree
on a sign. A leaf: it imports nothing from hone.
"""

from __future__ import annotations

import enum
import math


class Direction(enum.StrEnum):
    """`max`: higher scores are better; `min`: lower scores are better.

    A `StrEnum`, so config files and the journal keep the plain strings "max" and "min".
    """

    MAX = "max"
    MIN = "min"

    @property
    def sign(self) -> int:
        """+1 for `max`, -1 for `min`: a score times the sign is larger when better."""
        return 1 if self is Direction.MAX else -1

    @property
    def wording(self) -> str:
        """For people: 'higher is better' or 'lower is better'."""
        return "higher is better" if self is Direction.MAX else "lower is better"

    def oriented(self, score: float) -> float:
        """The score turned so that larger is better (its negation for `min`)."""
        return self.sign * float(score)

    def better(self, a: float, b: float) -> bool:
        """`a` is strictly better than `b`."""
        return self.oriented(a) > self.oriented(b)

    def improvement(self, score: float | None, reference: float | None) -> float | None:
        """How much better `score` is than `reference`, in score units (negative: worse);
        None when either is missing or not finite."""
        if not _finite(score) or not _finite(reference):
            return None
        assert score is not None and reference is not None
        return self.oriented(score) - self.oriented(reference)

    def gain(self, score: float | None, reference: float | None) -> float | None:
        """Relative improvement of `score` over `reference`: +0.2 means 20% better, whatever
        the direction (max 100 -> 120 and min 100 -> 80 are both +0.2). Measured against
        |reference|, so a negative reference keeps the sign rule (max -100 -> -80 is +0.2).

        None when either score is missing or not finite, and when the reference is 0: a
        relative change from zero has no scale (statistics that need a number there use
        `relative`, which measures it on a unit scale).
        """
        change = self.improvement(score, reference)
        if change is None or not reference:
            return None
        return change / abs(reference)

    def key(self, score: float | None) -> float:
        """Sort key, best first: `sorted(xs, key=lambda x: d.key(x.score))`; a missing or
        NaN score sorts last."""
        if score is None or math.isnan(score):
            return math.inf
        return -self.oriented(score)


def relative(change: float, reference: float | None) -> float:
    """A change (already oriented: positive = better) as a fraction of |reference|, or as is
    when the reference is zero or unknown (a unit scale, so that a decision still has a number
    to compare with a threshold)."""
    scale = abs(reference) if reference else 0.0
    return change / scale if scale > 0 else change


def fmt_gain(value: float | None) -> str:
    """A gain for people: '+20.00%' (positive = better), '' when unknown."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:+.2%}"


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)
