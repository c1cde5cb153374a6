"""`hone gc`: remove the worktrees and logs under `.hone/` that no run needs.

What no run needs: the worktree of an asked attempt that was told (or whose run is gone), the
logs, briefs and worktrees of runs the journal no longer has, and, while their run is not
going, the worktrees a run reuses from attempt to attempt (`baseline`, `propose-N`, `exec-N`,
...; under `.hone/runs/<run>/worktrees/`), which its next start checks out again. A pending
ask's worktree is never removed: its caller is editing it.
"""

from __future__ import annotations

import os
import re
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from hone.errors import RunLocked
from hone.loop.workspace import Workspace
from hone.records import Status


@dataclass(frozen=True)
class Removal:
    """One folder gc removes (or would, in a dry run), why, and its size in bytes."""

    path: Path
    why: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "why": self.why, "bytes": self.size}


@dataclass(frozen=True)
class Collected:
    """What gc removed (or would), and whether the reused worktrees were left alone because a
    run is going."""

    removals: list[Removal]
    dry_run: bool
    skipped_busy: bool

    @property
    def size(self) -> int:
        return sum(r.size for r in self.removals)

    def to_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "removed": [r.to_json() for r in self.removals],
                "bytes": self.size, "skipped_busy": self.skipped_busy}


def collect(ws: Workspace, dry_run: bool = False) -> Collected:
    """Find what no run needs and, unless `dry_run`, remove it."""
    runs = {info.name for info in ws.store.list_runs()}
    with ExitStack() as stack:
        removals: list[Removal] = []
        busy = False
        for folder in _run_folders(ws):
            run = unquote(folder.name)
            try:  # a run's reused worktrees go only while no process can start or work on it
                stack.enter_context(ws.lock(run, "gc"))
                idle = True
            except RunLocked:
                idle, busy = False, True
            if idle and run not in runs:
                removals.append(Removal(folder, f"worktrees of run {run!r}, which is gone",
                                        size_of(folder)))
            else:
                removals += _worktrees(ws, folder / "worktrees", run, idle)
        # Where hones before per-run worktrees kept them; no hone reuses those any more.
        removals += _worktrees(ws, ws.dir / "worktrees", None, True) + _orphans(ws)
        if not dry_run:
            for r in removals:
                _remove(ws, r.path)
    return Collected(removals, dry_run, busy)


def _run_folders(ws: Workspace) -> list[Path]:
    folder = ws.dir / "runs"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _worktrees(ws: Workspace, base: Path, run: str | None, idle: bool) -> list[Removal]:
    """The worktrees in `base` (run `run`'s, or the old shared folder's when None) that may go."""
    runs = {info.name for info in ws.store.list_runs()}
    out = []
    for path in sorted(base.iterdir()) if base.is_dir() else []:
        if not path.is_dir():
            continue
        why = _ask_state(ws, path.name, run, runs) if path.name.startswith("ask-") else (
            "reused by runs; checked out again when needed" if idle else "")
        if why:
            out.append(Removal(path, why, size_of(path)))
    return out


def _ask_state(ws: Workspace, name: str, run: str | None, runs: set[str]) -> str:
    """Why the worktree `ask-<id>` of `run` (`ask-<run>-<id>` in the old shared folder) may go
    ('' while its attempt waits for `tell`)."""
    candidates = [run] if run is not None else sorted(runs, key=len, reverse=True)
    for name_of_run in candidates:  # 'a-b' before 'a' for 'ask-a-b-3'
        prefix = "ask-" if run is not None else f"ask-{re.escape(name_of_run)}-"
        match = re.fullmatch(rf"{prefix}(\d+)(-.+)?", name)
        if match is None:
            continue
        attempt = ws.store.get_attempt(name_of_run, int(match.group(1)))
        if attempt is None:
            return f"attempt #{match.group(1)} of run {name_of_run!r} is gone"
        if attempt.status is Status.RUNNING:
            return ""  # asked and not told yet (its caller is editing it), or being told
        return f"attempt #{attempt.id} of run {name_of_run!r} is {attempt.status.value}"
    return "its run is gone"


def _orphans(ws: Workspace) -> list[Removal]:
    """Logs and briefs of runs the journal does not have."""
    runs = {info.name for info in ws.store.list_runs()}
    out = []
    for kind in ("logs", "briefs"):
        folder = ws.dir / kind
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_dir() and path.name not in runs:
                out.append(Removal(path, f"{kind} of run {path.name!r}, which is gone",
                                   size_of(path)))
    return out


def _remove(ws: Workspace, path: Path) -> None:
    import shutil

    from hone.vcs.worktrees import Worktrees

    if (path / ".git").is_file():  # a worktree: also drop git's record of it
        Worktrees(ws.repo, path.parent).remove(path.name)
    else:
        shutil.rmtree(path, ignore_errors=True)
        if path.parent == ws.dir / "runs":
            from hone.vcs.git import git

            git("worktree", "prune", cwd=ws.repo.root, check=False)


def size_of(path: Path) -> int:
    """Bytes of the files under `path` (links not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with suppress(OSError):  # gone while walking
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def human_size(size: int) -> str:
    """'19.0 MB' for people."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
