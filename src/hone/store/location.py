"""Where a repository's journal lives, and the move from where older hones kept it.

The journal is `<git common dir>/hone/hone.db`: shared by every linked worktree (like the
`refs/hone/` it describes) and out of reach of `git clean -fdx`, which deleted the old
`.hone/hone.db` of the working tree. A journal found there is moved once, and said so.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from hone.store.errors import JournalError
from hone.store.sqlite import SQLiteStore

_SIDE = ("-wal", "-shm")


def open_journal(path: Path, legacy: Path, hone_refs: Callable[[], list[str]]) -> SQLiteStore:
    """The journal at `path`, moving the one at `legacy` there first. `hone_refs` lists the
    repository's `refs/hone/` refs: when some exist and no journal does, the journal was lost
    and a new empty one would silently disown them, so JournalError is raised instead."""
    if legacy.is_file():
        if path.exists():
            raise JournalError(f"two journals: {legacy} (old place) and {path}; keep one "
                               "(move the other away) and run hone again")
        _move(legacy, path)
        sys.stderr.write(f"hone: moved the journal from {legacy} to {path} "
                         "(where `git clean` does not reach it)\n")
    if not path.exists():
        runs = sorted({ref.split("/")[2] for ref in hone_refs() if ref.count("/") >= 3})
        if runs:
            raise JournalError(f"the journal {path} is missing but refs/hone/ hold runs "
                               f"{', '.join(runs)}: restore the journal, or remove those refs "
                               "to start afresh")
    return SQLiteStore(path)


def _move(legacy: Path, path: Path) -> None:
    """Fold the old journal's write-ahead log into it, then move the file (a log that cannot
    be folded travels beside it)."""
    try:
        db = sqlite3.connect(legacy)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    except sqlite3.Error:
        pass  # a corrupt journal moves as it is; opening it says what is wrong
    path.parent.mkdir(parents=True, exist_ok=True)
    for side in _SIDE:
        old = legacy.with_name(legacy.name + side)
        if old.exists():
            shutil.move(old, path.with_name(path.name + side))
    shutil.move(legacy, path)
