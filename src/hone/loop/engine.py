"""One run's engine: start or resume it, then the steps of an attempt.

An attempt goes through the loop's steps in order: select parent (the scheduler), propose,
materialise (commit), check the rules, verify (an executor job), decide, record. Every step's
outcome is written to the journal before the next begins, so a crash (even `kill -9`) loses at
most the attempts in flight, which the next start records as interrupted (loop/recover.py).
Every measurement is a job through the run's `Measurer`: the engine never runs a command itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from hone.complexity.quality import Quality
from hone.decide import Decider, Decision, make_decider
from hone.decide.base import Arm
from hone.decide.chain import accept
from hone.errors import HoneError, UsageError
from hone.loop.baseline import measure_baseline
from hone.loop.brief import build_brief
from hone.loop.brief_extras import extra_sections
from hone.loop.cheap import stopped
from hone.loop.commit_message import commit_message
from hone.loop.equivalence import reestimate
from hone.loop.failed_baseline import baseline_error
from hone.loop.jobs import Measurer
from hone.loop.measure import record_noise_floor, run_noise
from hone.loop.recover import forget, refuse_stale_refs, resume
from hone.loop.repair import judged_against, repaired
from hone.loop.safeguards import Safeguards
from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.mutators.base import Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.records import (
    Attempt,
    DecisionRecord,
    Event,
    Hints,
    Lineage,
    Measurement,
    Purpose,
    Status,
)
from hone.store.base import IdTaken, RunInfo
from hone.strategies import novelty
from hone.strategies.merge import apply_merge
from hone.strategies.plan import Plan
from hone.vcs import refs
from hone.verify.equivalent import renamed
from hone.verify.guard import Guard
from hone.verify.hygiene import hygiene_failures
from hone.verify.verifier import StageFailure, Verdict

EventHandler = Callable[[Event, Attempt], None]


def _ignore(event: Event, attempt: Attempt) -> None:
    pass


class Engine(RunView):
    """Writes one run: its baseline, and each attempt's steps. `guard` is the run's snapshot
    of protected and holdout files (at the baseline commit), `measurer` its executor."""

    def __init__(self, ws: Workspace, run: str, guard: Guard, measurer: Measurer,
                 on_event: EventHandler = _ignore, decider: Decider | None = None,
                 simplify_only: bool = False) -> None:
        super().__init__(ws, run)
        self.guard, self.measurer = guard, measurer
        self.decider = decider  # None: the one [acceptance] names, built per decision
        self.on_event = on_event
        self.direction = ws.config.objective.direction
        self.quality = Quality(ws.repo, ws.rules, ws.config, simplify_only)
        self.safeguards = Safeguards(self)

    # -- start / resume ----------------------------------------------------------------------
    def start(self) -> RunInfo:
        """Resume the run, or create it and measure the baseline at HEAD."""
        baseline = self.begin()
        if baseline is not None:
            self.on_event(Event.BASELINE_START, baseline)
            try:
                self.measure_baseline(baseline)
            except BaseException:
                forget(self.ws, self.run)
                raise
        return self.info()

    def begin(self) -> Attempt | None:
        """Resume the run, or create it; its baseline attempt when it must be measured."""
        if self.store.get_run(self.run) is not None:
            return resume(self.ws, self.run)
        refuse_stale_refs(self.ws, self.run)
        repo = self.ws.repo
        head = repo.head()
        editable = self.ws.rules.editable_files(repo.tracked_files(head))
        if not editable:
            files = self.ws.config.files
            raise UsageError(
                f"files.editable {files.editable} matches no tracked file"
                if files.editable else
                "no tracked file is editable: every one is protected "
                f"(files.protect {files.protect}, and hone.toml)")
        meta: dict[str, Any] = {"dirty": repo.is_dirty(), "started": time.time(),
                                "protected": self.guard.protected}
        info = RunInfo(self.run, head, 0, time.time(),
                       self.ws.config.model_dump(mode="json"), meta)
        self.store.create_run(info)
        baseline = Attempt(self.run, 0, None, head, Status.RUNNING, hypothesis="baseline",
                           started=time.time(), lineage=Lineage(tree=repo.tree_of(head)))
        self.store.put_attempt(baseline)  # the run is new: nobody else has an id in it
        return baseline

    def measure_baseline(self, baseline: Attempt) -> None:
        """Measure the baseline (its noise-floor runs in parallel) and record it; a failing
        baseline raises (the caller forgets the run)."""
        assert baseline.commit is not None
        workdir = self.ws.worktrees(self.run).checkout("baseline", baseline.commit)
        baseline = self.quality.account(baseline, workdir, baseline.commit)
        config = self.ws.config
        verdict = measure_baseline(
            self.measurer, baseline, config.objective.seed_list(), config.acceptance.noise_runs,
            lambda run: self.on_event(Event.BASELINE_RUN, replace(baseline, reason=run.line())))
        if verdict.failure:
            f = verdict.failure
            if f.unknown_metric:
                raise UsageError(f"objective.score {config.objective.score!r} "
                                 f"names a metric the objective does not print: {f.reason}")
            raise baseline_error(self.ws, self.run, f)  # with its output and logs
        for m in verdict.recorded:
            self.store.add_measurement(self.run, m)
        baseline = record_noise_floor(self, baseline, verdict.measurements)
        last = verdict.measurements[-1]
        baseline = replace(baseline, status=Status.BASELINE, metrics=last.metrics,
                           feedback=last.feedback, finished=time.time())
        self.safeguards.baseline_holdout(baseline)
        self.store.put_attempt(baseline)
        head = baseline.commit
        assert head is not None
        self.ws.repo.set_ref(refs.attempt_ref(self.run, 0), head)
        self.ws.repo.set_ref(refs.best_ref(self.run), head)
        self.on_event(Event.BASELINE, baseline)

    # -- one attempt -------------------------------------------------------------------------
    def open_attempt(self, attempt_id: int, parent: Attempt, mutator: str,
                     parent2: Attempt | None = None, hints: Hints | None = None,
                     notes: dict[str, Any] | None = None, asked: bool = False,
                     repair_of: int | None = None) -> Attempt:
        """Record attempt `attempt_id` (planned for `store.free_attempt_id`) as running, taking
        the id in the same write (a crash leaves no gap); IdTaken if another writer was first."""
        attempt = Attempt(self.run, attempt_id, parent.id, None, Status.RUNNING,
                          mutator=mutator, started=time.time(), repair_of=repair_of,
                          parent2=parent2.id if parent2 else None, hints=hints or Hints(),
                          notes=dict(notes or {}), asked=asked)
        if not self.store.add_attempt(attempt):
            raise IdTaken(f"attempt #{attempt_id} was opened by another writer; try again")
        self.on_event(Event.START, attempt)
        return attempt

    def prepare(self, attempt: Attempt, slot: str, history: list[Attempt],
                champion: Attempt, workdir_hint: bool = False) -> tuple[str, ProposalContext]:
        """Check out the parent in the slot's worktree and write the brief from what the
        attempt may see (`history`, `champion`); the brief's path and the proposer's context."""
        parent = self.get(attempt.parent if attempt.parent is not None else 0)
        assert parent.commit is not None
        workdir = self.ws.worktrees(self.run).checkout(slot, parent.commit)
        self.guard.hide(workdir)  # the proposer never sees the holdout
        editable = self.editable(parent.commit)
        brief = build_brief(self.ws.config, history, champion, parent, editable,
                            workdir=str(workdir) if workdir_hint else None,
                            extra_sections=extra_sections(self, self.quality, history,
                                                          attempt, parent),
                            measurements=self.store.measurements(self.run))
        brief_path = self.ws.brief_path(self.run, attempt.id)
        text = brief.render()
        brief_path.write_text(text, encoding="utf-8")
        ctx = ProposalContext(self.run, attempt.id, parent, champion, history, self.ws.config,
                              workdir, text, brief_path, editable,
                              hints=attempt.hints.to_json(), sections=brief, repo=self.ws.repo,
                              repair_of=repaired(self, attempt))
        return str(brief_path), ctx

    def editable(self, commit: str) -> list[str]:
        return self.ws.rules.editable_files(self.ws.repo.tracked_files(commit))

    def abandon(self, attempt_id: int, exc: BaseException) -> None:
        """Record an attempt still running when `exc` stopped it as failed."""
        current = self.get(attempt_id)
        if current.status is Status.RUNNING:
            interrupted = isinstance(exc, KeyboardInterrupt | InterruptedError)
            self._finish(current, Status.FAILED,
                         stage="interrupted" if interrupted else "internal",
                         reason="stopped by the user" if interrupted
                         else f"{type(exc).__name__}: {exc}")

    def propose(self, attempt: Attempt, mutator: Mutator, slot: str, history: list[Attempt],
                champion: Attempt, plan: Plan) -> Proposal:
        """Check out the parent in `slot` and let `mutator` edit it (or merge the plan's two
        parents); `history` and `champion` are what the proposer is shown."""
        _, ctx = self.prepare(attempt, slot, history, champion)
        try:
            if plan.parent2 is not None:
                return apply_merge(self.ws.repo, ctx.workdir, plan.parent, plan.parent2)
            return mutator.propose(ctx)
        except MutatorExhausted as exc:
            self._finish(self.get(attempt.id), Status.FAILED, stage="propose", reason=str(exc))
            raise
        except HoneError:
            raise
        except Exception as exc:  # a buggy proposer fails its attempt, not the run
            return Proposal("", failure=f"{type(exc).__name__}: {exc}")

    def materialise(self, attempt: Attempt, slot: str, proposal: Proposal,
                    history: list[Attempt]) -> tuple[Attempt, StageFailure | None]:
        """Commit the slot's worktree as the attempt, check the path rules and look for a
        duplicate in `history`. Returns the attempt, and the failure that ends it before
        verification (None: verify it). Safe to run beside other attempts: it touches only
        the slot and the attempt's ref and record."""
        self.store.put_texts(self.run, attempt.id, proposal.texts)
        attempt = replace(attempt, hypothesis=proposal.hypothesis or attempt.hypothesis,
                          cost=proposal.cost or attempt.cost,
                          notes={**attempt.notes, **proposal.notes})
        if proposal.failure:
            return attempt, StageFailure(proposal.stage or ("merge" if attempt.parent2 is not None
                                                            else "propose"), proposal.failure)
        parent = self.get(attempt.parent if attempt.parent is not None else 0)
        assert parent.commit is not None
        workdir = self.ws.worktrees(self.run).path(slot)
        self.guard.unhide(workdir, parent.commit)  # hidden files must not commit as deleted
        commit = self.ws.worktrees(self.run).commit(slot, commit_message(attempt))
        if commit is None and proposal.rejected:  # the mutator refused to write the change
            return attempt, StageFailure("rules", proposal.rejected, rejected=True)
        if commit is None:
            return attempt, StageFailure("propose", "the proposal changed nothing")
        repo = self.ws.repo
        repo.set_ref(refs.attempt_ref(self.run, attempt.id), commit)
        stat = repo.diffstat(parent.commit, commit)
        code = replace(attempt.code, lines_added=stat.added, lines_removed=stat.removed,
                       files_touched=stat.files)
        attempt = replace(attempt, commit=commit, code=code, lineage=Lineage(
            novelty.diff_key(repo, parent.commit, commit), repo.tree_of(commit)))
        attempt = self.quality.account(attempt, workdir, commit)
        self.store.put_attempt(attempt)
        return attempt, self._screen(attempt, proposal, stat.paths, workdir, history)

    def _screen(self, attempt: Attempt, proposal: Proposal, paths: list[str], workdir: Path,
                history: list[Attempt]) -> StageFailure | None:
        """The first reason a committed attempt ends before verification, in order: the
        mutator's refusal, the path rules, file hygiene, a duplicate in `history`. None: verify
        it."""
        if proposal.rejected:
            return StageFailure("rules", proposal.rejected, rejected=True)
        violations = self.ws.rules.violations(paths)
        if violations:
            return StageFailure("rules", "; ".join(violations), rejected=True)
        unclean = hygiene_failures(workdir, [p for p in paths if os.path.lexists(workdir / p)],
                                   self.ws.config.files.allow_binary,
                                   self.ws.repo.tracked_files(self.guard.baseline))
        if unclean:
            return StageFailure("hygiene", "; ".join(unclean[:3]), rejected=True)
        if self.ws.config.search.dedupe and attempt.retry_of is None:  # asked for again
            same = novelty.find_duplicate(history, attempt, attempt.lineage.diff_key,
                                          attempt.lineage.tree)
            if same is not None:
                return StageFailure("duplicate", f"the same change as #{same.id} "
                                    f"({same.status.value}) was already tried")
        return renamed(self.ws.config, self.ws.repo, judged_against(self, attempt), attempt, paths)

    def conclude(self, attempt: Attempt, verdict: Verdict) -> Attempt:
        """Record the verdict, then decide against the champion (serial: one at a time)."""
        attempt = replace(attempt, flakes=verdict.flakes or attempt.flakes)
        for m in verdict.recorded:
            self.store.add_measurement(self.run, m)
        if verdict.failure is None and verdict.stopped is not None:  # the screen, first seeds
            return self._finish(attempt, Status.DISCARDED, **stopped(verdict, self.champion()))
        if verdict.failure:
            f = verdict.failure
            status = (Status.DUPLICATE if f.stage in ("duplicate", "rename-only")
                      else Status.REJECTED if f.rejected else Status.FAILED)
            return self._finish(attempt, status, stage=f.stage, reason=f.reason,
                                log_tail=f.log_tail, score=verdict.score)
        return self._decide(attempt, verdict.measurements)

    def _decide(self, attempt: Attempt, measured: list[Measurement]) -> Attempt:
        champion = self.champion()
        cand = list(measured)
        champ = [m for m in self.store.measurements(self.run, champion.id)
                 if m.kind == "objective"]
        decider = self.decider or make_decider(self.ws.config, run_noise(self))
        decision = decider.decide(cand, champ, self.direction,
                                  self._remeasurer(attempt, champion, cand, champ))
        if decision.champion_score is not None and decision.champion_score != champion.score:
            self.store.put_attempt(replace(self.get(champion.id),
                                           score=decision.champion_score))
        verdict = accept(
            decision,
            review=lambda d: self.quality.review(d, attempt, champion, cand, champ),
            vet=lambda d: self.safeguards.vet(attempt, champion, cand, d.champion_score))
        attempt = replace(attempt, vetting=verdict.vetting.record,
                          feedback=cand[-1].feedback if cand else "")
        result = self._finish(attempt, verdict.status, stage=verdict.stage,
                              score=verdict.decision.score,
                              metrics=cand[-1].metrics if cand else {},
                              reason=verdict.reason, decision=verdict.decision)
        if verdict.status is Status.KEPT:
            assert attempt.commit is not None
            self.store.update_run(self.run, champion=attempt.id)
            # Off the loop's path: the journal says it already (Repo.set_ref_soon).
            self.ws.repo.set_ref_soon(refs.best_ref(self.run), attempt.commit)
            reestimate(self, result, cand, run_noise(self))
            if self.ws.config.notify.command:  # a command told of the keep may read the ref
                self.ws.repo.flush_refs()
            self.on_event(Event.CHAMPION, result)
        return result

    def _remeasurer(self, attempt: Attempt, champion: Attempt, cand: list[Measurement],
                    champ: list[Measurement]) -> Callable[[Arm], Measurement | None]:
        seeds = self.ws.config.objective.seed_list()

        def remeasure(arm: Arm) -> Measurement | None:
            target, pool = (attempt, cand) if arm == "candidate" else (champion, champ)
            result = self.measurer.once(target, Purpose.REMEASURE, seeds[len(pool) % len(seeds)],
                                        label=f"_r{len(pool)}")
            if isinstance(result, StageFailure):
                return None
            self.store.add_measurement(self.run, result)
            pool.append(result)
            return result

        return remeasure

    def _finish(self, attempt: Attempt, status: Status, *, stage: str = "", reason: str = "",
                log_tail: str = "", score: float | None = None,
                metrics: dict[str, float] | None = None,
                decision: Decision | None = None) -> Attempt:
        done = replace(attempt, status=status, stage=stage, reason=reason, log_tail=log_tail,
                       score=score if score is not None else attempt.score,
                       metrics=metrics if metrics is not None else attempt.metrics,
                       finished=time.time(), decision=attempt.decision if decision is None
                       else DecisionRecord(decision.rule, decision.champion_score,
                                           dict(decision.evidence)))
        self.store.put_attempt(done)
        self.on_event(Event.DECIDED, done)
        return done

