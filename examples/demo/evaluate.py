"""Scores fit.py: mean squared error of its line on held data (lower is better)."""

from __future__ import annotations

import json
import math
import random

from fit import fit


def main() -> None:
    rng = random.Random(7)
    xs = [i / 10 for i in range(-20, 21)]
    ys = [3.0 * x - 1.0 + rng.gauss(0, 0.3) for x in xs]
    slope, intercept = fit(xs, ys)
    mse = sum((slope * x + intercept - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    if not math.isfinite(mse):
        mse = 1e9  # diverged
    print(json.dumps({"mse": round(mse, 6), "slope": slope, "intercept": intercept}))


if __name__ == "__main__":
    main()
