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

# Two-sided, so 5% each way: generous, since a false alarm only costs runs (the decision then
# uses the fresh runs alone, which stay valid), while a missed drift can keep a no-op.
CONFIDENCE = 0.90


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
        return (f"the champion drifted {self.shift:+.2%} since its {self.pool} earlier run(s) "
                f"({self.fresh} fresh, z = {self.z:+.2f}): decided on fresh interleaved "
                "runs only")


def detect_drift(fresh: Sequence[float], pool: Sequence[float],
                 confidence: float = CONFIDENCE) -> Drift | None:
    """The drift of the champion's `fresh` gains (oriented scores, larger is better) from its
    `pool` of earlier gains; None while the two look like one distribution (two-sided
    Mann-Whitney U at `confidence`), or with too few runs to tell."""
    if not fresh or len(pool) < 2:
        return None
    z = u_z(u_statistic(fresh, pool), len(fresh), len(pool))
    if abs(z) < z_two_sided(confidence):
        return None
    reference = statistics.median(pool)
    return Drift(relative(statistics.median(fresh) - reference, reference), z, len(fresh),
                 len(pool))
