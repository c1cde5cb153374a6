"""The repair turn's choices (loop/repair.py): which failures get a repair, which attempt makes
it, from which parent; the counts every surface shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hone.config.model import Config
from hone.loop.repair import next_turn, repair_counts, repairable, repaired_by
from hone.mutators.base import Mutator, Proposal, ProposalContext
from hone.records import Attempt, Hints, Status
from hone.strategies.greedy import GreedyStrategy


class Repairing(Mutator):
    name = "llm"
    repairs = True

    def propose(self, ctx: ProposalContext) -> Proposal:
        raise AssertionError("not called")


def attempt(i: int, status: Status, stage: str = "", parent: int | None = 0,
            commit: str | None = "c", mutator: str = "llm", **kw: object) -> Attempt:
    return Attempt("r", i, parent, commit and f"{commit}{i}", status, stage=stage,
                   mutator=mutator, score=1.0 if status is Status.KEPT else None,
                   **kw)  # type: ignore[arg-type]


BASE = Attempt("r", 0, None, "c0", Status.BASELINE, score=1.0)
CONFIG = Config.model_validate({"objective": {"run": "true"}})


@pytest.mark.parametrize(("stage", "expected"), [
    ("gate:tests", True), ("objective", True), ("metrics", True), ("edit", True),
    ("timeout", False), ("constraint", False), ("propose", False), ("interrupted", False)])
def test_repairable_stages(stage: str, expected: bool) -> None:
    assert repairable(attempt(1, Status.FAILED, stage), "llm") is expected


def test_only_own_first_failures_are_repaired() -> None:
    failed = attempt(1, Status.FAILED, "gate:tests")
    assert not repairable(failed, "agent")  # another mutator proposed it
    assert not repairable(replace(failed, repair_of=0), "llm")  # a repair is not repaired
    assert not repairable(replace(failed, retry_of=0), "llm")
    assert not repairable(replace(failed, status=Status.DISCARDED), "llm")


def turn(visible: list[Attempt], attempt_id: int, depth: int = 1,
         mutator: Mutator | None = None) -> tuple[int, int | None, Hints]:
    t = next_turn(GreedyStrategy(), mutator or Repairing(), CONFIG, visible, BASE, attempt_id,
                  depth)
    return t.plan.parent.id, t.repair_of.id if t.repair_of else None, t.plan.hints


def test_the_attempt_depth_later_repairs_from_the_failed_commit() -> None:
    failed = attempt(1, Status.FAILED, "gate:tests", hints=Hints(island=1))
    assert turn([BASE, failed], 2) == (1, 1, Hints(island=1))
    # In parallel (depth 2) attempt 2 cannot see #1; attempt 3 is its repair.
    assert turn([BASE], 2, depth=2)[1] is None
    assert turn([BASE, failed], 3, depth=2)[:2] == (1, 1)
    # Once looked at: a later attempt follows the strategy, even if #1 had no repair.
    assert turn([BASE, failed, attempt(2, Status.DISCARDED)], 3) == (0, None, Hints())


def test_edits_that_did_not_apply_are_repaired_from_their_parent() -> None:
    kept = attempt(1, Status.KEPT)
    failed = attempt(2, Status.FAILED, "edit", parent=1, commit=None)
    assert turn([BASE, kept, failed], 3)[:2] == (1, 2)


def test_a_mutator_that_does_not_repair_follows_its_strategy() -> None:
    failed = attempt(1, Status.FAILED, "gate:tests")
    quiet = Repairing()
    quiet.repairs = False
    assert turn([BASE, failed], 2, mutator=quiet) == (0, None, Hints())


def test_counts() -> None:
    history = [BASE, attempt(1, Status.FAILED, "gate:t"), attempt(2, Status.KEPT, repair_of=1),
               attempt(3, Status.FAILED, "edit", commit=None),
               attempt(4, Status.DISCARDED, repair_of=3),
               attempt(5, Status.FAILED, "objective"),
               attempt(6, Status.FAILED, "gate:t", repair_of=5),
               attempt(7, Status.FAILED, "gate:t"), attempt(8, Status.RUNNING, repair_of=7)]
    counts = repair_counts(history)
    assert counts.to_json() == {"made": 4, "passed": 2, "kept": 1}
    assert counts.words() == "4 repairs (2 passed, 1 kept)"
    assert repair_counts([BASE]).words() == ""
    assert repaired_by(history, 3) == 4 and repaired_by(history, 2) is None
