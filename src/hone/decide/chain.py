"""Acceptance as one explicit chain, in this order:

1. the statistical rule (a `Decider`) says whether the candidate beats the champion beyond noise;
2. the code-cost policy (complexity price, simplification, tie-breakers) may turn that around;
3. a keep is vetted (audit, re-verification of an outsized gain, holdout), which may end it
   as rejected, failed, discarded or held instead.

The steps that measure (2 reads the recorded complexity; 3 runs jobs) are given as functions, so
this file reads like the rule and stays free of how measurements are taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from hone.decide.base import Decision
from hone.records import Measurement, Status, VettingRecord


@dataclass(frozen=True)
class Vetting:
    """The outcome of vetting a would-be champion; `status` None means keep it."""

    status: Status | None = None
    stage: str = ""
    reason: str = ""
    # what vetting found, recorded with the attempt
    record: VettingRecord = field(default_factory=VettingRecord)
    measurements: list[Measurement] | None = None  # clean re-verification, when one ran


@dataclass(frozen=True)
class Acceptance:
    """Where the chain ended: the attempt's status, stage and reason, the decision (with
    `keep` False unless it ended kept) and what vetting recorded."""

    status: Status
    stage: str
    reason: str
    decision: Decision
    vetting: Vetting


def accept(decision: Decision, review: Callable[[Decision], Decision],
           vet: Callable[[Decision], Vetting]) -> Acceptance:
    """Run the chain on the statistical rule's `decision`."""
    decision = review(decision)
    if not decision.keep:
        return Acceptance(Status.DISCARDED, "", decision.rule, decision, Vetting())
    vetting = vet(decision)
    if vetting.status is not None:
        return Acceptance(vetting.status, vetting.stage, vetting.reason,
                          replace(decision, keep=False), vetting)
    return Acceptance(Status.KEPT, "", decision.rule, decision, vetting)
