"""Gates then objective, on one worktree: fail-fast, each command with its own timeout.

A `Verdict` says whether the attempt passed, and if not at which stage and why; the caller
decides what to keep. Every command runs in the sandbox the config describes (verify/sandbox.py),
and with a `guard` the worktree is reset to its commit and the protected files checked around it.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from hone.config.model import Config, GateSection, SandboxSection
from hone.expr.constraints import Constraint, check
from hone.expr.score import ScoreError, ScoreExpr
from hone.records import GateFlake, Measurement
from hone.resolve import resolved
from hone.verify import bytecode, launcher, prestart, retries
from hone.verify.call import Call
from hone.verify.early import Reference, screen_reason, stop_reason
from hone.verify.guard import Guard
from hone.verify.metrics import MetricsError, parse_feedback, parse_metrics, stdout_text
from hone.verify.process import CommandResult

# The records live in verify/verdict.py; importers of this module get them here too.
from hone.verify.verdict import StageFailure as StageFailure
from hone.verify.verdict import StageRun as StageRun
from hone.verify.verdict import Verdict as Verdict
from hone.verify.verdict import aggregate as aggregate


class Verifier:
    """Runs the config's gates and objective on a worktree, writing logs under `logs_dir`."""

    def __init__(self, config: Config, logs_dir: Path, env: dict[str, str] | None = None,
                 guard: Guard | None = None) -> None:
        self.config = config
        self.logs_dir = logs_dir
        self.base_env = dict(os.environ if env is None else env)
        self.score_expr = ScoreExpr(config.objective.score)
        self.constraints = [Constraint(c) for c in config.objective.constraints]
        self.guard = guard
        self._jails: dict[Path, SandboxSection] = {}  # the sandbox settings per `own` folder

    def forget_bytecode(self, workdir: Path) -> None:
        """Drop the shared bytecode of `workdir`'s own files (see `bytecode.BytecodeCache`)."""
        bytecode.CACHE.forget(workdir)

    def _run(self, command: str, workdir: Path, attempt_id: int, name: str, timeout: float,
             extra_env: dict[str, str] | None = None) -> CommandResult:
        return launcher.run(self._call(command, workdir, attempt_id, name, extra_env), timeout,
                            self.config.logs.max_bytes)

    def _call(self, command: str, workdir: Path, attempt_id: int, name: str,
              extra_env: dict[str, str] | None = None) -> Call:
        stem = self.logs_dir / f"{attempt_id:05d}" / log_stem(name)
        # HONE_LOGS: where a command may leave records of the attempt (hone.judge does)
        env = {**self.base_env, "HONE_ATTEMPT": str(attempt_id),
               "HONE_LOGS": str(resolved(stem.parent)), **(extra_env or {})}
        own = bytecode.CACHE.own(workdir)
        own.mkdir(exist_ok=True)
        rw = self.config.sandbox.rw_paths
        settings = self._jails.get(own)
        if settings is None:  # made once: a pydantic copy costs a tenth of a millisecond
            settings = self.config.sandbox.model_copy(update={"rw_paths": [*rw, str(own)]})
            self._jails[own] = settings
        return Call(command, workdir, stem, env, settings,
                    tuple(self.guard.protected) if self.guard else (), own, tuple(rw))

    def _objective(self, workdir: Path, attempt_id: int, seed: int, kind: str,
                   command: str | None, label: str) -> Call:
        """The call that runs the objective (or `command`, e.g. the screen) with `seed`."""
        cmd = (command or self.config.objective.run).replace("{seed}", str(seed))
        return self._call(cmd, workdir, attempt_id, f"{kind}_seed{seed}{label}",
                          {"HONE_SEED": str(seed)})

    def prestart(self, workdir: Path, attempt_id: int, seeds: Sequence[int] = (), *,
                 gates: bool = True, kind: str = "objective", label: str = "") -> bool:
        """Build now the jail of the first command `verify` would run with these arguments
        (verify/prestart.py), so that it starts at once when that command comes; False when
        nothing was started. Changes nothing that runs."""
        seed = (list(seeds) or self.config.objective.seed_list())[0]
        screen = self.config.objective.screen if gates and kind == "objective" else ""
        if gates and self.config.gates:
            gate = self.config.gates[0]
            call = self._call(gate.run, workdir, attempt_id, f"gate_{gate.name}")
        else:
            call = self._objective(workdir, attempt_id, seed, "screen" if screen else kind,
                                   screen or None, label)
        return prestart.start(call)

    def measure(self, workdir: Path, attempt_id: int, seed: int, kind: str = "objective",
                command: str | None = None, label: str = "", timeout: float | None = None,
                score_expr: ScoreExpr | None = None) -> Measurement | StageFailure:
        """Run the objective (or `command`) once with `seed`; a Measurement, or the reason it
        failed."""
        timeout = timeout or self.config.objective.timeout
        res = launcher.run(self._objective(workdir, attempt_id, seed, kind, command, label),
                           timeout, self.config.logs.max_bytes)
        failure = _command_failure(res, kind, timeout, self.config.logs.tail_lines)
        if failure:
            return failure
        stdout = stdout_text(res.stdout_path, res.stdout_tail, self.config.logs.max_bytes)
        try:
            metrics = parse_metrics(stdout)
        except MetricsError as exc:
            return StageFailure("metrics", str(exc), res.tail(self.config.logs.tail_lines))
        try:
            score = (score_expr or self.score_expr).evaluate(metrics)
        except ScoreError as exc:
            unknown = sorted(self.score_expr.names - metrics.keys()) if metrics else []
            return StageFailure(kind, str(exc), res.tail(self.config.logs.tail_lines),
                                unknown_metric=unknown[0] if unknown else "")
        if not math.isfinite(score):
            return StageFailure(kind, f"score is not finite ({score})", res.tail())
        violated = check(self.constraints, metrics) if command is None else None
        if violated:
            return StageFailure("constraint", violated, res.tail(self.config.logs.tail_lines))
        return Measurement(attempt_id, seed, score, metrics, res.seconds, kind,
                           parse_feedback(stdout), cpu_seconds=res.cpu_seconds)

    def verify(self, workdir: Path, attempt_id: int,
               seeds: Sequence[int] | None = None, *, gates: bool = True, label: str = "",
               exclusive: AbstractContextManager[object] | None = None,
               kind: str = "objective", tree: Mapping[str, str] | None = None,
               reference: Reference | None = None) -> Verdict:
        """Gates (unless `gates` is False), then the screen (with the gates, when the config
        has one), then the objective once per seed (the config's seeds by default).
        `exclusive` is held while the objective runs, so that timing objectives of parallel
        slots run one at a time while their gates overlap. With a `reference` (the champion),
        a screen or first seeds clearly worse than it end the verification early
        (`Verdict.stopped`, verify/early.py).

        With a guard, the worktree is first made exactly its commit with the baseline's
        protected files (`tree`: it was just checked out cleanly with these blobs, see
        `Guard.prepare`), and a protected file changed during the run rejects the attempt.
        """
        before = {}
        self.forget_bytecode(workdir)
        if self.guard:
            self.guard.prepare(workdir, tree=tree)
            before = self.guard.fingerprint(workdir)
        run = _Verification(self, workdir, attempt_id, label, kind)
        verdict = run.gates_then_objective(
            list(seeds) if seeds is not None else self.config.objective.seed_list(), gates,
            exclusive, reference)
        changed = self.guard.changed(workdir, before) if self.guard else []
        if changed:
            return Verdict(StageFailure(
                "protected", "changed protected file(s) while verifying: "
                + ", ".join(changed[:5]), rejected=True), verdict.measurements,
                runs=verdict.runs, screen=verdict.screen)
        return verdict

    def run_gate(self, gate: GateSection, workdir: Path, attempt_id: int, fresh: _FreshTree,
              flakes: list[GateFlake], runs: list[StageRun]) -> StageFailure | None:
        """Run `gate` until it settles (`retries.settled`: a failure is run again, a pass
        after a failure must be repeated); why it failed, or None. A gate that both failed
        and passed is added to `flakes`. Each run starts from a fresh tree and has its log."""
        outcomes: list[bool] = []
        last: StageFailure | None = None
        verdict: bool | None = None
        while verdict is None:
            fresh.before()
            name = f"gate_{gate.name}" + (f"_run{len(outcomes) + 1}" if outcomes else "")
            res = self._run(gate.run, workdir, attempt_id, name, gate.timeout)
            fresh.after(gate.outputs)
            failure = _command_failure(res, f"gate:{gate.name}", gate.timeout,
                                       self.config.logs.tail_lines)
            runs.append(StageRun(f"gate:{gate.name}", log_stem(name), res.seconds,
                                 failure is None))
            if failure is not None and failure.stage == "log":
                return failure  # hone could not keep the log: no run of it is to be trusted
            last = failure or last
            outcomes.append(failure is None)
            verdict = retries.settled(outcomes, gate.retries)
        flake = retries.flake(gate.name, outcomes)
        flakes += [flake] if flake else []
        if verdict or last is None:
            return None
        if flake is None:  # failed every run: its own failure, a timeout included
            return last
        return StageFailure(f"gate:{gate.name}", f"gate:{gate.name} is flaky: passed "
                            f"{flake.passed} of {flake.runs} runs (last failure: "
                            f"{last.reason})", last.log_tail)


class _Verification:
    """The stages of one verification in order, collecting what they ran; with a guard,
    every command after the first starts from the committed tree plus the `outputs` earlier
    stages declared (a gate's answer cache, or one objective run's memo for the next, is
    gone)."""

    def __init__(self, verifier: Verifier, workdir: Path, attempt_id: int, label: str,
                 kind: str) -> None:
        self.verifier, self.workdir, self.attempt_id = verifier, workdir, attempt_id
        self.label, self.kind = label, kind
        self.fresh = _FreshTree(verifier.guard, workdir)
        self.flakes: list[GateFlake] = []
        self.runs: list[StageRun] = []
        self.measurements: list[Measurement] = []
        self.screen: Measurement | None = None

    def verdict(self, failure: StageFailure | None = None,
                stopped: StageFailure | None = None) -> Verdict:
        return Verdict(failure, self.measurements, flakes=tuple(self.flakes),
                       runs=tuple(self.runs), screen=self.screen, stopped=stopped)

    def gates_then_objective(self, seeds: list[int], gates: bool,
                             exclusive: AbstractContextManager[object] | None,
                             reference: Reference | None) -> Verdict:
        """Each gate in order (the first that fails stops the rest), the screen, then the
        objective once per seed, stopping after a seed when `stop_reason` says so."""
        v = self.verifier
        for gate in v.config.gates if gates else []:
            failure = v.run_gate(gate, self.workdir, self.attempt_id, self.fresh, self.flakes,
                              self.runs)
            if failure:
                return self.verdict(failure)
        screen = v.config.objective.screen if gates and self.kind == "objective" else ""
        with exclusive or nullcontext():
            if screen and seeds:
                end = self.screened(seeds[0], screen, reference)
                if end is not None:
                    return end
            for seed in seeds:
                result = self.one(seed, self.kind)
                if isinstance(result, StageFailure):
                    return self.verdict(result)
                self.measurements.append(result)
                why = stop_reason(reference, self.measurements, len(seeds))
                if why:
                    return self.verdict(stopped=StageFailure("early", why))
        return self.verdict()

    def screened(self, seed: int, command: str, reference: Reference | None
                 ) -> Verdict | None:
        """Run the screen; the verdict when it ends the verification (it failed, or scored
        worse than the reference's screen beyond the margin), None to go on."""
        result = self.one(seed, "screen", command)
        if isinstance(result, StageFailure):
            return self.verdict(result)
        self.screen = result
        why = screen_reason(reference, result.score or 0.0) if reference else ""
        return self.verdict(stopped=StageFailure("screen", why)) if why else None

    def one(self, seed: int, kind: str, command: str | None = None
            ) -> Measurement | StageFailure:
        """One run of the objective (or the screen's `command`) with `seed`, recorded."""
        self.fresh.before()
        start = time.monotonic()
        result = self.verifier.measure(self.workdir, self.attempt_id, seed, kind=kind,
                                       command=command, label=self.label)
        self.runs.append(StageRun(kind, log_stem(f"{kind}_seed{seed}{self.label}"),
                                  time.monotonic() - start,
                                  not isinstance(result, StageFailure)))
        self.fresh.after(self.verifier.config.objective.outputs)
        return result


def log_stem(name: str) -> str:
    """The stem of a command's log files in its attempt's log folder."""
    return name.replace("/", "_").replace(":", "_")


class _FreshTree:
    """Resets a worktree between the commands of one verification (see `Guard.refresh`)."""

    def __init__(self, guard: Guard | None, workdir: Path) -> None:
        self.guard, self.workdir = guard, workdir
        self.ran = False
        self.keep: list[str] = []

    def before(self) -> None:
        if self.ran and self.guard is not None:
            self.guard.refresh(self.workdir, self.keep)

    def after(self, outputs: Sequence[str]) -> None:
        self.ran = True
        self.keep += [p for p in outputs if p not in self.keep]


def _command_failure(res: CommandResult, stage: str, timeout: float,
                     tail_lines: int = 30) -> StageFailure | None:
    if res.log_error:
        return StageFailure("log", res.log_error, res.tail(tail_lines))
    if res.timed_out:
        return StageFailure("timeout", f"{stage} timed out after {timeout:g}s",
                            res.tail(tail_lines))
    if res.returncode != 0:
        return StageFailure(stage, f"{stage} exited with code {res.returncode}",
                            res.tail(tail_lines))
    return None


def build_verifier(config: Config, logs_dir: Path, env: dict[str, str] | None = None,
                   guard: Guard | None = None) -> Verifier:
    """The verifier `config` asks for, writing logs under `logs_dir`: the one constructor the
    loop and every executor's workers (local slots, Ray workers) use, so they verify alike.
    Module-level, so that `partial(build_verifier, config, guard=...)` pickles."""
    return Verifier(config, logs_dir, env=env, guard=guard)
