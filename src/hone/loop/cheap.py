"""Cheap first: how a new attempt is verified so that a clearly worse one costs little.

`verify_plan` says which seeds run, whether they run concurrently (as separate executor jobs,
see `loop/jobs.py`), and what the champion scored, so that the screen and the first seeds can
end the verification early (verify/early.py). `stopped` is how such an end is recorded.
"""

from __future__ import annotations

import statistics
from typing import TypedDict

from hone.config.model import Config
from hone.decide.base import Decision
from hone.decide.noise import NoiseFloor
from hone.loop.jobs import VerifyPlan
from hone.loop.measure import plan_seeds, run_noise
from hone.loop.view import RunView
from hone.records import Attempt, Measurement
from hone.verify.early import Reference
from hone.verify.verifier import Verdict


def concurrent_seeds(config: Config, floor: NoiseFloor | None, slots: int, seeds: int) -> bool:
    """Whether an attempt's seeds may run at once: more than one seed and one slot; an
    objective that may overlap others (`exclusive_objective` off, or deterministic, so not
    timing-sensitive); and no stage output carried from one command to the next (a gate's
    build, an objective's memo), which would not be in the other slots' worktrees."""
    deterministic = floor is not None and floor.deterministic
    carried = config.objective.outputs or any(g.outputs for g in config.gates)
    return (slots > 1 and seeds > 1 and not carried
            and (deterministic or not config.executor.exclusive_objective))


def reference(config: Config, floor: NoiseFloor | None, champion: Attempt,
              runs: list[Measurement]) -> Reference | None:
    """What the candidate is compared with while measured, from the champion's recorded
    `runs`: its screen score (with a screen configured), its objective runs by seed (with
    `[acceptance] early_stop`); None when there is nothing to compare with."""
    screens = [m.score for m in runs if m.kind == "screen" and m.score is not None]
    screen = statistics.median(screens) if screens and config.objective.screen else None
    early = config.acceptance.early_stop and floor is not None
    by_seed = _by_seed([m for m in runs if m.kind == "objective"] if early else [])
    if screen is None and not by_seed:
        return None
    return Reference(champion.id, config.objective.direction, screen,
                     config.objective.screen_margin, by_seed,
                     bool(floor and floor.deterministic), floor.cv if floor else 0.0,
                     floor.margin if floor else 0.0)


def _by_seed(runs: list[Measurement]) -> dict[int, list[float]]:
    by_seed: dict[int, list[float]] = {}
    for m in runs:
        if m.score is not None:
            by_seed.setdefault(m.seed, []).append(m.score)
    return by_seed


def verify_plan(view: RunView, champion: Attempt, slots: int) -> VerifyPlan:
    """How to verify a new attempt of `view`'s run against `champion` with `slots` slots."""
    config, floor = view.ws.config, run_noise(view)
    seeds = tuple(plan_seeds(config, floor))
    runs = view.store.measurements(view.run, champion.id)
    return VerifyPlan(seeds, reference(config, floor, champion, runs),
                      concurrent_seeds(config, floor, slots, len(seeds)),
                      bool(config.gates or config.objective.screen))


class Stopped(TypedDict):
    """How the engine records a verification that the screen or the first seeds ended."""

    stage: str
    reason: str
    score: float | None
    decision: Decision


def stopped(verdict: Verdict, champion: Attempt) -> Stopped:
    """The record of a verification that the screen (stage `screen`) or the first seeds
    (stage `early`) ended: not kept, with the reason as the decision's rule."""
    assert verdict.stopped is not None
    rule = verdict.stopped.reason
    return Stopped(stage=verdict.stopped.stage, reason=rule, score=verdict.score,
                   decision=Decision(False, verdict.score, champion.score, rule, {
                       "rule": rule, "stopped": verdict.stopped.stage,
                       "runs": len(verdict.measurements),
                       "screen": verdict.screen.score if verdict.screen else None}))
