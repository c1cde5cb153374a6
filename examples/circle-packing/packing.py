"""Packs 26 circles in the unit square; the program hone improves.

construct() returns (centres, radii). evaluate.py runs it, checks the packing and scores the sum
of the radii. The numbers marked `hone: tune` are the knobs the classic mutator turns: a layout
of rings, then a random local search. Anything else may change too, as long as construct() stays.
"""

from __future__ import annotations

import math
import random

N = 26

# Layout: one circle in the middle, an inner ring, and the rest on an outer ring.
INNER_COUNT = 8  # hone: tune
INNER_RADIUS = 0.22  # hone: tune
INNER_PHASE = 0.05  # hone: tune
OUTER_RADIUS = 0.38  # hone: tune
OUTER_PHASE = 0.1  # hone: tune

# Local search: move one centre at a time, keep the move if the sum of radii grows.
ITERATIONS = 400  # hone: tune
STEP = 0.05  # hone: tune
STEP_DECAY = 0.995  # hone: tune
SEED = 1  # hone: tune


def radii_for(centres: list[tuple[float, float]]) -> list[float]:
    """Radii by a simple rule: as large as the walls allow, then shrink each overlapping pair."""
    radii = [max(0.0, min(x, y, 1.0 - x, 1.0 - y)) for x, y in centres]
    for i in range(len(centres)):
        for j in range(i + 1, len(centres)):
            d = math.dist(centres[i], centres[j])
            if radii[i] + radii[j] > d:
                scale = d / (radii[i] + radii[j])
                radii[i] *= scale
                radii[j] *= scale
    return radii


def ring(count: int, radius: float, phase: float) -> list[tuple[float, float]]:
    return [
        (
            0.5 + radius * math.cos(phase + 2.0 * math.pi * k / count),
            0.5 + radius * math.sin(phase + 2.0 * math.pi * k / count),
        )
        for k in range(count)
    ]


def clamp(v: float) -> float:
    return min(1.0, max(0.0, v))


def construct() -> tuple[list[tuple[float, float]], list[float]]:
    inner = max(0, min(N - 1, int(INNER_COUNT)))
    centres = [(0.5, 0.5)]
    centres += ring(inner, INNER_RADIUS, INNER_PHASE)
    centres += ring(N - 1 - inner, OUTER_RADIUS, OUTER_PHASE)
    centres = [(clamp(x), clamp(y)) for x, y in centres]

    rng = random.Random(SEED)
    best = sum(radii_for(centres))
    step = STEP
    for _ in range(int(ITERATIONS)):
        i = rng.randrange(N)
        x, y = centres[i]
        centres[i] = (clamp(x + rng.gauss(0.0, step)), clamp(y + rng.gauss(0.0, step)))
        score = sum(radii_for(centres))
        if score > best:
            best = score
        else:
            centres[i] = (x, y)
        step *= STEP_DECAY
    return centres, radii_for(centres)


if __name__ == "__main__":
    c, r = construct()
    print(f"sum of radii: {sum(r):.6f}")
