"""The holdout: a second objective the proposer never sees, measured on champions.

`run_in` measures it on a worktree the way an executor job does: in the same worktree, with
the same seeds and variables as the objective's runs, the holdout's own files the only
difference, so the candidate's code cannot tell where it runs. `compare` says whether a
champion's holdout got worse than a reference (the previous champion, the baseline) beyond
the holdout's own noise; too few runs to see that noise make the verdict inconclusive.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from hone.config.load import CONFIG_FILE
from hone.config.model import Config
from hone.decide.noise import within_noise
from hone.direction import Direction
from hone.expr.score import ScoreExpr
from hone.records import Measurement
from hone.verify.verifier import StageFailure, Verifier

KIND = "holdout"
# Runs per side below which no spread can be seen: one run each cannot tell a drop from noise.
MIN_RUNS = 2
# Runs per side a drop may get when the first runs cannot tell it from noise: a rank test of
# 2 runs against 2 can never be significant, 4 against 4 can.
MAX_RUNS = 4


def enabled(config: Config) -> bool:
    return bool(config.holdout.run.strip())


def seeds(config: Config) -> list[int]:
    """The seeds of the holdout's `repeats` runs: the objective's seeds in turn, so that
    `HONE_SEED` and `{seed}` take the values they take in the objective's runs."""
    own = config.objective.seed_list()
    return [own[i % len(own)] for i in range(config.holdout.repeats)]


def run_in(verifier: Verifier, workdir: Path, attempt_id: int, label: str = "",
           tree: Mapping[str, str] | None = None,
           exclusive: AbstractContextManager[object] | None = None
           ) -> list[Measurement] | StageFailure:
    """Make `workdir` (a worktree that holds the attempt's commit) what the objective's runs
    see plus the holdout's own files, then measure the holdout there (`tree`: see
    `Guard.prepare`; `exclusive`: held while the holdout runs, as for the objective). The
    config file stays hidden: it names the holdout, and the objective's runs never see it."""
    verifier.forget_bytecode(workdir)
    guard = verifier.guard
    if guard is not None:
        guard.prepare(workdir, hide=False, tree=tree)
        guard.hide(workdir, [p for p in guard.hidden if p == CONFIG_FILE])
    with exclusive or nullcontext():
        return measure(verifier, workdir, attempt_id, label)


def measure(verifier: Verifier, workdir: Path, attempt_id: int, label: str = ""
            ) -> list[Measurement] | StageFailure:
    """The holdout's measurements of the commit checked out in `workdir` (holdout files
    present), or why it failed."""
    cfg = verifier.config.holdout
    expr = ScoreExpr(cfg.score or verifier.config.objective.score)
    out: list[Measurement] = []
    first = len(verifier.config.objective.seed_list())
    for i, seed in enumerate(seeds(verifier.config)):
        # A seed's second run gets a log of its own, as the baseline's repeats do.
        again = f"_n{i}" if i >= first else ""
        result = verifier.measure(workdir, attempt_id, seed, kind=KIND, command=cfg.run,
                                  label=label + again, timeout=cfg.timeout, score_expr=expr)
        if isinstance(result, StageFailure):
            return result
        out.append(result)
    return out


@dataclass(frozen=True)
class Comparison:
    """A champion's holdout against a reference attempt's: medians, run counts, and the
    verdict. `worse` only when the runs can tell (`inconclusive` otherwise)."""

    reference_id: int
    score: float
    reference: float
    runs: int
    reference_runs: int
    worse: bool
    inconclusive: bool = False

    def to_json(self) -> dict[str, object]:
        return {"reference_id": self.reference_id, "score": self.score,
                "reference": self.reference, "runs": self.runs,
                "reference_runs": self.reference_runs, "worse": self.worse,
                "inconclusive": self.inconclusive}


def compare(candidate: list[float], reference: list[float], reference_id: int,
            direction: Direction, tolerance: float = 0.0) -> Comparison:
    """Worse means measurably worse: not `within_noise` of the reference (a rank test and the
    Hodges-Lehmann interval of the shift; for runs that agree on each side, any drop), with
    `tolerance` the relative drop tolerated on top. Fewer than `MIN_RUNS` runs on a side show
    no spread, so a drop there is inconclusive, never worse: one noisy run flags nothing. A
    median that dropped beyond `tolerance` without the test seeing it is inconclusive too
    while a side has fewer than `MAX_RUNS` runs (more runs may tell)."""
    cand, ref = statistics.median(candidate), statistics.median(reference)
    seen = not within_noise(candidate, reference, direction, min_effect=tolerance)
    runs = min(len(candidate), len(reference))
    few = runs < MIN_RUNS
    dropped = direction.oriented(cand) < direction.oriented(ref) - tolerance * abs(ref)
    unsure = (seen and few) or (dropped and not seen and runs < MAX_RUNS)
    return Comparison(reference_id, cand, ref, len(candidate), len(reference),
                      seen and not few, unsure)


def settle(candidate: list[float], reference: list[float], reference_id: int,
           direction: Direction, tolerance: float, more_candidate: Callable[[], list[float]],
           more_reference: Callable[[], list[float]]) -> Comparison:
    """`compare`, and while it is inconclusive one more batch of runs on each side (the
    callables return the new scores, [] when no more can be had: then it stays inconclusive)."""
    found = compare(candidate, reference, reference_id, direction, tolerance)
    while found.inconclusive:
        more, more_ref = more_candidate(), more_reference()
        if not more or not more_ref:
            break
        candidate, reference = candidate + more, reference + more_ref
        found = compare(candidate, reference, reference_id, direction, tolerance)
    return found
