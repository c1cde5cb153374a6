"""A run's journal and refs put back in order: after a crash (resume) and after a baseline
that failed (the run is forgotten, so that the next `hone run` starts it afresh).

The journal is the record; refs follow it. On resume: a baseline that never finished is
measured again, attempts a dead process left `running` are recorded as interrupted (those
`hone ask` handed out, or whose `tell` was cut short, stay pending: their owner resumes them),
and every `refs/hone/<run>/*` is made to agree with the journal, each change said on stderr.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from typing import Any

from hone.loop.workspace import Workspace
from hone.records import Attempt, Lineage, Status
from hone.store.errors import JournalError
from hone.vcs import refs
from hone.vcs.git import git


def resume(ws: Workspace, run: str) -> Attempt | None:
    """Put the run back in order; its baseline, recorded as running, when it must be
    measured (again): a crash at any moment of the baseline leaves it unmeasured."""
    info = ws.store.get_run(run)
    assert info is not None
    baseline = ws.store.get_attempt(run, 0)
    again: Attempt | None = None
    if baseline is None or baseline.status is not Status.BASELINE:
        again = Attempt(run, 0, None, info.baseline_commit, Status.RUNNING,
                        hypothesis="baseline", started=time.time(),
                        lineage=Lineage(tree=ws.repo.tree_of(info.baseline_commit)))
        ws.store.delete_measurements(run, 0)
        ws.store.put_attempt(again)
    recover(ws, run)
    return again


def ask_slot(run: str, attempt_id: int) -> str:
    """The worktree of an asked attempt, among `run`'s own (`Workspace.worktrees(run)`)."""
    return f"ask-{attempt_id}"


def owned(a: Attempt) -> bool:
    """An attempt that someone other than `hone run` finishes: handed out by `hone ask`, or
    being told (a `tell` cut short is told again)."""
    return a.status is Status.RUNNING and (a.asked or a.told)


def _orphaned(ws: Workspace, a: Attempt) -> bool:
    """A running attempt nobody can finish: not owned, or owned but its ask worktree is gone
    (an `ask` killed before it made it; `tell` needs it). Resume runs under the run's
    lock, so no live `ask` or `tell` is half-way through it."""
    if a.status is not Status.RUNNING or a.id == 0:
        return False
    ask = ws.worktrees(a.run).path(ask_slot(a.run, a.id))
    return not owned(a) or not (ask / ".git").exists()


def recover(ws: Workspace, run: str) -> None:
    """Attempts left `running` by a crash are recorded as interrupted (owned ones wait for
    their `tell`); a keep that a crash kept from becoming champion becomes it now; refs and
    journal are reconciled."""
    ws.worktrees(run).clear_stale_locks(refs.run_prefix(run))
    for a in ws.store.list_attempts(run):
        if _orphaned(ws, a):
            ws.store.put_attempt(replace(
                a, status=Status.FAILED, stage="interrupted", asked=False,
                reason="hone stopped during this attempt", finished=a.finished or time.time()))
    # Every keep of the loop is the newest champion, so the newest kept attempt is the
    # champion, unless a person chose the champion since (`hone approve`, `hone veto`).
    info = ws.store.get_run(run)
    since = _last_review(info.meta) if info is not None else 0.0
    kept = [a for a in ws.store.list_attempts(run) if a.status in (Status.KEPT, Status.BASELINE)
            and a.review is None and (a.finished or a.started) >= since]
    if kept and info is not None and kept[-1].id != info.champion and kept[-1].commit:
        ws.store.update_run(run, champion=kept[-1].id)
    for note in reconcile(ws, run):
        sys.stderr.write(f"hone: recovered: {note}\n")


def _last_review(meta: dict[str, Any]) -> float:
    """When a person last approved or vetoed in this run (the `reviews` ledger); 0: never."""
    times = [r.get("at") for r in meta.get("reviews") or [] if isinstance(r, dict)]
    return max((t for t in times if isinstance(t, int | float)), default=0.0)


def reconcile(ws: Workspace, run: str) -> list[str]:
    """Make `refs/hone/<run>/*` agree with the journal; what was changed, one line each.

    An attempt with a commit gets its ref; a ref whose attempt a crash cut short before
    recording the commit is adopted into it; a ref the journal has no attempt for is
    removed; `best` follows the champion. Attempts an owner may still finish are left alone.
    """
    have = ws.repo.refs(refs.run_prefix(run))
    attempts = {a.id: a for a in ws.store.list_attempts(run)}
    notes = _numbered_refs(ws, run, have, attempts)
    for a in attempts.values():
        ref = refs.attempt_ref(run, a.id)
        if a.commit and not owned(a) and have.get(ref) != a.commit:
            ws.repo.set_ref(ref, a.commit)
            notes.append(f"set {ref} to attempt #{a.id}'s commit")
    info = ws.store.get_run(run)
    champion = attempts.get(info.champion) if info is not None else None
    best = refs.best_ref(run)
    if champion is not None and champion.commit and have.get(best) != champion.commit:
        ws.repo.set_ref(best, champion.commit)
        if best in have:  # a fresh baseline's best ref is no news
            notes.append(f"set {best} to the champion #{champion.id}")
    return notes


def _numbered_refs(ws: Workspace, run: str, have: dict[str, str],
                   attempts: dict[int, Attempt]) -> list[str]:
    """Refs of attempts the journal does not know are removed; a commit a crash kept from
    being recorded is adopted into its (finished) attempt, updating `attempts`."""
    notes: list[str] = []
    for ref, sha in sorted(have.items()):
        tail = ref[len(refs.run_prefix(run)):]
        if not tail.isdigit():
            continue
        a = attempts.get(int(tail))
        if a is None:
            git("update-ref", "-d", ref, cwd=ws.repo.root)
            notes.append(f"removed {ref}: the journal has no attempt #{tail}")
        elif a.commit is None and not owned(a):
            attempts[a.id] = replace(a, commit=sha)
            ws.store.put_attempt(attempts[a.id])
            notes.append(f"adopted {ref} into attempt #{a.id} ({a.status.value})")
    return notes


def refuse_stale_refs(ws: Workspace, run: str) -> None:
    """A new run must not take over refs that an earlier run of that name left: the journal
    that described them is gone (deleted, replaced or truncated). JournalError if any."""
    if ws.repo.refs(refs.run_prefix(run)):
        raise JournalError(
            f"refs/hone/{run}/ exist but the journal {ws.journal_path} has no run {run!r}: "
            "it was lost or replaced; restore it, or choose another run name")


def forget(ws: Workspace, run: str) -> None:
    """Remove a run from the journal and its refs (its baseline never passed)."""
    ws.store.delete_run(run)
    for ref in ws.repo.refs(refs.run_prefix(run)):
        git("update-ref", "-d", ref, cwd=ws.repo.root)
