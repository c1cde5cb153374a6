"""`hone run --rebase`: a new run from the current HEAD that carries an older run's ideas.

The new run is an ordinary run (its own baseline, measured at HEAD); the journal records which
run it was rebased from, and every brief of the new run lists what was tried in that run, so a
proposer neither repeats its failures blindly nor forgets what worked.
"""

from __future__ import annotations

import re

from hone.config.names import check_run_name
from hone.errors import UsageError
from hone.loop.brief import comparer, history_row
from hone.loop.workspace import Workspace
from hone.records import Status
from hone.sections import Section, SectionKind
from hone.store.base import Store

_META_KEY = "rebased_from"  # in RunInfo.meta; written and read here only
MAX_CARRIED = 200  # ideas carried into a brief, newest kept (the llm prompt trims further)


def plan_rebase(ws: Workspace, given: str | None) -> tuple[str, str]:
    """(the run to rebase, the new run's name). `--run NAME` names the run to rebase when it
    exists, else the new run (rebasing `[run] name`); the new name defaults to the old one
    with the next free `-N` suffix."""
    default = ws.config.run.name
    exists = given is not None and ws.store.get_run(given) is not None
    old = given if given is not None and exists else default
    if ws.store.get_run(old) is None:
        raise UsageError(f"--rebase: no run named {old!r} to rebase; `hone runs` lists them")
    if given is not None and not exists:
        return old, check_run_name(given)
    stem = re.sub(r"-\d+$", "", old)
    n = 2
    while ws.store.get_run(f"{stem}-{n}") is not None:
        n += 1
    return old, check_run_name(f"{stem}-{n}")


def mark_rebased(store: Store, run: str, origin: str) -> None:
    """Record in the journal that `run` was rebased from `origin`."""
    store.update_run(run, meta={_META_KEY: origin})


def rebased_from(store: Store, run: str) -> str | None:
    info = store.get_run(run)
    origin = info.meta.get(_META_KEY) if info is not None else None
    return origin if isinstance(origin, str) else None


def carried_sections(ws: Workspace, run: str) -> list[Section]:
    """The brief section of the ideas tried in the run `run` was rebased from ([] if none)."""
    origin = rebased_from(ws.store, run)
    info = ws.store.get_run(origin) if origin is not None else None
    if origin is None or info is None:
        return []
    history = ws.store.list_attempts(origin)
    by_id = {a.id: a for a in history}
    tried = [a for a in history if a.id != 0 and a.status is not Status.RUNNING]
    if not tried:
        return []
    compared = comparer(ws.config, by_id)
    rows = tuple(history_row(a, by_id, ws.config.objective.direction, compared(a))
                 for a in tried[-MAX_CARRIED:])
    lines = (f"This run starts from a newer commit than run {origin!r} (baseline "
             f"{info.baseline_commit[:10]}); these ideas were tried there (ids are that run's, "
             "scores measured on its code). Build on what worked; take up what did not only "
             "with a change that addresses why it ended.",)
    return [Section(SectionKind.HISTORY, f"Tried in run {origin!r}", lines, rows,
                    omitted=max(0, len(tried) - MAX_CARRIED), noun="ideas")]
