"""Why the journal cannot be read or written, as one line the CLI prints (exit 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hone.errors import HoneError


class JournalError(HoneError):
    """The journal is missing, corrupt, removed while in use, or the disk is full."""


def from_sqlite(exc: sqlite3.Error, path: Path) -> JournalError:
    """The one-line error for what SQLite raised on the journal at `path`."""
    text = str(exc)
    if "full" in text:  # SQLITE_FULL: "database or disk is full"
        return JournalError(f"the disk is full: the journal {path} could not be written "
                            "(what it recorded is intact; free some space and `hone run` "
                            "resumes)")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return JournalError(f"the journal {path} is corrupt ({text}); hone will not write "
                            "over it: restore it from a backup, or move it away to start "
                            "afresh (and remove refs/hone/ with `git update-ref -d`)")
    if "locked" in text or "busy" in text:
        return JournalError(f"the journal {path} is locked by another process ({text})")
    return JournalError(f"the journal {path} cannot be used: {text}")
