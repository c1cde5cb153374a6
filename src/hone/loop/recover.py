"""A run's journal and refs put back in order: after a crash (resume) and after a baseline
that failed (the run is forgotten, so that the next `hone run` starts it afresh)."""

from __future__ import annotations

import time
from dataclasses import replace

from hone.loop.workspace import Workspace
from hone.records import Status
from hone.vcs import refs
from hone.vcs.git import git


def recover(ws: Workspace, run: str) -> None:
    """Attempts left `running` by a crash are recorded as interrupted (asked ones wait for
    their `tell`); a keep that a crash kept from becoming champion becomes it now."""
    ws.worktrees.clear_stale_locks(refs.run_prefix(run))
    for a in ws.store.list_attempts(run):
        if a.status is Status.RUNNING and not a.asked:
            ws.store.put_attempt(replace(
                a, status=Status.FAILED, stage="interrupted",
                reason="hone stopped during this attempt", finished=a.finished or time.time()))
    # Every keep is the newest champion, so the newest kept attempt is the champion.
    kept = [a for a in ws.store.list_attempts(run) if a.status in (Status.KEPT, Status.BASELINE)]
    info = ws.store.get_run(run)
    if kept and info is not None and kept[-1].id != info.champion and kept[-1].commit:
        ws.store.update_run(run, champion=kept[-1].id)
        ws.repo.set_ref(refs.best_ref(run), kept[-1].commit)


def forget(ws: Workspace, run: str) -> None:
    """Remove a run from the journal and its refs (its baseline never passed)."""
    ws.store.delete_run(run)
    for ref in ws.repo.refs(refs.run_prefix(run)):
        git("update-ref", "-d", ref, cwd=ws.repo.root)
