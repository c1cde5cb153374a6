"""Views across attempts and runs: `hone runs` (a repository's runs, their best and state) and
`hone diff A B` (the change between two attempts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hone.direction import Direction
from hone.errors import HoneError
from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.records import Status
from hone.store.base import RunInfo


@dataclass(frozen=True)
class RunRow:
    """One run of the repository: when it began, how far it got, whether a hone process is
    working on it now (`state`: 'going' or 'stopped')."""

    name: str
    created: float
    attempts: int
    kept: int
    champion: int
    best: float | None
    baseline: float | None
    gain: float | None
    direction: str
    state: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "created": self.created, "attempts": self.attempts,
                "kept": self.kept, "champion": {"id": self.champion, "score": self.best},
                "baseline_score": self.baseline, "gain": self.gain,
                "direction": self.direction, "state": self.state}


def run_rows(ws: Workspace) -> list[RunRow]:
    """Every run in the journal of the repository, oldest first."""
    store = ws.store
    rows = []
    for info in store.list_runs():
        history = store.list_attempts(info.name)
        by_id = {a.id: a for a in history}
        champion, baseline = by_id.get(info.champion), by_id.get(0)
        direction = _direction(info)
        best = champion.score if champion else None
        base = baseline.score if baseline else None
        rows.append(RunRow(
            info.name, info.created, max(len(history) - 1, 0),
            sum(a.status is Status.KEPT for a in history), info.champion, best, base,
            direction.gain(best, base) if info.champion else None, direction.value,
            "going" if ws.locks.going(info.name) else "stopped"))
    return rows


def _direction(info: RunInfo) -> Direction:
    """The direction the run was started with (its recorded config), max when unknown."""
    value = (info.config.get("objective") or {}).get("direction", "max")
    try:
        return Direction(value)
    except ValueError:
        return Direction.MAX


def attempts_diff(view: RunView, a: int, b: int, stat: bool = False) -> str:
    """The change from attempt `a` to attempt `b` (a unified diff, or `git diff --stat`)."""
    from hone.vcs.git import git

    old, new = view.get(a), view.get(b)
    for attempt in (old, new):
        if not attempt.commit:
            raise HoneError(f"attempt #{attempt.id} ({attempt.status.value}) has no commit")
    assert old.commit is not None and new.commit is not None
    if stat:
        return git("diff", "--no-color", "--stat", old.commit, new.commit, cwd=view.ws.repo.root)
    return view.ws.repo.diff(old.commit, new.commit)
