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

SCHEMA = """
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


class SQLiteStore(Store):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False,
                                   isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def _exec(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # runs
    def create_run(self, info: RunInfo) -> None:
        self._exec("INSERT INTO runs (name, baseline_commit, champion, created, config, meta) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (info.name, info.baseline_commit, info.champion, info.created,
                    json.dumps(info.config), json.dumps(info.meta)))

    def get_run(self, name: str) -> RunInfo | None:
        rows = self._exec("SELECT * FROM runs WHERE name = ?", (name,))
        return _run(rows[0]) if rows else None

    def delete_run(self, name: str) -> None:
        """Forget a run that never got a baseline (its baseline failed)."""
        with self._lock:
            for table, key in (("runs", "name"), ("attempts", "run"), ("measurements", "run"),
                               ("texts", "run")):
                self._db.execute(f"DELETE FROM {table} WHERE {key} = ?", (name,))

    def list_runs(self) -> list[RunInfo]:
        return [_run(r) for r in self._exec("SELECT * FROM runs ORDER BY created, name")]

    def update_run(self, name: str, *, champion: int | None = None,
                   meta: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if champion is not None:
                    self._db.execute("UPDATE runs SET champion = ? WHERE name = ?",
                                     (champion, name))
                if meta:
                    row = self._db.execute("SELECT meta FROM runs WHERE name = ?",
                                           (name,)).fetchone()
                    merged = {**json.loads(row["meta"]), **meta}
                    self._db.execute("UPDATE runs SET meta = ? WHERE name = ?",
                                     (json.dumps(merged), name))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # attempts
    def next_attempt_id(self, run: str) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT max(next_id, coalesce((SELECT max(id) + 1 FROM attempts "
                    "WHERE run = ?), 0)) AS n FROM runs WHERE name = ?", (run, run)).fetchone()
                n = int(row["n"]) if row else 0
                self._db.execute("UPDATE runs SET next_id = ? WHERE name = ?", (n + 1, run))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return n

    def put_attempt(self, a: Attempt) -> None:
        self._exec(
            "INSERT OR REPLACE INTO attempts (run, id, parent, parent2, commit_sha, status, "
            "score, metrics, hypothesis, mutator, stage, reason, log_tail, started, finished, "
            "extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.run, a.id, a.parent, a.parent2, a.commit, a.status.value, a.score,
             json.dumps(a.metrics), a.hypothesis, a.mutator, a.stage, a.reason, a.log_tail,
             a.started, a.finished, json.dumps(a.extra)))

    def get_attempt(self, run: str, attempt_id: int) -> Attempt | None:
        rows = self._exec("SELECT * FROM attempts WHERE run = ? AND id = ?", (run, attempt_id))
        return _attempt(rows[0]) if rows else None

    def list_attempts(self, run: str) -> list[Attempt]:
        return [_attempt(r) for r in
                self._exec("SELECT * FROM attempts WHERE run = ? ORDER BY id", (run,))]

    # measurements
    def add_measurement(self, run: str, m: Measurement) -> None:
        self._exec("INSERT INTO measurements (run, attempt_id, seed, score, metrics, seconds, "
                   "kind, taken) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (run, m.attempt_id, m.seed, m.score, json.dumps(m.metrics), m.seconds,
                    m.kind, time.time()))

    def measurements(self, run: str, attempt_id: int | None = None) -> list[Measurement]:
        if attempt_id is None:
            rows = self._exec("SELECT * FROM measurements WHERE run = ? ORDER BY seq", (run,))
        else:
            rows = self._exec("SELECT * FROM measurements WHERE run = ? AND attempt_id = ? "
                              "ORDER BY seq", (run, attempt_id))
        return [Measurement(r["attempt_id"], r["seed"], r["score"], json.loads(r["metrics"]),
                            r["seconds"], r["kind"]) for r in rows]

    # texts
    def put_text(self, run: str, attempt_id: int, name: str, text: str) -> None:
        self._exec("INSERT OR REPLACE INTO texts (run, attempt_id, name, text) "
                   "VALUES (?, ?, ?, ?)", (run, attempt_id, name, text))

    def get_texts(self, run: str, attempt_id: int) -> dict[str, str]:
        rows = self._exec("SELECT name, text FROM texts WHERE run = ? AND attempt_id = ? "
                          "ORDER BY name", (run, attempt_id))
        return {r["name"]: r["text"] for r in rows}

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _run(r: sqlite3.Row) -> RunInfo:
    return RunInfo(r["name"], r["baseline_commit"], r["champion"], r["created"],
                   json.loads(r["config"]), json.loads(r["meta"]))


def _attempt(r: sqlite3.Row) -> Attempt:
    return Attempt(
        run=r["run"], id=r["id"], parent=r["parent"], commit=r["commit_sha"],
        status=Status(r["status"]), score=r["score"], metrics=json.loads(r["metrics"]),
        hypothesis=r["hypothesis"], mutator=r["mutator"], stage=r["stage"], reason=r["reason"],
        log_tail=r["log_tail"], started=r["started"], finished=r["finished"],
        parent2=r["parent2"], extra=json.loads(r["extra"]),
    )
