"""What a person should look twice at in an attempt, in words: overfit, audit findings, a hold
waiting for review, a veto and the taint it left, flaky gates, `hone retry` and repairs. One list
for every surface (status, show, best, squashed commit messages, the report and the ui)."""

from __future__ import annotations

import time

from hone.records import Attempt, ReviewAction, Status

HOLD_HINT = "held: waits for `hone approve` or `hone veto`"


def flags(a: Attempt) -> list[str]:
    """Why a person should look twice at this attempt, most pressing first."""
    out = [HOLD_HINT] if a.status is Status.HELD else []
    out += review_lines(a)
    out += ["overfit: the holdout got worse"] if a.vetting.overfit else []
    found = a.vetting.uncorroborated
    out += [f"uncorroborated: {found}"] if found else []
    out += [str(f) for f in a.flakes]
    out += [f"retry of #{a.retry_of}"] if a.retry_of is not None else []
    out += [f"repair of #{a.repair_of}"] if a.repair_of is not None else []
    out += [f"audit {f.get('check')}: {f.get('path')}:{f.get('line')}: {f.get('reason')}"
            for f in a.vetting.audit or []]
    return out


def review_lines(a: Attempt) -> list[str]:
    """'vetoed by alice at 2026-12-01 12:00' and the like; [] for an attempt nobody reviewed."""
    r = a.review
    if r is None:
        return []
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.at))
    note = f" ({r.note})" if r.note else ""
    if r.action is ReviewAction.TAINTED:
        return [f"tainted: descends from #{r.source}, vetoed by {r.by} at {when}{note}"]
    return [f"{r.action.value} by {r.by} at {when} (was {r.was}){note}"]


def flag_words(a: Attempt) -> str:
    """The short form for a table cell: 'held,audit:2'."""
    parts = ["held"] if a.status is Status.HELD else []
    parts += [a.review.action.value] if a.review is not None else []
    parts += ["overfit"] if a.vetting.overfit else []
    parts += ["uncorroborated"] if a.vetting.uncorroborated else []
    if a.vetting.audit:
        parts.append(f"audit:{len(a.vetting.audit)}")
    parts += [f"flaky:{f.gate}" for f in a.flakes]
    parts += [f"retry:{a.retry_of}"] if a.retry_of is not None else []
    parts += [f"repair:{a.repair_of}"] if a.repair_of is not None else []
    return ",".join(parts)
