"""Why an attempt ended and how the next one will be judged, in words for proposers.

The brief's history gives every attempt one line that says why it ended (the decision's rule
with its numbers, the failed stage with its most telling log line), and the objective section
states the thresholds a change must clear, so that a proposer knows what "not kept" meant.
"""

from __future__ import annotations

import re
from typing import Any

from hone.config.model import Config
from hone.records import Attempt, Status

# Log lines that say what broke, strongest first: an assertion or error message beats a
# "FAILED" summary line, which beats a bare non-zero exit.
_TELLING = (
    re.compile(r"\b(assert|\w*(error|exception)\b|panic|fatal)", re.I),
    re.compile(r"\b(FAIL|FAILED|failed|failure|mismatch|expected)\b"),
)
_NOISE = re.compile(r"^(Traceback \(most recent call last\)|\s*File \"|\s*\^+\s*$)")
_BARE = re.compile(r"[\w.]+(Error|Exception)")
MAX_LINE = 200


def telling_line(log_tail: str) -> str:
    """The line of a failed stage's log that best says what broke ('' when none does): the
    last assertion or error line, else the last FAIL line."""
    lines = [line.strip() for line in log_tail.splitlines()
             if line.strip() and not _NOISE.match(line)]
    for pattern in _TELLING:
        found = [line for line in lines if pattern.search(line)]
        if len(found) > 1 and _BARE.fullmatch(found[-1]):
            # a bare `AssertionError`: the failing statement above it says more
            return f"{found[-2]} ({found[-1]})"[:MAX_LINE]
        if found:
            return found[-1][:MAX_LINE]
    return ""


def why(attempt: Attempt, lost_on: str = "") -> str:
    """Why the attempt ended, in one line: the rule that kept or discarded it (with its
    numbers), or the stage that failed it with its most telling log line. A discarded
    attempt reads "tried: lost on X" when `lost_on` (`Comparison.lost_on`) names a metric:
    tried, not forbidden."""
    reason = " ".join(attempt.reason.split())
    status = attempt.status
    if status is Status.VETOED:  # the reason is the one it was kept or held with
        return "vetoed by a person"
    if status is Status.KEPT:
        return reason or "kept"
    if status is Status.DISCARDED:
        return "tried: " + "; ".join(filter(None, (lost_on, reason or "not better")))
    if status is Status.FAILED:
        return _failed(attempt, reason)
    if status is Status.DUPLICATE:
        return f"not evaluated: {reason}"
    if status is Status.REJECTED:
        return f"rejected ({attempt.stage}): {reason}" if attempt.stage else f"rejected: {reason}"
    return reason or status.value


def _failed(attempt: Attempt, reason: str) -> str:
    line = telling_line(attempt.log_tail)
    stage = attempt.stage or "failed"
    text = reason if reason and stage in reason else ": ".join(filter(None, (stage, reason)))
    return f"{text}: {line}" if line and line not in reason else text


def judging_lines(config: Config, baseline: Attempt | None) -> list[str]:
    """The thresholds of the decision, and how long the objective runs, from the config and
    the baseline's noise floor."""
    acc = config.acceptance
    floor: dict[str, Any] = (baseline.noise.floor if baseline is not None
                             and baseline.noise is not None else {})
    if floor.get("deterministic"):
        keep = ("The objective is deterministic (re-runs agree): a change is kept when its score "
                "is strictly better, by any amount")
        held = "exactly"
    else:
        noisy = f"The objective is noisy (runs vary by {floor['cv']:.2%}): a" if "cv" in floor \
            else "A"
        keep = (f"{noisy} change is kept when it is better by at least min_effect "
                f"{acc.min_effect:.2%}, significant at {acc.confidence:.0%} (re-measured up to "
                f"{acc.max_repeats} times)")
        held = "within noise"
    lines = [keep + (f"; a change that removes code (fewer lines, or less branching) is kept "
                     f"when its score holds {held}." if acc.simplify else ".")]
    if floor.get("equivalence"):
        lines.append(f"Equivalent programs (names, order) score up to {floor['equivalence']:.2%} "
                     "apart on this objective: a change is kept only beyond that spread.")
    if acc.complexity_weight > 0:
        lines.append(f"Each added line of code must pay {acc.complexity_weight:.2%} of gain.")
    seconds = floor.get("seconds")
    timeout = _duration(config.objective.timeout)
    lines.append(f"One run of the objective takes about {_duration(float(seconds))} "
                 f"(timeout {timeout})." if isinstance(seconds, int | float)
                 else f"The objective's timeout is {timeout}.")
    return lines


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    return f"{seconds / 60:.3g} min"
