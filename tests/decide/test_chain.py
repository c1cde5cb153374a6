"""Acceptance is one chain: the statistical rule, the code-cost policy, then vetting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hone.decide.base import Decision
from hone.decide.chain import Vetting, accept
from hone.records import Status, VettingRecord

KEEP = Decision(True, 12.0, 10.0, "better beyond noise")
DISCARD = Decision(False, 9.0, 10.0, "not better")


def _never_vet(decision: Decision) -> Vetting:
    raise AssertionError("a discard is never vetted")


def _recorder(seen: list[Decision], vetting: Vetting) -> Callable[[Decision], Vetting]:
    def vet(decision: Decision) -> Vetting:
        seen.append(decision)
        return vetting

    return vet


def test_a_keep_that_passes_vetting_is_kept() -> None:
    seen: list[Decision] = []
    vetting = Vetting(record=VettingRecord(gain=0.2))
    result = accept(KEEP, review=lambda d: d, vet=_recorder(seen, vetting))
    assert (result.status, result.reason, result.decision.keep) == (
        Status.KEPT, "better beyond noise", True)
    assert seen == [KEEP] and result.vetting.record.gain == 0.2


def test_the_code_cost_policy_turns_a_keep_into_a_discard_before_vetting() -> None:
    priced = replace(KEEP, keep=False, rule="gain does not pay for +40 lines")
    result = accept(KEEP, review=lambda d: priced, vet=_never_vet)
    assert (result.status, result.reason) == (Status.DISCARDED, priced.rule)


def test_the_policy_may_keep_what_the_rule_discarded_and_vetting_still_runs() -> None:
    simpler = replace(DISCARD, keep=True, rule="smaller code, score within noise")
    vetted: list[Decision] = []
    result = accept(DISCARD, review=lambda d: simpler, vet=_recorder(vetted, Vetting()))
    assert result.status is Status.KEPT and vetted == [simpler]


def test_vetting_ends_a_keep_held_or_rejected_and_the_decision_is_no_keep() -> None:
    for status in (Status.HELD, Status.REJECTED, Status.DISCARDED):
        result = accept(KEEP, review=lambda d: d,
                        vet=_recorder([], Vetting(status, "audit", "audit: patches time")))
        assert (result.status, result.stage, result.reason) == (
            status, "audit", "audit: patches time")
        assert result.decision.keep is False
