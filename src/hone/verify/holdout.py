"""The holdout: a second objective the proposer never sees, measured on champions.

`measure` runs `[holdout] run` `repeats` times; `compare` says whether a champion's holdout got
worse than a reference (the previous champion, the baseline) beyond the holdout's own noise.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from hone.config.model import Config
from hone.direction import Direction
from hone.expr.score import ScoreExpr
from hone.records import Measurement
from hone.verify.verifier import StageFailure, Verifier

KIND = "holdout"


def enabled(config: Config) -> bool:
    return bool(config.holdout.run.strip())


def measure(verifier: Verifier, workdir: Path, attempt_id: int, label: str = ""
            ) -> list[Measurement] | StageFailure:
    """The holdout's measurements of the commit checked out in `workdir` (holdout files
    present), or why it failed."""
    cfg = verifier.config.holdout
    expr = ScoreExpr(cfg.score or verifier.config.objective.score)
    out: list[Measurement] = []
    for seed in range(1, cfg.repeats + 1):
        result = verifier.measure(workdir, attempt_id, seed, kind=KIND, command=cfg.run,
                                  label=label, timeout=cfg.timeout, score_expr=expr)
        if isinstance(result, StageFailure):
            return result
        out.append(result)
    return out


@dataclass(frozen=True)
class Comparison:
    """A champion's holdout against a reference attempt's."""

    reference_id: int
    score: float
    reference: float
    margin: float
    worse: bool

    def to_json(self) -> dict[str, object]:
        return {"reference_id": self.reference_id, "score": self.score,
                "reference": self.reference, "margin": self.margin, "worse": self.worse}


def compare(candidate: list[float], reference: list[float], reference_id: int,
            direction: Direction, tolerance: float = 0.0) -> Comparison:
    """Worse means: the medians differ the wrong way by more than twice the standard error
    of their difference, plus `tolerance` relative to the reference."""
    cand, ref = statistics.median(candidate), statistics.median(reference)
    spread = math.sqrt(_var(candidate) / len(candidate) + _var(reference) / len(reference))
    margin = 2 * spread + tolerance * abs(ref)
    drop = direction.oriented(ref) - direction.oriented(cand)
    return Comparison(reference_id, cand, ref, margin, drop > margin)


def _var(values: list[float]) -> float:
    return statistics.variance(values) if len(values) > 1 else 0.0
