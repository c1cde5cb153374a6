"""Fits a line to noisy data with gradient descent; the knobs below decide how well.

The classic mutator tunes the marked literals; evaluate.py (protected) scores the fit.
"""

from __future__ import annotations

LEARNING_RATE = 0.001  # hone: tune
MOMENTUM = 0.1  # hone: tune
STEPS = 40  # hone: tune
INIT_SLOPE = 0.0  # hone: tune


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Return (slope, intercept) after STEPS steps of gradient descent with momentum."""
    slope, intercept = INIT_SLOPE, 0.0
    v_slope = v_intercept = 0.0
    n = len(xs)
    for _ in range(STEPS):
        g_slope = sum(2 * (slope * x + intercept - y) * x for x, y in zip(xs, ys)) / n
        g_intercept = sum(2 * (slope * x + intercept - y) for x, y in zip(xs, ys)) / n
        v_slope = MOMENTUM * v_slope - LEARNING_RATE * g_slope
        v_intercept = MOMENTUM * v_intercept - LEARNING_RATE * g_intercept
        slope += v_slope
        intercept += v_intercept
    return slope, intercept
