"""`hone check`: the gates and the objective once on HEAD, as `hone run` measures a baseline.

The same guard of protected files, verifier factory, executor and baseline job as a run (see
`session.open_engine` and `loop/baseline.py`), with one seed and no noise runs, and
nothing written to the journal: logs go to `.hone/check/` (replaced by the next check). With
a `[holdout]`, its runs follow, as they follow a run's baseline.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hone.errors import RunLocked
from hone.executors import make_executor, verifier_factory
from hone.loop.jobs import Measurer
from hone.loop.safeguards import make_guard
from hone.loop.workspace import Workspace
from hone.plugins import check as check_plugins
from hone.records import Attempt, Measurement, Purpose, Status
from hone.verify import holdout
from hone.verify.verifier import StageFailure, Verdict

CHECK_RUN = "check"  # the attempts' run name in the executor's jobs; never a journal run


@dataclass(frozen=True)
class Stage:
    """One stage of the check: a gate or the objective, how it went, and its log files."""

    stage: str
    ok: bool
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    reason: str = ""
    log_tail: str = ""
    logs: tuple[Path, ...] = ()
    retried: bool = False  # failed, and the gate was run again (`[[gates]] retries`)

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "ok": self.ok, "seconds": round(self.seconds, 3),
                "metrics": self.metrics, "score": self.score, "reason": self.reason,
                "log_tail": self.log_tail, "logs": [str(p) for p in self.logs],
                "retried": self.retried}


@dataclass(frozen=True)
class Checked:
    """The outcome of `hone check`: HEAD's commit, each stage in order, whether all passed,
    and whether the working tree has uncommitted changes (which are not measured)."""

    commit: str
    stages: tuple[Stage, ...]
    dirty: bool
    logs_dir: Path

    @property
    def ok(self) -> bool:
        return bool(self.stages) and all(s.ok or s.retried for s in self.stages)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "commit": self.commit, "dirty": self.dirty,
                "logs_dir": str(self.logs_dir), "stages": [s.to_json() for s in self.stages]}


def check_head(ws: Workspace) -> Checked:
    """Run the gates and the objective (its first seed) once on HEAD through the run's
    executor, under its own run lock and in its own run folder (`CHECK_RUN`)."""
    check_plugins(ws.config, ws.config_path.name)
    repo = ws.repo
    head = repo.head()
    logs_dir = ws.dir / "check"
    try:
        lock = ws.lock(CHECK_RUN)
    except RunLocked as exc:
        raise RunLocked("hone check must wait: " + str(exc).split(": ", 1)[-1]) from None
    with lock:
        shutil.rmtree(logs_dir, ignore_errors=True)
        guard = make_guard(ws, head)
        factory = verifier_factory(ws.config, guard)
        attempt = Attempt(CHECK_RUN, 0, None, head, Status.RUNNING, hypothesis="check")
        seed = ws.config.objective.seed_list()[0]
        folder = logs_dir / f"{attempt.id:05d}"
        with make_executor(ws.config, repo.root, ws.run_dir(CHECK_RUN), logs_dir,
                           factory) as executor:
            measurer = Measurer(executor, repo, head)
            done = stages(measurer.verdict(attempt, Purpose.BASELINE, (seed,)), folder)
            if all(s.ok or s.retried for s in done) and holdout.enabled(ws.config):
                # `hone run` measures the holdout on its baseline too, and stops if it fails.
                done += (_holdout(measurer.verdict(attempt, Purpose.HOLDOUT), folder),)
    return Checked(head, done, repo.is_dirty(), logs_dir)


def _holdout(verdict: Verdict, folder: Path) -> Stage:
    logs = tuple(sorted(folder.glob(f"{holdout.KIND}_*"), key=lambda p: (p.stem, p.suffix
                                                                           != ".out")))
    seconds = sum(m.seconds for m in verdict.measurements)
    if verdict.failure is not None:
        return _failed(holdout.KIND, seconds, verdict.failure, logs)
    last = verdict.measurements[-1] if verdict.measurements else None
    return Stage(holdout.KIND, True, seconds, dict(last.metrics) if last else {},
                 verdict.score, logs=logs)


def stages(verdict: Verdict, folder: Path) -> tuple[Stage, ...]:
    """One Stage per command the verdict ran (a gate run again after a failure has a line per
    run); the last fails when the verdict failed (a failure before any command, a patch
    that does not apply, is a stage of its own)."""
    out: list[Stage] = []
    objective_runs = iter(verdict.recorded)  # the screen's run first, as it ran
    for i, run in enumerate(verdict.runs):
        logs = tuple(p for p in (folder / f"{run.log}.out", folder / f"{run.log}.err")
                     if p.exists())
        last = i == len(verdict.runs) - 1
        if last and verdict.failure is not None:
            out.append(_failed(run.stage, run.seconds, verdict.failure, logs))
            continue
        if not run.ok:  # a gate's failed run before it passed (a flake) or was run again
            out.append(Stage(run.stage, False, run.seconds, reason="failed, run again",
                             logs=logs, retried=True))
            continue
        measured: Measurement | None = (next(objective_runs, None)
                                        if not run.stage.startswith("gate:") else None)
        out.append(Stage(run.stage, True, run.seconds,
                         dict(measured.metrics) if measured else {},
                         measured.score if measured else None, logs=logs))
    if verdict.failure is not None and not verdict.runs:
        out.append(_failed(verdict.failure.stage, 0.0, verdict.failure, ()))
    return tuple(out)


def _failed(stage: str, seconds: float, failure: StageFailure, logs: tuple[Path, ...]
            ) -> Stage:
    reason = failure.reason
    if failure.stage not in (stage, "timeout"):
        reason = f"{failure.stage}: {reason}"  # metrics, constraint, protected
    return Stage(stage, False, seconds, reason=reason, log_tail=failure.log_tail, logs=logs)
