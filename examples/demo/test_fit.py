"""The gate: fit() still returns two finite numbers."""

import math

from fit import fit

slope, intercept = fit([0.0, 1.0, 2.0], [1.0, 2.0, 3.0])
assert math.isfinite(slope) and math.isfinite(intercept)
