"""The measurement plan on a live run: the baseline's noise floor, the seeds an attempt is
measured with, and the final confirmation of the champion against the baseline (executor jobs
with the purpose `confirm`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hone.config.model import Config
from hone.decide.confirm import Confirmation, Side, confirm
from hone.decide.noise import NoiseFloor, noise_floor, plan_warning
from hone.decide.pooled import one_per_seed, pooled_champion
from hone.loop.equivalence import measure_equivalence
from hone.records import Attempt, Measurement, Noise, Purpose
from hone.verify.verifier import StageFailure

if TYPE_CHECKING:
    from hone.loop.engine import Engine
    from hone.loop.view import RunView


def plan_seeds(config: Config, floor: NoiseFloor | None) -> list[int]:
    """The seeds a new attempt is first measured with. A deterministic objective is measured
    once (once per seed when the config lists seeds, since seeds may change the result)."""
    seeds = config.objective.seed_list()
    if floor is not None and floor.deterministic:
        return list(dict.fromkeys(config.objective.seeds or seeds[:1]))
    return seeds


def record_noise_floor(engine: Engine, baseline: Attempt, runs: list[Measurement]) -> Attempt:
    """Record the noise floor of the baseline's `runs` and its pooled score, on the baseline
    attempt and in the run's metadata, then its equivalence spread (when asked for)."""
    config = engine.ws.config
    floor = noise_floor(runs)
    acc = config.acceptance
    warning = plan_warning(floor, acc.min_effect, acc.max_repeats, acc.confidence)
    # A deterministic objective's rerun (the determinism check) repeats a seed: once each.
    score = pooled_champion(one_per_seed(runs) if floor.deterministic else runs,
                            config.objective.aggregation)
    engine.store.update_run(engine.run, meta={"noise": floor.to_json(), "noise_warning": warning})
    baseline = replace(baseline, score=score, noise=Noise(floor.to_json(), warning or ""))
    return measure_equivalence(engine, baseline, runs, plan_seeds(config, floor))


def run_noise(engine: RunView) -> NoiseFloor | None:
    """The run's noise floor, None for runs started before it was measured."""
    data = engine.info().meta.get("noise")
    return NoiseFloor.from_json(data) if data else None


def confirm_champion(engine: Engine, runs: int | None = None) -> Confirmation | None:
    """Champion against baseline over fresh interleaved runs; None when the champion is the
    baseline. The runs are recorded as `confirm` measurements and the result in the run's
    metadata."""
    champion, baseline = engine.champion(), engine.get(0)
    if champion.id == baseline.id or champion.commit is None or baseline.commit is None:
        return None
    config = engine.ws.config
    floor = run_noise(engine)
    if runs is None:
        runs = 1 if floor is not None and floor.deterministic else max(
            config.acceptance.noise_runs, config.acceptance.initial_repeats)
    seeds = plan_seeds(config, floor) if floor is not None and floor.deterministic \
        else config.objective.seed_list()
    attempts = {"baseline": baseline, "champion": champion}
    done = {"baseline": 0, "champion": 0}

    def measure(side: Side) -> float | None:
        # One pass over the seeds per round for a seed-deterministic objective.
        seed = seeds[done[side] % len(seeds)]
        done[side] += 1
        result = engine.measurer.once(attempts[side], Purpose.CONFIRM, seed,
                                      label=f"_c{done[side]}")
        if isinstance(result, StageFailure):
            return None
        engine.store.add_measurement(engine.run, result)
        return result.score

    deterministic = bool(floor and floor.deterministic)
    result = confirm(measure, runs * len(seeds) if deterministic else runs,
                     config.objective.direction, config.acceptance.confidence, deterministic)
    engine.store.update_run(engine.run, meta={"confirmation": {
        "champion_id": champion.id, **result.to_json()}})
    return result
