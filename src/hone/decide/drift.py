"""Drift of the machine: the champion's fresh runs against its pool of earlier runs.

A decision compares the candidate with the champion's earlier runs (its pool, up to
`[acceptance] window` of them) and with fresh runs interleaved with the candidate's. When the
machine got faster or slower since the pool was measured (a busy machine, thermal throttling,
a neighbour's job), the candidate's runs, measured now, differ from the pool for no reason of
their own: on issue 17's busy machine two no-op changes were kept (+23.7%, +33.7%) that way.
The champion's fresh runs show such a drift: they should be exchangeable with its pool, and a
rank test says when they are not.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hone.decide.ranks import u_statistic, u_z, z_two_sided
from hone.direction import relative

# A discard checks that its fresh runs are not below the pool at 95% one-sided (two-sided 90%):
# a false alarm only costs runs (the decision goes on with fresh runs, which stay valid).
CONFIDENCE = 0.90
# At a would-be keep: the fresh runs' rank statistic above which the pool is not trusted.
KEEP_GATE = 0.0


@dataclass(frozen=True)
class Drift:
    """The champion's `fresh` runs lie `shift` (relative, positive: better) from its `pool`
    of earlier runs, with the rank statistic `z` of fresh over pool."""

    shift: float
    z: float
    fresh: int
    pool: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return (f"the champion's {self.fresh} fresh run(s) lie {self.shift:+.2%} from its "
                f"{self.pool} earlier ones (z = {self.z:+.2f}): decided on fresh interleaved "
                "runs only")


def detect_drift(fresh: Sequence[float], pool: Sequence[float], keep: bool,
                 confidence: float = CONFIDENCE) -> Drift | None:
    """The drift of the champion's `fresh` gains (oriented scores, larger is better) from its
    `pool` of earlier gains that could have decided the verdict at hand: for a keep, fresh
    runs that rank above the pool at all (z > `KEEP_GATE`); for a discard, fresh runs below it
    by a one-sided Mann-Whitney U at (1 + `confidence`) / 2. None otherwise, or with too few
    runs to tell.

    Why a keep is so strict: a machine that got faster by about its noise is rarely caught
    with the 1 to 3 fresh runs a decision has when it keeps, and it is exactly what makes a
    no-op look better; so a keep never rests on a pool its fresh runs do not support
    (bench/noise.py --step 0.05, 5% noise: 10.9% false keeps, against 67.4% without a check
    and 32.5% with a two-sided check at every look)."""
    if not fresh or len(pool) < 2:
        return None
    z = u_z(u_statistic(fresh, pool), len(fresh), len(pool))
    if not (z > KEEP_GATE if keep else z <= -z_two_sided(confidence)):
        return None
    reference = statistics.median(pool)
    return Drift(relative(statistics.median(fresh) - reference, reference), z, len(fresh),
                 len(pool))
