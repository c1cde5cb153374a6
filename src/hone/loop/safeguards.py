"""What stands between a measured gain and a new champion: guard, audit, clean re-run, holdout.

`make_guard` snapshots the protected and holdout files when a run starts or resumes; the engine
calls `baseline_holdout` on a new run and `vet` when the decider wants to keep an attempt. `vet`
flags the diff with the static audit, re-verifies a gain far beyond the run's history from a
clean tree, and runs the holdout, which flags `overfit` or, with `[holdout] gate`, holds the
attempt back. A keep with a suspicion left (`suspicions`) ends `held`, not champion, until a
person runs `hone approve` or `hone veto` (`[audit] hold = false`: kept with its flags).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hone.decide.chain import Vetting
from hone.direction import Direction
from hone.expr.score import ScoreExpr
from hone.loop.repair import judged_against
from hone.loop.review import crown, fallback
from hone.loop.workspace import Workspace
from hone.records import Attempt, Event, Measurement, Purpose, Status, VettingRecord
from hone.verify import audit, holdout
from hone.verify.corroborate import corroborate
from hone.verify.guard import Guard, hidden_patterns
from hone.verify.verifier import StageFailure, aggregate

if TYPE_CHECKING:
    from hone.loop.engine import Engine

# Shown to proposers (briefs list failure reasons): says nothing about what the holdout is.
HELD_BACK = "held back by a check the proposer does not see"


def make_guard(ws: Workspace, baseline_commit: str) -> Guard:
    """The run's snapshot of the protected and holdout files of its baseline commit."""
    config = ws.config
    tracked = ws.repo.tracked_files(baseline_commit)
    patterns = hidden_patterns(config.holdout.run, config.holdout.files, ws.repo.root, tracked)
    return Guard.snapshot(ws.repo.root, baseline_commit, ws.rules, patterns)


class Safeguards:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.config = engine.ws.config

    # -- start ------------------------------------------------------------------------------
    def baseline_holdout(self, baseline: Attempt) -> None:
        """Measure the holdout on the baseline; a holdout that fails there is a config error."""
        if not holdout.enabled(self.config):
            return
        result = self._holdout(baseline)
        if isinstance(result, StageFailure):
            from hone.errors import HoneError

            raise HoneError(f"the holdout fails on the baseline: {result.reason}"
                            + (f"\n{result.log_tail}" if result.log_tail else ""))

    def final_holdout(self) -> dict[str, Any] | None:
        """At the end of a run: the holdout once more on the champion, against the baseline's.
        A champion measurably worse there, or whose holdout fails, is flagged `overfit`; with
        `[audit] hold` it is held for review instead of kept (`hone approve` / `hone veto`)
        and the champion falls back to the best kept attempt left (`review.fallback`, not
        measured again). Returns the comparison, with `held` and `champion` (the ids) when it
        held the champion. A drop seen on too few runs gets more first (`_compare`); one
        still `inconclusive` (they failed) holds nothing."""
        champion = self.engine.champion()
        if not holdout.enabled(self.config) or champion.id == 0:
            return None
        result = self._holdout(champion, label="_final")
        baseline = self._holdout_scores(self.engine.get(0))
        final: dict[str, Any]
        if isinstance(result, StageFailure):
            final = {"failed": result.reason, "worse": True}
        elif not baseline:
            final = {"failed": "no baseline holdout", "worse": False, "inconclusive": True}
        else:
            scores = [m.score for m in result if m.score is not None]
            final = self._compare(champion, scores, self.engine.get(0), baseline).to_json()
        worse = bool(final["worse"])
        champion = replace(champion, vetting=replace(
            champion.vetting, holdout_final=final, overfit=champion.vetting.overfit or worse))
        if worse and self.config.audit.hold:
            return {**final, **self._hold_champion(champion)}
        self.engine.store.put_attempt(champion)
        return final

    def _hold_champion(self, champion: Attempt) -> dict[str, int]:
        """Hold the champion the final holdout found worse; crown the fallback."""
        held = replace(champion, status=Status.HELD, stage="review",
                       reason=f"held for review: {HELD_BACK} (at the end of the run)")
        self.engine.store.put_attempt(held)
        self.engine.on_event(Event.DECIDED, held)
        after = crown(self.engine, fallback(self.engine.history(),
                                            self.config.objective.direction))
        return {"held": held.id, "champion": after.id}

    # -- a would-be champion ----------------------------------------------------------------
    def vet(self, attempt: Attempt, champion: Attempt, measured: list[Measurement],
            champion_score: float | None) -> Vetting:
        record = VettingRecord()
        flags = self._audit(attempt)
        if flags:
            record = replace(record, audit=[dict(f) for f in flags])
            if self.config.audit.block:
                return Vetting(Status.REJECTED, "audit", "audit: " + str(flags[0]["reason"]),
                               record)
        claimed = aggregate([m.score for m in measured])
        gain = _gain(claimed, champion_score, self.config.objective.direction)
        record = replace(record, gain=gain if math.isfinite(gain) else None,
                         corroboration=self._corroborate(attempt, measured))
        clean: list[Measurement] | None = None
        if self._implausible(gain):
            outcome = self._reverify(attempt, champion, champion_score, claimed, gain)
            record = replace(record, reverified=outcome.record.reverified)
            if outcome.status is not None:
                return replace(outcome, record=record)
            clean = outcome.measurements
        if holdout.enabled(self.config):
            outcome = self._vet_holdout(attempt, champion)
            found = outcome.record
            record = replace(record, holdout=found.holdout, overfit=found.overfit,
                             held_back=found.held_back)
            if outcome.status is not None:
                return replace(outcome, record=record, measurements=clean)
        # Re-verified (outsized against the run's history) is not enough to hold: the gain
        # must be beyond `implausible_factor` itself, measured against a non-zero score (over a
        # zero reference every gain is infinite: a prompt that starts at 0% right).
        why = suspicions(record, clean is not None and math.isfinite(gain)
                         and gain > self.config.audit.implausible_factor)
        if why and self.config.audit.hold:
            return Vetting(Status.HELD, "review", "held for review: " + "; ".join(why),
                           record, clean)
        return Vetting(record=record, measurements=clean)

    def _audit(self, attempt: Attempt) -> list[dict[str, object]]:
        if not self.config.audit.enabled or attempt.commit is None:
            return []
        ws = self.engine.ws
        # A repair is audited with the failed change it fixes: they reach the champion together.
        parent = judged_against(self.engine, attempt)
        assert parent.commit is not None
        # The context-free patch the loop already has (materialise asked for it): the audit
        # reads added and removed lines by the hunks' line numbers, not context lines.
        change = ws.repo.change(parent.commit, attempt.commit)
        diff = change.patch
        guard = self.engine.guard
        watched: dict[str, str] = {}
        for path in [*guard.protected, *guard.hidden]:
            if path == "hone.toml":
                continue
            data = ws.repo.show_file(parent.commit, path)
            if data is not None and len(data) < 1_000_000:
                watched[path] = data.decode("utf-8", errors="replace")
        # Whole new texts of the changed Python files: an alias made on an unchanged line
        # still resolves.
        files = {path: data.decode("utf-8", errors="replace") for path in
                 change.paths if path.endswith(".py")
                 and (data := ws.repo.show_file(attempt.commit, path)) is not None}
        return audit.findings_json(audit.audit(
            diff, watched, files, ws.rules.protect_patterns,
            sorted(ScoreExpr(self.config.objective.score).names)))

    def _corroborate(self, attempt: Attempt, measured: list[Measurement]
                     ) -> dict[str, Any] | None:
        """The claimed speed-up over the parent against the process's own CPU time (see
        verify/corroborate.py); None when the score is no time or rate, or nothing to check."""
        parent = self.engine.get(attempt.parent if attempt.parent is not None else 0)
        runs = [m for m in self.engine.store.measurements(self.engine.run, parent.id)
                if m.kind == "objective"]
        seeds = self.config.objective.seed_list()

        def once(side: Attempt, i: int, tag: str) -> Measurement | None:
            found = self.engine.measurer.once(side, Purpose.REMEASURE, seeds[i % len(seeds)],
                                              label=f"_corr{i + 1}{tag}")
            return None if isinstance(found, StageFailure) else found

        checked = corroborate(self.config.objective.measures, parent.score, runs,
                              aggregate([m.score for m in measured]),
                              [m for m in measured if m.kind == "objective"],
                              lambda i: (once(parent, i, "p"), once(attempt, i, "")))
        return checked.to_json() if checked else None

    def _implausible(self, gain: float) -> bool:
        """Far beyond the run's history: `implausible_factor` times the typical kept gain, or,
        before two gains were kept, `implausible_factor` times the champion's score."""
        history = [a.vetting.gain for a in self.engine.history()
                   if a.status is Status.KEPT and a.vetting.gain is not None]
        factor = self.config.audit.implausible_factor
        if len(history) < 2:
            return gain > factor
        return gain > factor * max(statistics.median(history),
                                   self.config.acceptance.min_effect)

    def _reverify(self, attempt: Attempt, champion: Attempt, champion_score: float | None,
                  claimed: float | None, gain: float) -> Vetting:
        """Gates and objective again from a fresh checkout: state the candidate left in its
        worktree (caches, planted files) cannot help it there. The gain is then taken against
        fresh runs of the champion, interleaved with as many more of the candidate (one per
        seed), not only against the champion's recorded score: a machine's load, or a
        champion measured on a better day, falls on both alike. It holds up when it keeps at
        least half of the claimed score's gain over that same fresh reference."""
        verdict = self.engine.measurer.verdict(attempt, Purpose.REVERIFY, label="_clean")
        for m in verdict.measurements:
            self.engine.store.add_measurement(self.engine.run, m)
        if verdict.failure:
            f = verdict.failure
            return Vetting(Status.REJECTED if f.rejected else Status.FAILED, "reverify",
                           f"failed when re-verified from a clean worktree: {f.reason}",
                           VettingRecord(reverified={"claimed_gain": gain, "passed": False}))
        ref, again = self._interleaved(champion, attempt)
        reference = aggregate(ref) if ref else champion_score
        direction = self.config.objective.direction
        clean_gain = _gain(aggregate([*(m.score for m in verdict.measurements), *again]),
                           reference, direction)
        # The claim against the same fresh reference: a reference that moved moves both.
        claim = _gain(claimed, reference, direction) if ref else gain
        info = {"claimed_gain": gain, "clean_gain": clean_gain, "reference_score": reference,
                "reference_runs": len(ref),
                "passed": clean_gain > 0 and clean_gain >= claim / 2}
        if not info["passed"]:
            return Vetting(Status.DISCARDED, "reverify",
                           f"gain of {gain:+.1%} did not hold up from a clean worktree "
                           f"against fresh runs of the champion ({clean_gain:+.1%})",
                           VettingRecord(reverified=info))
        return Vetting(record=VettingRecord(reverified=info), measurements=verdict.measurements)

    def _interleaved(self, reference: Attempt, attempt: Attempt
                     ) -> tuple[list[float], list[float]]:
        """One fresh objective run of `reference`, then one of `attempt`, per seed: their
        scores (a run that fails is left out)."""
        ref: list[float] = []
        again: list[float] = []
        if reference.commit is None:
            return ref, again
        for i, seed in enumerate(self.config.objective.seed_list()):
            for side, out, tag in ((reference, ref, "ref"), (attempt, again, "again")):
                found = self.engine.measurer.once(side, Purpose.REMEASURE, seed,
                                                  label=f"_{tag}{i + 1}")
                if not isinstance(found, StageFailure) and found.score is not None:
                    out.append(found.score)
        return ref, again

    def _vet_holdout(self, attempt: Attempt, champion: Attempt) -> Vetting:
        result = self._holdout(attempt)
        if isinstance(result, StageFailure):
            failed = VettingRecord(holdout={"failed": result.reason})
            if self.config.holdout.gate:
                return Vetting(Status.DISCARDED, "holdout", HELD_BACK, failed)
            return Vetting(record=replace(failed, overfit=True))
        scores = [m.score for m in result if m.score is not None]
        comparisons = {}
        for name, ref in (("vs_champion", champion), ("vs_baseline", self.engine.get(0))):
            ref_scores = self._holdout_scores(ref)
            if ref_scores:
                comparisons[name] = self._compare(attempt, scores, ref, ref_scores).to_json()
        # `worse` only when measurably so (`_compare` measures more when too few runs to tell).
        worse_than_champion = bool(comparisons.get("vs_champion", {}).get("worse"))
        overfit = any(bool(c["worse"]) for c in comparisons.values())
        found = VettingRecord(holdout={"score": aggregate(scores), **comparisons},
                              overfit=overfit)
        if self.config.holdout.gate and worse_than_champion:
            return Vetting(Status.DISCARDED, "holdout", HELD_BACK,
                           replace(found, overfit=False, held_back=True))
        return Vetting(record=found)

    def _compare(self, attempt: Attempt, scores: list[float], ref: Attempt,
                 ref_scores: list[float]) -> holdout.Comparison:
        """`holdout.settle`: a drop seen with too few runs to tell it from noise gets more
        runs on both sides (`holdout.MAX_RUNS` at most)."""
        return holdout.settle(scores, ref_scores, ref.id, self.config.objective.direction,
                              self.config.holdout.tolerance, lambda: self._more(attempt),
                              lambda: self._more(ref))

    def _more(self, attempt: Attempt) -> list[float]:
        """One further batch of holdout runs of `attempt` ([] when it fails)."""
        done = sum(1 for m in self.engine.store.measurements(self.engine.run, attempt.id)
                   if m.kind == holdout.KIND)
        result = self._holdout(attempt, label=f"_more{done}")  # a log name of its own
        if isinstance(result, StageFailure):
            return []
        return [m.score for m in result if m.score is not None]

    def _holdout_scores(self, attempt: Attempt) -> list[float]:
        found = [m.score for m in self.engine.store.measurements(self.engine.run, attempt.id)
                 if m.kind == holdout.KIND and m.score is not None]
        if found:
            return found
        result = self._holdout(attempt)  # e.g. a run resumed after [holdout] was added
        return [] if isinstance(result, StageFailure) else [
            m.score for m in result if m.score is not None]

    def _holdout(self, attempt: Attempt, label: str = "") -> list[Measurement] | StageFailure:
        """Run the holdout on the attempt's commit (an executor job: a fresh tree, holdout
        files present, protected files as at the baseline); record its measurements."""
        result = self.engine.measurer.holdout(attempt, label)
        if not isinstance(result, StageFailure):
            for m in result:
                self.engine.store.add_measurement(self.engine.run, m)
        return result


def suspicions(record: VettingRecord, implausible: bool) -> list[str]:
    """Why a keep waits for a person (`[audit] hold`): audit findings, a claimed speed-up the
    process's own time does not bear out, a gain beyond `implausible_factor` times the
    champion's score (even one that held up from a clean tree; `implausible`), an overfit
    holdout. Worded for proposers too: the holdout is not named."""
    out = [f"audit: {f.get('reason')}" for f in (record.audit or [])[:2]]
    if record.audit and len(record.audit) > 2:
        out.append(f"and {len(record.audit) - 2} more audit finding(s)")
    if record.uncorroborated:
        out.append(f"uncorroborated: {record.uncorroborated}")
    if implausible:
        out.append("a gain beyond [audit] implausible_factor")
    if record.overfit:
        out.append(HELD_BACK)
    return out


def _gain(score: float | None, reference: float | None, direction: Direction) -> float:
    """`direction.gain`, with an improvement over a zero reference counted as infinite (an
    outsized gain to re-verify) and a missing score as none."""
    gain = direction.gain(score, reference)
    if gain is not None:
        return gain
    improvement = direction.improvement(score, reference)
    return math.inf if improvement is not None and improvement > 0 else 0.0
