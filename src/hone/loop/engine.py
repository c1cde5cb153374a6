"""One run's engine: start or resume it, then make attempts.

An attempt goes through the loop's steps in order: select parent, propose, materialise (commit),
check the rules, verify, decide, record. Every step's outcome is written to the journal before
the next begins, so a crash (even `kill -9`) loses at most the attempt in flight, which the next
start records as interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from hone.complexity.quality import Quality
from hone.decide import Decider, Decision, make_decider
from hone.decide.base import Arm
from hone.errors import HoneError, UsageError
from hone.loop.brief import build_brief
from hone.loop.measure import measure_noise_floor, plan_seeds, run_noise
from hone.loop.safeguards import Safeguards
from hone.loop.workspace import Workspace
from hone.mutators.base import Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.mutators.llm.lessons import brief_sections as lesson_sections
from hone.records import Attempt, Measurement, Status
from hone.store.base import RunInfo
from hone.strategies import novelty
from hone.strategies.base import Strategy
from hone.strategies.merge import apply_merge
from hone.strategies.plan import Plan, plan_attempt
from hone.strategies.plan import brief_sections as search_sections
from hone.vcs import refs
from hone.vcs.git import git
from hone.verify.verifier import StageFailure, Verdict

EventHandler = Callable[[str, Attempt], None]
MeasureHook = Callable[[Attempt, int, str], "Measurement | StageFailure"]


def _ignore(event: str, attempt: Attempt) -> None:
    pass


class Engine:
    def __init__(self, ws: Workspace, run: str, decider: Decider | None = None,
                 on_event: EventHandler = _ignore) -> None:
        self.ws, self.run = ws, run
        self.store = ws.store
        self.verifier = ws.verifier(run)
        self.decider = decider  # None: the one [acceptance] names, built per decision
        self.on_event = on_event
        self.direction = ws.config.objective.direction
        # Set by the parallel scheduler: takes re-measurements of (attempt, seed, label)
        # through its executor instead of in a local worktree.
        self.measure_hook: MeasureHook | None = None
        self.safeguards = Safeguards(self)
        self.quality = Quality(ws.repo, ws.rules, ws.config)  # complexity, simplification
        existing = self.store.get_run(run)
        if existing is not None:  # `tell` and views work on a run started elsewhere
            self.safeguards.setup(existing.baseline_commit)

    # -- state read from the journal ---------------------------------------------------------
    def info(self) -> RunInfo:
        info = self.store.get_run(self.run)
        if info is None:
            raise HoneError(f"no run named {self.run!r}; start it with `hone run`")
        return info

    def history(self) -> list[Attempt]:
        return self.store.list_attempts(self.run)

    def get(self, attempt_id: int) -> Attempt:
        attempt = self.store.get_attempt(self.run, attempt_id)
        if attempt is None:
            raise HoneError(f"run {self.run!r} has no attempt #{attempt_id}")
        return attempt

    def champion(self) -> Attempt:
        return self.get(self.info().champion)

    def diff_from_parent(self, attempt: Attempt) -> str:
        """The attempt's change against its (first) parent; '' when either has no commit."""
        parent = self.store.get_attempt(self.run, attempt.parent) \
            if attempt.parent is not None else None
        if attempt.commit and parent and parent.commit:
            return self.ws.repo.diff(parent.commit, attempt.commit)
        return ""

    # -- start / resume ----------------------------------------------------------------------
    def start(self) -> RunInfo:
        """Resume the run, or create it and measure the baseline at HEAD."""
        baseline = self.begin()
        if baseline is not None:
            assert baseline.commit is not None
            workdir = self.ws.worktrees.checkout("baseline", baseline.commit)
            baseline = self.quality.account(baseline, workdir, baseline.commit)
            try:
                verdict = self.verifier.verify(workdir, baseline.id)
            except HoneError:  # e.g. `[sandbox] enabled = true` without bubblewrap
                self._delete_run()
                raise
            self.record_baseline(baseline, verdict, workdir)
        return self.info()

    def begin(self) -> Attempt | None:
        """Resume the run (None), or create it and return its baseline attempt to measure."""
        info = self.store.get_run(self.run)
        if info is not None:
            self._recover()
            return None
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
        guard = self.safeguards.setup(head)
        meta: dict[str, Any] = {"dirty": repo.is_dirty(), "started": time.time(),
                                "protected": guard.protected}
        info = RunInfo(self.run, head, 0, time.time(),
                       self.ws.config.model_dump(mode="json"), meta)
        self.store.create_run(info)
        baseline = Attempt(self.run, self.store.next_attempt_id(self.run), None, head,
                           Status.RUNNING, hypothesis="baseline", started=time.time(),
                           extra={"tree": repo.tree_of(head)})
        self.store.put_attempt(baseline)
        self.on_event("baseline-start", baseline)
        return baseline

    def record_baseline(self, baseline: Attempt, verdict: Verdict,
                        workdir: Path | None = None) -> None:
        """Record the baseline's verdict; a failing baseline forgets the run and raises.

        With `workdir` the baseline is re-run there up to `[acceptance] noise_runs` times for
        its noise floor; without, `verdict` already holds those runs (measured in parallel).
        """
        if verdict.failure:
            self._delete_run()
            f = verdict.failure
            if f.unknown_metric:
                raise UsageError(f"objective.score {self.ws.config.objective.score!r} "
                                 f"names a metric the objective does not print: {f.reason}")
            raise HoneError(f"the baseline fails at stage {f.stage}: {f.reason}"
                            + (f"\n{f.log_tail}" if f.log_tail else ""))
        for m in verdict.measurements:
            self.store.add_measurement(self.run, m)
        # Noise floor first: the baseline is re-run so the plan knows the objective's spread.
        baseline = measure_noise_floor(self, workdir, baseline, verdict.measurements)
        baseline = replace(baseline, status=Status.BASELINE,
                           metrics=verdict.measurements[-1].metrics, finished=time.time())
        try:
            self.safeguards.baseline_holdout(baseline)
        except HoneError:
            self._delete_run()
            raise
        self.store.put_attempt(baseline)
        head = baseline.commit
        assert head is not None
        self.ws.repo.set_ref(refs.attempt_ref(self.run, 0), head)
        self.ws.repo.set_ref(refs.best_ref(self.run), head)
        self.on_event("baseline", baseline)

    def _delete_run(self) -> None:
        self.store.delete_run(self.run)
        for ref in self.ws.repo.refs(refs.run_prefix(self.run)):
            git("update-ref", "-d", ref, cwd=self.ws.repo.root)

    def _recover(self) -> None:
        """Attempts left `running` by a crash are recorded as interrupted (asked ones wait)."""
        self.ws.worktrees.clear_stale_locks(refs.run_prefix(self.run))
        for a in self.history():
            if a.status is Status.RUNNING and not a.extra.get("asked"):
                self.store.put_attempt(replace(
                    a, status=Status.FAILED, stage="interrupted",
                    reason="hone stopped during this attempt", finished=a.finished or time.time()))
        # A crash between recording a keep and naming it champion: every keep is the newest
        # champion, so the newest kept attempt is the champion.
        kept = [a for a in self.history() if a.status in (Status.KEPT, Status.BASELINE)]
        if kept and kept[-1].id != self.info().champion and kept[-1].commit:
            self.store.update_run(self.run, champion=kept[-1].id)
            self.ws.repo.set_ref(refs.best_ref(self.run), kept[-1].commit)

    # -- one attempt -------------------------------------------------------------------------
    def open_attempt(self, parent: Attempt, mutator: str, parent2: Attempt | None = None,
                     **extra: Any) -> Attempt:
        attempt = Attempt(self.run, self.store.next_attempt_id(self.run), parent.id, None,
                          Status.RUNNING, mutator=mutator, started=time.time(),
                          parent2=parent2.id if parent2 else None, extra=extra)
        self.store.put_attempt(attempt)
        return attempt

    def prepare(self, attempt: Attempt, slot: str, workdir_hint: bool = False,
                history: list[Attempt] | None = None, champion: Attempt | None = None
                ) -> tuple[Path, str, Path]:
        """Check out the parent in the slot's worktree and write the brief (from `history`
        and `champion` when given: the parallel scheduler passes what the attempt may see)."""
        parent = self.get(attempt.parent if attempt.parent is not None else 0)
        assert parent.commit is not None
        workdir = self.ws.worktrees.checkout(slot, parent.commit)
        if self.verifier.guard:
            self.verifier.guard.hide(workdir)  # the proposer never sees the holdout
        history = self.history() if history is None else history
        brief = build_brief(self.ws.config, history, champion or self.champion(), parent,
                            self.editable(parent.commit),
                            workdir=str(workdir) if workdir_hint else None,
                            extra_sections=lesson_sections(self.ws.dir, self.run)
                            + search_sections(self.ws.config, history, attempt, parent)
                            + self.quality.brief_sections())
        brief_path = self.ws.brief_path(self.run, attempt.id)
        brief_path.write_text(brief, encoding="utf-8")
        return workdir, brief, brief_path

    def editable(self, commit: str) -> list[str]:
        return self.ws.rules.editable_files(self.ws.repo.tracked_files(commit))

    def step(self, mutator: Mutator, strategy: Strategy, slot: str = "slot-0") -> Attempt:
        """Make one attempt with `mutator` from the parent `strategy` selects."""
        history = self.history()
        plan = plan_attempt(strategy, self.ws.config, history, self.champion(), len(history))
        attempt = self.open_attempt(plan.parent, "merge" if plan.is_merge else mutator.name,
                                    plan.parent2, **plan.extra)
        self.on_event("start", attempt)
        try:
            proposal = self.propose(attempt, mutator, slot, history, self.champion(), plan)
            return self.evaluate(attempt, slot, proposal)
        except BaseException as exc:
            self.abandon(attempt.id, exc)
            raise

    def abandon(self, attempt_id: int, exc: BaseException) -> None:
        """Record an attempt still running when `exc` stopped it as failed."""
        current = self.get(attempt_id)
        if current.status is Status.RUNNING:
            interrupted = isinstance(exc, KeyboardInterrupt)
            self._finish(current, Status.FAILED,
                         stage="interrupted" if interrupted else "internal",
                         reason="stopped by the user" if interrupted
                         else f"{type(exc).__name__}: {exc}")

    def propose(self, attempt: Attempt, mutator: Mutator, slot: str, history: list[Attempt],
                champion: Attempt, plan: Plan) -> Proposal:
        """Check out the parent in `slot` and let `mutator` edit it (or merge the plan's two
        parents); `history` and `champion` are what the proposer is shown."""
        workdir, brief, brief_path = self.prepare(attempt, slot, history=history,
                                                  champion=champion)
        parent = plan.parent
        assert parent.commit is not None
        ctx = ProposalContext(self.run, attempt.id, parent, champion, history,
                              self.ws.config, workdir, brief, brief_path,
                              self.editable(parent.commit), hints=plan.extra)
        try:
            if plan.parent2 is not None:
                return apply_merge(self.ws.repo, workdir, parent, plan.parent2)
            return mutator.propose(ctx)
        except MutatorExhausted as exc:
            self._finish(self.get(attempt.id), Status.FAILED, stage="propose", reason=str(exc))
            raise
        except HoneError:
            raise
        except Exception as exc:  # a buggy proposer fails its attempt, not the run
            return Proposal("", failure=f"{type(exc).__name__}: {exc}")

    def evaluate(self, attempt: Attempt, slot: str, proposal: Proposal) -> Attempt:
        """Materialise, check rules, verify, decide and record an attempt already edited in
        the slot's worktree."""
        attempt, early = self.materialise(attempt, slot, proposal)
        if early is not None:
            return self.conclude(attempt, Verdict(early), slot)
        self.on_event("verify", attempt)
        verdict = self.verifier.verify(self.ws.worktrees.path(slot), attempt.id,
                                       plan_seeds(self.ws.config, run_noise(self)))
        return self.conclude(attempt, verdict, slot)

    def materialise(self, attempt: Attempt, slot: str, proposal: Proposal,
                    history: list[Attempt] | None = None
                    ) -> tuple[Attempt, StageFailure | None]:
        """Commit the slot's worktree as the attempt, check the path rules and look for a
        duplicate in `history` (default: the whole run). Returns the attempt, and the failure
        that ends it before verification (None: verify it). Safe to run beside other
        attempts: it touches only the slot and the attempt's ref and record."""
        for name, text in proposal.texts.items():
            self.store.put_text(self.run, attempt.id, name, text)
        attempt = replace(attempt, hypothesis=proposal.hypothesis or attempt.hypothesis,
                          extra={**attempt.extra, **proposal.extra})
        if proposal.failure:
            return attempt, StageFailure("merge" if attempt.parent2 is not None else "propose",
                                         proposal.failure)
        parent = self.get(attempt.parent if attempt.parent is not None else 0)
        assert parent.commit is not None
        if self.verifier.guard:  # hidden files must not be committed as deleted
            self.verifier.guard.unhide(self.ws.worktrees.path(slot), parent.commit)
        commit = self.ws.worktrees.commit(slot, _message(attempt))
        if commit is None and proposal.rejected:  # the mutator refused to write the change
            return attempt, StageFailure("rules", proposal.rejected, rejected=True)
        if commit is None:
            return attempt, StageFailure("propose", "the proposal changed nothing")
        repo = self.ws.repo
        repo.set_ref(refs.attempt_ref(self.run, attempt.id), commit)
        stat = repo.diffstat(parent.commit, commit)
        attempt = replace(attempt, commit=commit, extra={
            **attempt.extra, "lines_added": stat.added, "lines_removed": stat.removed,
            "files_touched": stat.files})
        attempt = self.quality.account(attempt, self.ws.worktrees.path(slot), commit)
        self.store.put_attempt(attempt)
        if proposal.rejected:
            return attempt, StageFailure("rules", proposal.rejected, rejected=True)
        violations = self.ws.rules.violations(stat.paths)
        if violations:
            return attempt, StageFailure("rules", "; ".join(violations), rejected=True)
        attempt = self._fingerprint(attempt, parent.commit, commit)
        if self.ws.config.search.dedupe:
            same = novelty.find_duplicate(self.history() if history is None else history,
                                          attempt, attempt.extra["diff_key"],
                                          attempt.extra["tree"])
            if same is not None:
                return attempt, StageFailure("duplicate", f"the same change as #{same.id} "
                                             f"({same.status.value}) was already tried")
        return attempt, None

    def conclude(self, attempt: Attempt, verdict: Verdict, slot: str) -> Attempt:
        """Record the verdict, then decide against the champion (serial: one at a time)."""
        for m in verdict.measurements:
            self.store.add_measurement(self.run, m)
        if verdict.failure:
            f = verdict.failure
            status = (Status.DUPLICATE if f.stage == "duplicate"
                      else Status.REJECTED if f.rejected else Status.FAILED)
            return self._finish(attempt, status, stage=f.stage, reason=f.reason,
                                log_tail=f.log_tail, score=verdict.score)
        return self._decide(attempt, slot, verdict.measurements)

    def _fingerprint(self, attempt: Attempt, parent_commit: str, commit: str) -> Attempt:
        """Record the change's normalised diff and the code's tree, for duplicate detection."""
        attempt = replace(attempt, extra={
            **attempt.extra, "diff_key": novelty.diff_key(self.ws.repo, parent_commit, commit),
            "tree": self.ws.repo.tree_of(commit)})
        self.store.put_attempt(attempt)
        return attempt

    def _decide(self, attempt: Attempt, slot: str, measured: list[Measurement]) -> Attempt:
        champion = self.champion()
        cand = list(measured)
        champ = [m for m in self.store.measurements(self.run, champion.id)
                 if m.kind == "objective"]
        decider = self.decider or make_decider(self.ws.config, run_noise(self))
        decision = decider.decide(cand, champ, self.direction,
                                  self._remeasurer(attempt, champion, slot, cand, champ))
        decision = self.quality.review(decision, attempt, champion, cand, champ)
        if decision.champion_score is not None and decision.champion_score != champion.score:
            self.store.put_attempt(replace(self.get(champion.id),
                                           score=decision.champion_score))
        status, stage, reason = (Status.KEPT if decision.keep else Status.DISCARDED), "", \
            decision.rule
        if decision.keep:  # audit, clean re-verification of outsized gains, holdout
            vetting = self.safeguards.vet(attempt, champion, cand, decision.champion_score)
            attempt = replace(attempt, extra={**attempt.extra, **vetting.extra})
            if vetting.status is not None:
                status, stage, reason = vetting.status, vetting.stage, vetting.reason
                decision = replace(decision, keep=False)
        result = self._finish(attempt, status, stage=stage, score=decision.score,
                              metrics=cand[-1].metrics if cand else {},
                              reason=reason, decision=decision)
        if decision.keep:
            assert attempt.commit is not None
            self.store.update_run(self.run, champion=attempt.id)
            self.ws.repo.set_ref(refs.best_ref(self.run), attempt.commit)
            self.on_event("champion", result)
        return result

    def _remeasurer(self, attempt: Attempt, champion: Attempt, slot: str,
                    cand: list[Measurement], champ: list[Measurement]
                    ) -> Callable[[Arm], Measurement | None]:
        seeds = self.ws.config.objective.seed_list()

        champion_dir: list[Path] = []  # checked out once, at the first champion run

        def remeasure(arm: Arm) -> Measurement | None:
            if arm == "candidate":
                target, pool, workdir = attempt, cand, self.ws.worktrees.path(slot)
            else:
                assert champion.commit is not None
                target, pool = champion, champ
                if not champion_dir:
                    champion_dir.append(self.ws.worktrees.path(f"{slot}-champion"))
                    if self.measure_hook is None:  # checked out once, at the first run
                        self.ws.worktrees.checkout(f"{slot}-champion", champion.commit)
                workdir = champion_dir[0]
            seed = seeds[len(pool) % len(seeds)]
            if self.measure_hook is not None:  # the scheduler measures through its executor
                result = self.measure_hook(target, seed, f"_r{len(pool)}")
            else:
                result = self.verifier.measure(workdir, target.id, seed,
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
        extra = dict(attempt.extra)
        if decision is not None:
            extra["decision"] = {"rule": decision.rule, "champion_score": decision.champion_score,
                                 **decision.evidence}
        done = replace(attempt, status=status, stage=stage, reason=reason, log_tail=log_tail,
                       score=score if score is not None else attempt.score,
                       metrics=metrics if metrics is not None else attempt.metrics,
                       finished=time.time(), extra=extra)
        self.store.put_attempt(done)
        self.on_event("decided", done)
        return done


def _message(attempt: Attempt) -> str:
    hypothesis = attempt.hypothesis.strip() or "(no hypothesis)"
    return f"hone {attempt.run} #{attempt.id}: {hypothesis.splitlines()[0][:200]}\n\n" \
           f"Parent: #{attempt.parent}\n" \
           + (f"Parent2: #{attempt.parent2}\n" if attempt.parent2 is not None else "") \
           + f"Mutator: {attempt.mutator}\n"
