"""The human table of `hone status`: one line per attempt that fits the terminal, with the
columns people choose or the ones there is room for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hone.direction import Direction, fmt_gain
from hone.errors import UsageError
from hone.flags import flag_words
from hone.loop.brief import fmt, vs_parent
from hone.records import Attempt, Status
from hone.suggest import did_you_mean
from hone.table import Column, fit

COLUMNS = {c.name: c for c in (
    Column("id", right=True), Column("parent", right=True), Column("status"),
    Column("score", right=True), Column("delta", right=True), Column("decision", cap=28),
    Column("code", cap=16), Column("stage", cap=16), Column("hypothesis", flexible=True),
    Column("flags", cap=20))}
# Which columns give way first when the terminal is narrow.
DROP_ORDER = ("decision", "code", "flags", "stage", "parent", "delta")
# Columns shown even when every cell is empty; columns shown only when asked for.
ALWAYS = ("id", "status", "score", "hypothesis")
ON_REQUEST = ("stage",)
# The statuses whose stage (where it stopped) leads their hypothesis cell.
STOPPED = (Status.FAILED, Status.REJECTED, Status.HELD)


def parse_columns(text: str | None) -> list[str] | None:
    """`--columns a,b,c` as a list; UsageError naming an unknown column (and the nearest)."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if name not in COLUMNS:
            raise UsageError(f"--columns: no column {name!r}{did_you_mean(name, COLUMNS)}; "
                             f"columns: {', '.join(COLUMNS)}")
    return names or None


def parse_statuses(text: str | None) -> set[Status] | None:
    """`--status kept,held` as a set; UsageError naming an unknown status."""
    if text is None:
        return None
    known = {s.value: s for s in Status}
    out = set()
    for name in (n.strip() for n in text.split(",") if n.strip()):
        if name not in known:
            raise UsageError(f"--status: no status {name!r}{did_you_mean(name, known)}; "
                             f"statuses: {', '.join(known)}")
        out.add(known[name])
    return out or None


def decision_cell(evidence: dict[str, Any] | None) -> str:
    """'n=5 +0.4%..+2.1%': the runs behind a decision and its interval for the gain."""
    if not evidence or evidence.get("runs") is None:
        return ""
    text = f"n={evidence['runs']}"
    low, high = [*(evidence.get("interval") or []), None, None][:2]
    if evidence.get("deterministic") or (low is None and high is None):
        return text
    ends = ["?" if x is None else f"{x:+.1%}" for x in (low, high)]
    return f"{text} {ends[0]}..{ends[1]}"


def code_cell(a: Attempt, parent: Attempt | None) -> str:
    """'+12/-3 cc+2': the diff's size, and the change of the code's complexity when any."""
    if a.code.lines_added is None:
        return ""
    text = f"+{a.code.lines_added}/-{a.code.lines_removed or 0}"
    mine = (a.code.complexity or {}).get("ccn")
    theirs = ((parent.code.complexity or {}) if parent else {}).get("ccn")
    if isinstance(mine, int) and isinstance(theirs, int) and mine != theirs:
        text += f" cc{mine - theirs:+d}"
    return text


def cells(a: Attempt, by_id: dict[int, Attempt], direction: Direction,
          champion: int) -> dict[str, str]:
    """Every column's text for one attempt; nothing reads 'None'."""
    parent = by_id.get(a.parent) if a.parent is not None else None
    parents = [str(p) for p in (a.parent, a.parent2) if p is not None]
    return {
        "id": ("*" if a.id == champion else "") + str(a.id),
        "parent": "+".join(parents), "status": a.status.value,
        "score": fmt(a.score) if a.score is not None else "",
        "delta": fmt_gain(vs_parent(a, by_id, direction)),
        "decision": decision_cell(a.decision.to_json() if a.decision else None),
        "code": code_cell(a, parent), "stage": a.stage or "",
        "hypothesis": (f"[{a.stage}] " if a.stage and a.status in STOPPED else "")
        + (a.hypothesis or a.reason or ""), "flags": flag_words(a),
    }


def render(shown: Sequence[Attempt], every: Sequence[Attempt], direction: Direction,
           champion: int, width: int, columns: list[str] | None = None) -> list[str]:
    """The header and one line per attempt of `shown` (gains read from `every`), at most
    `width` characters each: the chosen `columns`, or those there is room for."""
    by_id = {a.id: a for a in every}
    table = [cells(a, by_id, direction, champion) for a in shown]
    names = columns or [n for n in COLUMNS if n in ALWAYS
                        or (n not in ON_REQUEST and any(r[n] for r in table))]
    drop = () if columns else DROP_ORDER
    return fit([COLUMNS[n] for n in names], [[r[n] for n in names] for r in table], width, drop)
