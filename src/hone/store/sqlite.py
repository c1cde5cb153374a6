"""SQLite (WAL) journal (`<git common dir>/hone/hone.db`); safe for one writer and many readers.

Every SQLite error leaves as a one-line `JournalError`; a journal removed or truncated under a
running hone stops the next write instead of letting it vanish with the process."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from hone import faults
from hone.records import Attempt, Measurement, Status
from hone.store.base import ConfigVersion, RunInfo, Store
from hone.store.errors import JournalError, from_sqlite
from hone.store.extra import decode as decode_extra
from hone.store.extra import encode as encode_extra
from hone.store.remembered import Remembered
from hone.store.schema import migrate

_ATTEMPT_COLUMNS = ("run, id, parent, commit_sha, status, score, metrics, hypothesis, mutator, "
                    "stage, reason, log_tail, started, finished, parent2, extra")
_Row = tuple[Any, ...]
_T = TypeVar("_T")


class SQLiteStore(Store):
    """One connection per thread (readers never wait for each other under WAL); writes of this
    process take turns on a lock, so SQLite's busy wait (which sleeps in steps of milliseconds)
    is met only when another process writes. A run's attempts, measurements and record are
    read again only after a write that touched them, by this store (it counts its writes per
    run and table) or by any other connection (SQLite's `data_version`); after only this
    store's writes of attempts, `list_attempts` reads again just those attempts; decoded rows
    are remembered with the row they came from (store/remembered.py)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._write = threading.RLock()
        self._local = threading.local()
        self._open: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._memo = Remembered()  # reads and decoded rows (store/remembered.py)
        try:
            db = self._db
            db.execute("PRAGMA journal_mode=WAL")
            migrate(db, str(path))
        except sqlite3.Error as exc:
            self.close()
            raise from_sqlite(exc, path) from None
        self._identity = _identity(path)

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                 isolation_level=None, cached_statements=64)
            # Durable at each checkpoint, not each commit: a crash of the machine may lose
            # the last writes, a crash of hone loses none (WAL).
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._write:
                # A server may answer each request on a new thread: close the connections
                # of threads that ended, or they would pile up for the life of the store.
                for _thread, old in [o for o in self._open if not o[0].is_alive()]:
                    old.close()
                self._open = [o for o in self._open if o[0].is_alive()]
                self._open.append((threading.current_thread(), db))
        return db

    def _exec(self, sql: str, args: tuple[Any, ...] = ()) -> list[_Row]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise from_sqlite(exc, self.path) from None

    def _put(self, sql: str, args: tuple[Any, ...], op: str = "write",
             touches: tuple[tuple[Any, ...], ...] = ()) -> None:
        self._transaction((sql, args), op=op, touches=touches)

    def _transaction(self, *statements: tuple[str, tuple[Any, ...]], op: str = "write",
                     touches: tuple[tuple[Any, ...], ...] = ()) -> None:
        self._write_with(lambda db: [db.execute(sql, args) for sql, args in statements], op,
                         touches)

    def _write_with(self, body: Any, op: str, touches: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """Run `body(db)` in one write transaction, all or nothing; what it returns. The
        fault point `journal:<op>` sits inside the transaction, before its commit. `touches`:
        the (table, run[, id]) whose remembered reads it outdates (`_read`)."""
        with self._write:
            self._check_present()
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    result = body(db)
                    faults.point(f"journal:{op}")
                    db.execute("COMMIT")
                    self._memo.wrote(touches)
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise from_sqlite(exc, self.path) from None
            return result

    def _check_present(self) -> None:
        """Refuse to write to a journal that was removed, replaced or truncated since it was
        opened: the writes would go to a file nobody will read again."""
        if _identity(self.path) != self._identity:
            raise JournalError(f"the journal {self.path} was removed or replaced while hone "
                               "was running; hone stops rather than record into a lost file")

    # runs
    def create_run(self, info: RunInfo) -> None:
        self._put("INSERT INTO runs (name, baseline_commit, champion, created, config, meta) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  (info.name, info.baseline_commit, info.champion, info.created,
                   json.dumps(info.config), json.dumps(info.meta)), op="create_run",
                  touches=(("run", info.name),))

    def get_run(self, name: str) -> RunInfo | None:
        def read() -> RunInfo | None:
            rows = self._exec(f"SELECT {_RUN_COLUMNS} FROM runs WHERE name = ?", (name,))
            return self._memo.decoded(("run", name), rows[0], _run) if rows else None

        return self._read(("run", name), read)

    def delete_run(self, name: str) -> None:
        """Forget a run that never got a baseline (its baseline failed)."""
        self._transaction(*((f"DELETE FROM {table} WHERE {key} = ?", (name,))
                            for table, key in (("runs", "name"), ("attempts", "run"),
                                               ("measurements", "run"), ("texts", "run"),
                                               ("configs", "run"))),
                          op="delete_run", touches=(("run", name), ("attempts", name),
                                                    ("measurements", name), ("deleted", name)))
        self._memo.forget_rows(name)

    def list_runs(self) -> list[RunInfo]:
        return [_run(r) for r in
                self._exec(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY created, name")]

    def update_run(self, name: str, *, champion: int | None = None,
                   meta: dict[str, Any] | None = None) -> None:
        def body(db: sqlite3.Connection) -> None:
            if champion is not None:
                db.execute("UPDATE runs SET champion = ? WHERE name = ?", (champion, name))
            if meta:
                row = db.execute("SELECT meta FROM runs WHERE name = ?", (name,)).fetchone()
                merged = {**json.loads(row[0]), **meta}
                db.execute("UPDATE runs SET meta = ? WHERE name = ?", (json.dumps(merged), name))

        self._write_with(body, "update_run", (("run", name),))

    def add_config_version(self, run: str, version: ConfigVersion) -> None:
        self._put("INSERT INTO configs (run, version, since_attempt, config, changed, created) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  (run, version.version, version.since_attempt, json.dumps(version.config),
                   json.dumps(list(version.changed)), version.created), op="add_config")

    def config_versions(self, run: str) -> list[ConfigVersion]:
        rows = self._exec("SELECT version, since_attempt, config, changed, created FROM configs "
                          "WHERE run = ? ORDER BY version", (run,))
        return [ConfigVersion(r[0], r[1], json.loads(r[2]), tuple(json.loads(r[3])), r[4])
                for r in rows]

    # attempts
    _FREE_ID = ("SELECT max(next_id, coalesce((SELECT max(id) + 1 FROM attempts WHERE run = ?), "
                "0)) FROM runs WHERE name = ?")

    def free_attempt_id(self, run: str) -> int:
        return int(next(iter(self._exec(self._FREE_ID, (run, run))), (0,))[0])

    def add_attempt(self, a: Attempt) -> bool:
        def body(db: sqlite3.Connection) -> bool:
            if a.id != int(next(db.execute(self._FREE_ID, (a.run, a.run)), (0,))[0]):
                return False
            db.execute(self._PUT_ATTEMPT, self._attempt_row(a))
            db.execute("UPDATE runs SET next_id = ? WHERE name = ?", (a.id + 1, a.run))
            return True

        return bool(self._write_with(body, "add_attempt",
                                     (("attempts", a.run), ("attempt", a.run, a.id))))

    _PUT_ATTEMPT = (
        "INSERT OR REPLACE INTO attempts (run, id, parent, parent2, commit_sha, status, score, "
        "metrics, hypothesis, mutator, stage, reason, log_tail, started, finished, extra) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

    @staticmethod
    def _attempt_row(a: Attempt) -> tuple[Any, ...]:
        return (a.run, a.id, a.parent, a.parent2, a.commit, a.status.value, a.score,
                json.dumps(a.metrics), a.hypothesis, a.mutator, a.stage, a.reason, a.log_tail,
                a.started, a.finished, json.dumps(encode_extra(a)))

    def put_attempt(self, a: Attempt) -> None:
        self._put(self._PUT_ATTEMPT, self._attempt_row(a), op="put_attempt",
                  touches=(("attempts", a.run), ("attempt", a.run, a.id)))

    def get_attempt(self, run: str, attempt_id: int) -> Attempt | None:
        version = self._version()  # one look for both
        listed = self._memo.last(("attempts", run))
        if listed is not None and listed[0] == self._memo.seen(("attempts", run), version):
            found: Attempt | None = listed[1][1].get(attempt_id)
            return found

        def read() -> Attempt | None:
            rows = self._exec(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE run = ? AND "
                              "id = ?", (run, attempt_id))
            return self._attempt(rows[0]) if rows else None

        return self._read(("attempt", run, attempt_id), read, version)

    def list_attempts(self, run: str) -> list[Attempt]:
        """Every attempt of `run` by id; after only this store's own writes of attempts since
        this thread's last list, only those attempts are read again."""
        key = ("attempts", run)
        seen = self._memo.seen(key, self._version())
        last = self._memo.last(key)
        if last is not None and last[0] != seen and last[0][1:] == seen[1:]:
            patched = self._patched(run, last[1], self._memo.written_since(run, last[0][0]))
            if patched is not None:
                self._memo.keep(key, seen, patched)
                return list(patched[0])

        def read() -> tuple[list[Attempt], dict[int, Attempt]]:
            attempts = [self._attempt(r) for r in self._exec(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE run = ? ORDER BY id", (run,))]
            return attempts, {a.id: a for a in attempts}

        return list(self._read(key, read, seen[2])[0])

    def _patched(self, run: str, listed: tuple[list[Attempt], dict[int, Attempt]],
                 ids: list[int]) -> tuple[list[Attempt], dict[int, Attempt]] | None:
        """`listed` with the attempts `ids` read again; None when one is gone or too many."""
        if not ids or len(ids) > 200:
            return None
        rows = self._exec(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE run = ? AND id IN "
                          f"({', '.join('?' * len(ids))})", (run, *ids))
        fresh = {a.id: a for a in map(self._attempt, rows)}
        if len(fresh) != len(ids):
            return None
        by_id = {**listed[1], **fresh}
        return sorted(by_id.values(), key=lambda a: a.id), by_id

    def _read(self, key: tuple[Any, ...], read: Callable[[], _T], version: int | None = None
              ) -> _T:
        """What `read` returns for `key`, read again only when it may have changed since this
        thread last read it (store/remembered.py). `version`: `_version()` if the caller just
        took it."""
        seen = self._memo.seen(key, self._version() if version is None else version)
        last = self._memo.last(key)
        if last is not None and last[0] == seen:
            return cast(_T, last[1])
        value = read()
        self._memo.keep(key, seen, value)
        return value

    def _version(self) -> int:
        return int(self._exec("PRAGMA data_version")[0][0])

    def _attempt(self, row: _Row) -> Attempt:
        return self._memo.decoded(("attempt", row[0], row[1]), row, _decode)

    # measurements
    def add_measurement(self, run: str, m: Measurement) -> None:
        self._put("INSERT INTO measurements (run, attempt_id, seed, score, metrics, seconds, "
                  "kind, taken, cpu_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (run, m.attempt_id, m.seed, m.score, json.dumps(m.metrics), m.seconds,
                   m.kind, time.time(), m.cpu_seconds), op="add_measurement",
                  touches=(("measurements", run),))

    def measurements(self, run: str, attempt_id: int | None = None) -> list[Measurement]:
        return list(self._read(("measurements", run, attempt_id),
                               lambda: self._measurements(run, attempt_id)))

    def _measurements(self, run: str, attempt_id: int | None) -> list[Measurement]:
        columns = "seq, attempt_id, seed, score, metrics, seconds, kind, cpu_seconds"
        if attempt_id is None:
            rows = self._exec(f"SELECT {columns} FROM measurements WHERE run = ? ORDER BY seq",
                              (run,))
        else:
            rows = self._exec(f"SELECT {columns} FROM measurements WHERE run = ? AND "
                              "attempt_id = ? ORDER BY seq", (run, attempt_id))
        return [self._memo.decoded(("measurement", r[0]), r, _measurement) for r in rows]

    def delete_measurements(self, run: str, attempt_id: int) -> None:
        self._put("DELETE FROM measurements WHERE run = ? AND attempt_id = ?", (run, attempt_id),
                  op="delete_measurements", touches=(("measurements", run),))

    # texts
    def put_text(self, run: str, attempt_id: int, name: str, text: str) -> None:
        self._put("INSERT OR REPLACE INTO texts (run, attempt_id, name, text) "
                  "VALUES (?, ?, ?, ?)", (run, attempt_id, name, text), op="put_text")

    def put_texts(self, run: str, attempt_id: int, texts: Mapping[str, str]) -> None:
        if texts:
            self._transaction(*(("INSERT OR REPLACE INTO texts (run, attempt_id, name, text) "
                                 "VALUES (?, ?, ?, ?)", (run, attempt_id, name, text))
                                for name, text in texts.items()), op="put_text")

    def get_texts(self, run: str, attempt_id: int) -> dict[str, str]:
        rows = self._exec("SELECT name, text FROM texts WHERE run = ? AND attempt_id = ? "
                          "ORDER BY name", (run, attempt_id))
        return {r[0]: r[1] for r in rows}

    def close(self) -> None:
        with self._write:
            for _thread, db in self._open:
                db.close()
            self._open.clear()
            self._local = threading.local()
            self._memo.forget_reads()


_RUN_COLUMNS = "name, baseline_commit, champion, created, config, meta"


def _measurement(r: _Row) -> Measurement:  # from `seq, attempt_id, seed, ...` (`measurements`)
    return Measurement(r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], cpu_seconds=r[7])


def _run(r: _Row) -> RunInfo:
    return RunInfo(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]))


def _decode(r: _Row) -> Attempt:
    return Attempt(
        run=r[0], id=r[1], parent=r[2], commit=r[3], status=Status(r[4]), score=r[5],
        metrics=json.loads(r[6]), hypothesis=r[7], mutator=r[8], stage=r[9], reason=r[10],
        log_tail=r[11], started=r[12], finished=r[13], parent2=r[14],
        **decode_extra(json.loads(r[15])),
    )


def _identity(path: Path) -> tuple[int, int] | None:
    """The journal file's device and inode, None when it is gone or shorter than SQLite's
    header (truncated)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st.st_size >= 100 else None
