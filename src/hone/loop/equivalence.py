"""Equivalence noise on a live run: build semantically equivalent variants of the baseline
(Python: `verify/variants.py`; any language: the `[objective] equivalent` hook), measure them as
executor jobs with the purpose `equivalence`, and record their spread in the run's noise floor,
where the decider reads it as the margin a keep must exceed (`NoiseFloor.margin`); each new
champion gets a few variants of its own, which may widen it.

Why: an objective can be deterministic per input and still chaotic in the code (place and route
moves Fmax by several percent when a signal is renamed). Re-running one commit shows no spread
there; equivalent programs show the real one (measurement bias from code layout)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hone.config.model import Config
from hone.decide.noise import NoiseFloor, equivalence_spread
from hone.decide.pooled import one_per_seed, pooled_score
from hone.records import Attempt, Measurement, Noise, Purpose
from hone.verify.process import run_command
from hone.verify.variants import python_variant

if TYPE_CHECKING:
    from hone.loop.engine import Engine

HOOK_VARIANTS = 6  # variants measured by default when the config names a hook
CHAMPION_VARIANTS = 2  # variants of each new champion (re-estimating the spread cheaply)
SLOT = "equivalence"  # the worktree the variants are written in


def variant_count(config: Config) -> int:
    """How many equivalent variants the baseline gets: `[acceptance] variants`, by default
    `HOOK_VARIANTS` with an `[objective] equivalent` hook and none without (off)."""
    if config.acceptance.variants is not None:
        return config.acceptance.variants
    return HOOK_VARIANTS if config.objective.equivalent else 0


def measure_equivalence(engine: Engine, baseline: Attempt, runs: list[Measurement],
                        seeds: list[int]) -> Attempt:
    """Measure the equivalence spread of `baseline` (already measured by `runs`, its noise
    floor recorded) over `seeds`, the seeds an attempt is measured with, and record it in its
    noise floor and the run's metadata. Off (the baseline as it is) when the config asks for no
    variants; a warning on the baseline when variants were asked for but none could be built
    or measured."""
    count = variant_count(engine.ws.config)
    if count == 0 or baseline.noise is None or baseline.commit is None:
        return baseline
    floor = NoiseFloor.from_json(baseline.noise.floor)
    commits, problem = build_variants(engine, baseline.commit, count)
    scores = _measure(engine, baseline, commits, seeds)
    reference = _pooled(engine.ws.config, [m for m in runs if m.seed in seeds])
    if reference is None or not scores:
        why = problem or "no variant could be measured"
        return _record(engine, baseline, floor, f"equivalence noise off: {why}")
    spread = equivalence_spread(reference, [reference, *scores])
    return _record(engine, baseline, replace(floor, equivalence=spread, variants=len(scores)),
                   "")


def reestimate(engine: Engine, champion: Attempt, runs: list[Measurement],
               floor: NoiseFloor | None) -> None:
    """On a new `champion` (measured by `runs`) of a run with equivalence noise on (`floor`
    has a spread): measure `CHAMPION_VARIANTS` variants of it, and let the run's spread grow to
    theirs when it is larger (it never shrinks: fewer variants see less of the range)."""
    if floor is None or floor.equivalence is None or champion.commit is None:
        return
    seeds = sorted({m.seed for m in runs})
    commits, _ = build_variants(engine, champion.commit, CHAMPION_VARIANTS)
    scores = _measure(engine, champion, commits, seeds)
    reference = _pooled(engine.ws.config, runs)
    if reference is None or not scores:
        return
    spread = max(floor.equivalence, equivalence_spread(reference, [reference, *scores]))
    grown = replace(floor, equivalence=spread, variants=floor.variants + len(scores))
    engine.store.update_run(engine.run, meta={"noise": grown.to_json()})


def build_variants(engine: Engine, commit: str, count: int) -> tuple[list[str], str]:
    """Up to `count` commits on top of `commit`, each an equivalent variant of it with a tree
    of its own, and why fewer were built ('' when none is missing)."""
    ws = engine.ws
    python = [p for p in engine.editable(commit) if p.endswith(".py")]
    hook = ws.config.objective.equivalent
    if not hook and not python:
        return [], "no Python file among the editable files and no [objective] equivalent hook"
    trees, commits = {ws.repo.tree_of(commit)}, list[str]()
    worktrees = ws.worktrees(engine.run)
    try:
        for index in range(1, count + 1):
            workdir = worktrees.checkout(SLOT, commit)
            problem = (_run_hook(engine, hook, workdir, index) if hook
                       else _write_python(workdir, python, index))
            if problem:
                return commits, problem
            sha = worktrees.commit(SLOT, f"hone {engine.run}: equivalent variant {index}")
            if sha is None or ws.repo.tree_of(sha) in trees:
                continue
            violations = ws.rules.violations(ws.repo.diffstat(commit, sha).paths)
            if violations:
                return commits, "the equivalent hook " + "; ".join(violations)
            trees.add(ws.repo.tree_of(sha))
            commits.append(sha)
    finally:
        worktrees.remove(SLOT)
    return commits, "" if commits else "every variant is the same program text as the baseline"


def _write_python(workdir: Path, paths: list[str], index: int) -> str:
    for path in paths:
        file = workdir / path
        variant = python_variant(file.read_text(encoding="utf-8"), index)
        if variant is not None:
            file.write_text(variant, encoding="utf-8")
    return ""


def _run_hook(engine: Engine, hook: str, workdir: Path, index: int) -> str:
    """Run the `[objective] equivalent` command for variant `index`; why it failed, or ''."""
    config = engine.ws.config
    stem = engine.ws.logs_dir(engine.run) / "00000" / f"equivalent_v{index}"
    result = run_command(["sh", "-c", hook.replace("{variant}", str(index))], workdir, stem,
                         config.objective.timeout, {**os.environ, "HONE_VARIANT": str(index)},
                         config.logs.max_bytes)
    if result.ok:
        return ""
    return f"the equivalent hook failed on variant {index}: {result.tail(3).strip()}"


def _pooled(config: Config, runs: list[Measurement]) -> float | None:
    """One run per seed (the first), pooled as the objective pools them."""
    return pooled_score([m.score for m in one_per_seed(runs)], config.objective.aggregation)


def _measure(engine: Engine, baseline: Attempt, commits: list[str],
             seeds: list[int]) -> list[float]:
    """Each variant's pooled score over the seeds an attempt is measured with; the runs are
    recorded as `equivalence` measurements of the baseline (never pooled for decisions)."""
    futures = [engine.measurer.submit(replace(baseline, commit=sha), Purpose.EQUIVALENCE,
                                      seeds, gates=False, label=f"_v{index}")
               for index, sha in enumerate(commits, 1)]
    scores = []
    for future in futures:
        verdict = future.result().verdict
        for m in verdict.measurements:
            engine.store.add_measurement(engine.run, m)
        score = None if verdict.failure else _pooled(engine.ws.config, verdict.measurements)
        if score is not None:
            scores.append(score)
    return scores


def _record(engine: Engine, baseline: Attempt, floor: NoiseFloor, warning: str) -> Attempt:
    assert baseline.noise is not None
    warnings = "; ".join(w for w in (baseline.noise.warning, warning) if w)
    engine.store.update_run(engine.run, meta={"noise": floor.to_json(),
                                              "noise_warning": warnings or None})
    return replace(baseline, noise=Noise(floor.to_json(), warnings))
