"""When a gate with `retries` has run enough: the rule for flaky gates, as a pure function.

A gate that passes at its first run passes. One that fails is run again, up to `retries` more
times, until a run passes; a pass that comes only after a failure must then be followed by
`retries` more passes in a row, so that a change that breaks a test half of the time does not
slip through on a lucky run. A timeout counts as a failure like any other.
"""

from __future__ import annotations

from collections.abc import Sequence

from hone.records import GateFlake


def settled(outcomes: Sequence[bool], retries: int) -> bool | None:
    """Whether a gate whose runs so far had `outcomes` (True: passed; at least one) passes
    (True) or fails (False); None: run it again."""
    if outcomes[0]:
        return True
    first_pass = next((i for i, ok in enumerate(outcomes) if ok), None)
    if first_pass is None:
        return False if len(outcomes) > retries else None
    confirming = outcomes[first_pass + 1:]
    if not all(confirming):
        return False
    return True if len(confirming) >= retries else None


def flake(gate: str, outcomes: Sequence[bool]) -> GateFlake | None:
    """The record of a gate that both failed and passed on the same code; None when every run
    agreed."""
    passed = sum(outcomes)
    return GateFlake(gate, passed, len(outcomes)) if 0 < passed < len(outcomes) else None
