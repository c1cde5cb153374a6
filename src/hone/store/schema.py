"""The journal's schema and its versions: each version's migration, applied in order on open.

`PRAGMA user_version` holds the version a journal was written with; 0 is a journal written
before versioning (hone 0.1, the layout of version 1). Opening a journal brings it to
`VERSION` in one transaction; a journal from a newer hone is refused, never rewritten.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from hone.errors import HoneError

TABLES = """
CREATE TABLE IF NOT EXISTS runs (
  name TEXT PRIMARY KEY, baseline_commit TEXT NOT NULL, champion INTEGER NOT NULL DEFAULT 0,
  created REAL NOT NULL, config TEXT NOT NULL DEFAULT '{}', meta TEXT NOT NULL DEFAULT '{}',
  next_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS attempts (
  run TEXT NOT NULL, id INTEGER NOT NULL, parent INTEGER, parent2 INTEGER, commit_sha TEXT,
  status TEXT NOT NULL, score REAL, metrics TEXT NOT NULL DEFAULT '{}',
  hypothesis TEXT NOT NULL DEFAULT '', mutator TEXT NOT NULL DEFAULT '',
  stage TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
  log_tail TEXT NOT NULL DEFAULT '', started REAL NOT NULL, finished REAL,
  extra TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run, id)
);
CREATE TABLE IF NOT EXISTS measurements (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, run TEXT NOT NULL, attempt_id INTEGER NOT NULL,
  seed INTEGER NOT NULL, score REAL, metrics TEXT NOT NULL DEFAULT '{}',
  seconds REAL NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'objective', taken REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS measurements_attempt ON measurements (run, attempt_id);
CREATE TABLE IF NOT EXISTS texts (
  run TEXT NOT NULL, attempt_id INTEGER NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (run, attempt_id, name)
);
"""


def _v1(db: sqlite3.Connection) -> None:
    """Version 1: the tables of hone 0.1 (a journal of 0.1 already has them)."""
    for statement in TABLES.split(";"):
        if statement.strip():
            db.execute(statement)


def _v2(db: sqlite3.Connection) -> None:
    """Version 2: the config versions of a run (a change of `hone.toml` between two starts),
    each with the first attempt that used it; version 1 is `runs.config`."""
    db.execute("CREATE TABLE IF NOT EXISTS configs (run TEXT NOT NULL, version INTEGER NOT "
               "NULL, since_attempt INTEGER NOT NULL, config TEXT NOT NULL, changed TEXT NOT "
               "NULL DEFAULT '[]', created REAL NOT NULL, PRIMARY KEY (run, version))")


def _v3(db: sqlite3.Connection) -> None:
    """Version 3: each measurement's process CPU seconds (verify/process.py), which the
    corroboration of a claimed speed-up reads; 0 for measurements taken before. Idempotent,
    as every migration: a journal whose version was lost may already have the column."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(measurements)")}
    if "cpu_seconds" not in columns:
        db.execute("ALTER TABLE measurements ADD COLUMN cpu_seconds REAL NOT NULL DEFAULT 0")


# MIGRATIONS[n] brings a journal of version n - 1 to version n.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1, 2: _v2, 3: _v3}
VERSION = max(MIGRATIONS)


class JournalTooNew(HoneError):
    """The journal was written by a newer hone: reading it could lose what it records."""


def migrate(db: sqlite3.Connection, path: str) -> int:
    """Bring the journal behind `db` (autocommit mode) to `VERSION`; the version it had."""
    db.execute("BEGIN IMMEDIATE")
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > VERSION:
            raise JournalTooNew(f"{path} was written by a newer hone (journal schema {found}, "
                                f"this hone reads up to {VERSION}); upgrade hone")
        for version in range(found + 1, VERSION + 1):
            MIGRATIONS[version](db)
        if found != VERSION:
            db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return found
