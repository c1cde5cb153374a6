"""SQLite (WAL) journal in `.hone/hone.db`; safe for one writer and many readers."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from hone.records import Attempt, Measurement, Status
from hone.store.base import RunInfo, Store
from hone.store.extra import decode as decode_extra
from hone.store.extra import encode as encode_extra
from hone.store.schema import migrate

_ATTEMPT_COLUMNS = ("run, id, parent, commit_sha, status, score, metrics, hypothesis, mutator, "
                    "stage, reason, log_tail, started, finished, parent2, extra")
_Row = tuple[Any, ...]


class SQLiteStore(Store):
    """One connection per thread (readers never wait for each other under WAL); writes of this
    process take turns on a lock, so SQLite's busy wait (which sleeps in steps of milliseconds)
    is met only when another process writes. Decoded attempts are remembered with the row they
    came from: `list_attempts` re-reads every row but decodes only the rows that changed."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._write = threading.RLock()
        self._local = threading.local()
        self._open: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._decoded: dict[tuple[str, int], tuple[_Row, Attempt]] = {}
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        migrate(db, str(path))

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
        return self._db.execute(sql, args).fetchall()

    def _put(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._write:
            self._db.execute(sql, args)

    def _transaction(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with self._write:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    db.execute(sql, args)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    # runs
    def create_run(self, info: RunInfo) -> None:
        self._put("INSERT INTO runs (name, baseline_commit, champion, created, config, meta) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  (info.name, info.baseline_commit, info.champion, info.created,
                   json.dumps(info.config), json.dumps(info.meta)))

    def get_run(self, name: str) -> RunInfo | None:
        rows = self._exec(f"SELECT {_RUN_COLUMNS} FROM runs WHERE name = ?", (name,))
        return _run(rows[0]) if rows else None

    def delete_run(self, name: str) -> None:
        """Forget a run that never got a baseline (its baseline failed)."""
        self._transaction(*((f"DELETE FROM {table} WHERE {key} = ?", (name,))
                            for table, key in (("runs", "name"), ("attempts", "run"),
                                               ("measurements", "run"), ("texts", "run"))))
        with self._write:
            for key in [k for k in self._decoded if k[0] == name]:
                del self._decoded[key]

    def list_runs(self) -> list[RunInfo]:
        return [_run(r) for r in
                self._exec(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY created, name")]

    def update_run(self, name: str, *, champion: int | None = None,
                   meta: dict[str, Any] | None = None) -> None:
        with self._write:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if champion is not None:
                    db.execute("UPDATE runs SET champion = ? WHERE name = ?", (champion, name))
                if meta:
                    row = db.execute("SELECT meta FROM runs WHERE name = ?", (name,)).fetchone()
                    merged = {**json.loads(row[0]), **meta}
                    db.execute("UPDATE runs SET meta = ? WHERE name = ?",
                               (json.dumps(merged), name))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    # attempts
    def next_attempt_id(self, run: str) -> int:
        with self._write:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT max(next_id, coalesce((SELECT max(id) + 1 FROM attempts "
                    "WHERE run = ?), 0)) FROM runs WHERE name = ?", (run, run)).fetchone()
                n = int(row[0]) if row else 0
                db.execute("UPDATE runs SET next_id = ? WHERE name = ?", (n + 1, run))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return n

    def put_attempt(self, a: Attempt) -> None:
        self._put(
            "INSERT OR REPLACE INTO attempts (run, id, parent, parent2, commit_sha, status, "
            "score, metrics, hypothesis, mutator, stage, reason, log_tail, started, finished, "
            "extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.run, a.id, a.parent, a.parent2, a.commit, a.status.value, a.score,
             json.dumps(a.metrics), a.hypothesis, a.mutator, a.stage, a.reason, a.log_tail,
             a.started, a.finished, json.dumps(encode_extra(a))))

    def get_attempt(self, run: str, attempt_id: int) -> Attempt | None:
        rows = self._exec(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE run = ? AND id = ?",
                          (run, attempt_id))
        return self._attempt(rows[0]) if rows else None

    def list_attempts(self, run: str) -> list[Attempt]:
        return [self._attempt(r) for r in self._exec(
            f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE run = ? ORDER BY id", (run,))]

    def _attempt(self, row: _Row) -> Attempt:
        """The attempt of `row`, decoded again only when the row differs from last time (the
        JSON of metrics and the sub-records is most of the cost of reading a long run's history)."""
        key = (row[0], row[1])
        seen = self._decoded.get(key)
        if seen is not None and seen[0] == row:
            return seen[1]
        attempt = _decode(row)
        self._decoded[key] = (row, attempt)
        return attempt

    # measurements
    def add_measurement(self, run: str, m: Measurement) -> None:
        self._put("INSERT INTO measurements (run, attempt_id, seed, score, metrics, seconds, "
                  "kind, taken) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (run, m.attempt_id, m.seed, m.score, json.dumps(m.metrics), m.seconds,
                   m.kind, time.time()))

    def measurements(self, run: str, attempt_id: int | None = None) -> list[Measurement]:
        columns = "attempt_id, seed, score, metrics, seconds, kind"
        if attempt_id is None:
            rows = self._exec(f"SELECT {columns} FROM measurements WHERE run = ? ORDER BY seq",
                              (run,))
        else:
            rows = self._exec(f"SELECT {columns} FROM measurements WHERE run = ? AND "
                              "attempt_id = ? ORDER BY seq", (run, attempt_id))
        return [Measurement(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    # texts
    def put_text(self, run: str, attempt_id: int, name: str, text: str) -> None:
        self._put("INSERT OR REPLACE INTO texts (run, attempt_id, name, text) "
                  "VALUES (?, ?, ?, ?)", (run, attempt_id, name, text))

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


_RUN_COLUMNS = "name, baseline_commit, champion, created, config, meta"


def _run(r: _Row) -> RunInfo:
    return RunInfo(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]))


def _decode(r: _Row) -> Attempt:
    return Attempt(
        run=r[0], id=r[1], parent=r[2], commit=r[3], status=Status(r[4]), score=r[5],
        metrics=json.loads(r[6]), hypothesis=r[7], mutator=r[8], stage=r[9], reason=r[10],
        log_tail=r[11], started=r[12], finished=r[13], parent2=r[14],
        **decode_extra(json.loads(r[15])),
    )
