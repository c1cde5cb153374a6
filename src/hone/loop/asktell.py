"""ask/tell: an outside agent or a person is the proposer (see PRODUCT.md).

`ask` reserves an attempt, checks out its parent in a fresh worktree and writes the brief;
`tell` commits what the caller changed there and verifies, decides and records it like any
attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from hone.errors import HoneError, UsageError
from hone.loop.brief import comparer
from hone.loop.cheap import verify_plan
from hone.loop.engine import Engine
from hone.loop.metric_change import Comparison
from hone.loop.recover import ask_slot
from hone.mutators.base import Proposal
from hone.records import Attempt, Event, Status
from hone.vcs.git import git
from hone.verify.verifier import Verdict

if TYPE_CHECKING:
    from hone.strategies.plan import Plan


@dataclass(frozen=True)
class Asked:
    id: int
    parent: int
    workdir: str
    brief: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "parent": self.parent, "workdir": self.workdir,
                "brief": self.brief}


def ask(engine: Engine, parent_id: int | None = None) -> Asked:
    engine.start()
    plan: Plan | None = None
    if parent_id is not None:
        parent = engine.get(parent_id)
    else:  # the configured strategy chooses (merges need no proposer, so none is asked for)
        from hone.strategies import make_strategy
        from hone.strategies.plan import plan_attempt

        history, config = engine.history(), engine.ws.config
        plan = plan_attempt(make_strategy(config.search.strategy, config), config, history,
                            engine.champion(), len(history), merges=False)
        parent = plan.parent
    if parent.commit is None or parent.tainted or parent.status not in (
            Status.BASELINE, Status.KEPT, Status.DISCARDED):
        state = "tainted by a veto" if parent.tainted else parent.status.value
        raise UsageError(f"attempt #{parent.id} ({state}) cannot be a parent")
    attempt = engine.open_attempt(engine.store.free_attempt_id(engine.run), parent, "ask",
                                  hints=plan.hints if plan else None,
                                  notes=plan.notes if plan else None, asked=True)
    history = engine.history()
    brief_path, ctx = engine.prepare(attempt, ask_slot(engine.run, attempt.id), history,
                                     engine.champion(), workdir_hint=True)
    return Asked(attempt.id, parent.id, str(ctx.workdir), brief_path)


@dataclass(frozen=True)
class Told:
    """A told attempt, the champion after it, and every metric of the attempt against its
    parent (`compared`: median, per seed, change, which metric lost or gained)."""

    attempt: Attempt
    champion: Attempt
    compared: Comparison | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.attempt.id, "status": self.attempt.status.value,
               "score": self.attempt.score, "champion_score": self.champion.score,
               "reason": self.attempt.reason or self.attempt.stage}
        return {**out, **(self.compared or Comparison()).to_json()}


def compared_to_parent(engine: Engine, attempt: Attempt) -> Comparison | None:
    """Every metric of `attempt` against its parent's, from the journal's measurements."""
    parent = engine.get(attempt.parent) if attempt.parent is not None else None
    shown = [a for a in (attempt, parent) if a is not None]
    runs = [m for a in shown for m in engine.store.measurements(engine.run, a.id)]
    return comparer(engine.ws.config, {a.id: a for a in shown}, runs)(attempt)


def tell(engine: Engine, attempt_id: int, hypothesis: str) -> Told:
    """Commit, verify and decide the asked attempt. A `tell` that a crash cut short is told
    again: the same change is committed and verified afresh (the run is resumed first)."""
    if engine.store.get_run(engine.run) is not None:
        engine.start()  # resume: a crash may have left the baseline or the refs unfinished
    attempt = engine.get(attempt_id)
    slot = ask_slot(engine.run, attempt_id)
    present = (engine.ws.worktrees(engine.run).path(slot) / ".git").exists()
    if attempt.status is not Status.RUNNING and attempt.told and present:
        # The earlier tell decided and recorded it, then stopped before clearing up.
        engine.ws.worktrees(engine.run).remove(slot)
        return Told(attempt, engine.champion(), compared_to_parent(engine, attempt))
    if attempt.status is not Status.RUNNING:
        raise UsageError(f"attempt #{attempt_id} was already told ({attempt.status.value})")
    if not (attempt.asked or attempt.told):
        raise UsageError(f"attempt #{attempt_id} was not made with `hone ask`")
    if not present:
        raise HoneError(f"the worktree of attempt #{attempt_id} is gone; `hone ask` again")
    parent = engine.get(attempt.parent if attempt.parent is not None else 0)
    if parent.commit and engine.ws.worktrees(engine.run).head(slot) != parent.commit:
        # An earlier tell committed the change and stopped: uncommit it, keep the files.
        git("reset", "--soft", parent.commit,
            cwd=engine.ws.worktrees(engine.run).path(slot))
    attempt = replace(attempt, asked=False, told=True)
    result = evaluate(engine, attempt, slot, Proposal(hypothesis or "(no hypothesis given)"))
    engine.ws.worktrees(engine.run).remove(slot)
    return Told(result, engine.champion(), compared_to_parent(engine, result))


def evaluate(engine: Engine, attempt: Attempt, slot: str, proposal: Proposal) -> Attempt:
    """The rest of an attempt already edited in `slot`, as the scheduler does it: materialise,
    verify (an executor job), decide, record."""
    attempt, early = engine.materialise(attempt, slot, proposal, engine.history())
    if early is not None:
        return engine.conclude(attempt, Verdict(early))
    engine.on_event(Event.VERIFY, attempt)
    plan = verify_plan(engine, engine.champion(), engine.measurer.slots)
    outcome = engine.measurer.verify(attempt, plan).result()
    decided = engine.conclude(attempt, outcome.verdict)
    engine.ws.repo.flush_refs()  # the best ref of a keep, written off the loop's path
    return decided
