"""Journals written before the typed records: rows whose `extra` JSON was written by the
previous hone load into the typed fields, keep their unknown keys, and a run of them resumes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hone.records import Cost, DecisionRecord, Hints, Placement, Status
from hone.store import RunInfo, SQLiteStore
from tests.conftest import KNOB_PROJECT, Hone, MakeRepo

# An attempt row's `extra` as the previous hone wrote it (dict keys from every file that wrote
# into `Attempt.extra`), with two keys this version does not know.
OLD_EXTRA: dict[str, Any] = {
    "island": 1, "explore": "temperature", "stuck": 3, "category": "structural",
    "pick": "top-k", "island_events": [{"migrate": 1, "from": 0, "to": 1}],
    "model": "m", "llm_calls": 2, "tokens_in": 100, "tokens_out": 20, "usd": 0.001,
    "prompt_tokens_estimate": 90, "verbalized": [{"p": 0.1, "text": "idea"}],
    "lines_added": 3, "lines_removed": 1, "files_touched": 1,
    "complexity": {"nloc": 10, "ccn": 2, "functions": 1},
    "diff_key": "abc", "tree": "f" * 40,
    "audit": [{"check": "x", "path": "a.py", "line": 1, "reason": "r"}], "gain": 0.25,
    "reverified": {"claimed_gain": 0.25, "clean_gain": 0.2, "passed": True},
    "holdout": {"score": 1.0}, "overfit": True,
    "decision": {"rule": "better", "champion_score": 2.0, "runs": 3, "kept_as": "simpler"},
    "eval": {"slot": "0", "host": "h", "start": 1.0, "end": 2.0},
    "legacy_note": {"kept": [1, 2]}, "site": "knob.py:1:7",
}


def insert_old_row(db: Path, run: str, attempt_id: int, status: str, extra: dict[str, Any],
                   parent: int = 0) -> None:
    """Write an attempt row with sqlite3, as the previous hone's store did."""
    with sqlite3.connect(db) as con:
        con.execute("INSERT OR REPLACE INTO attempts (run, id, parent, parent2, commit_sha, "
                    "status, score, metrics, hypothesis, mutator, stage, reason, log_tail, "
                    "started, finished, extra) VALUES (?, ?, ?, NULL, NULL, ?, NULL, '{}', "
                    "'old idea', 'llm', '', '', '', 1.0, NULL, ?)",
                    (run, attempt_id, parent, status, json.dumps(extra)))


def stored_extra(db: Path, run: str, attempt_id: int) -> dict[str, Any]:
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT extra FROM attempts WHERE run = ? AND id = ?",
                          (run, attempt_id)).fetchone()
    out: dict[str, Any] = json.loads(row[0])
    return out


def test_an_old_row_loads_typed_and_is_written_back_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "hone.db"
    store = SQLiteStore(db)
    try:
        store.create_run(RunInfo("r", "a" * 40, 0, 1.0, {}, {}))
        insert_old_row(db, "r", 1, "running", OLD_EXTRA)
        a = store.get_attempt("r", 1)
        assert a is not None
        assert a.cost == Cost(100, 20, 0.001, "m", 2)
        assert a.hints == Hints("temperature", 3, "structural", 1, "top-k")
        assert (a.code.lines_added, a.code.lines_removed, a.code.files_touched) == (3, 1, 1)
        assert a.code.complexity == {"nloc": 10, "ccn": 2, "functions": 1}
        assert (a.lineage.diff_key, a.lineage.tree) == ("abc", "f" * 40)
        assert a.decision == DecisionRecord("better", 2.0, {"runs": 3, "kept_as": "simpler"})
        assert a.decision.kept_as == "simpler"
        assert a.vetting.gain == 0.25 and a.vetting.overfit and a.vetting.audit
        assert a.vetting.reverified == OLD_EXTRA["reverified"]
        assert a.placement == Placement("0", "h", 1.0, 2.0)
        # What only one plugin reads, and what this version does not know, stays as it was.
        assert a.notes == {k: OLD_EXTRA[k] for k in (
            "island_events", "prompt_tokens_estimate", "verbalized", "legacy_note", "site")}
        store.put_attempt(a)  # rewriting the row loses nothing
        assert stored_extra(db, "r", 1) == OLD_EXTRA
    finally:
        store.close()


def test_values_of_the_wrong_type_in_an_old_row_read_as_unset(tmp_path: Path) -> None:
    db = tmp_path / "hone.db"
    store = SQLiteStore(db)
    try:
        store.create_run(RunInfo("r", "a" * 40, 0, 1.0, {}, {}))
        insert_old_row(db, "r", 1, "discarded", {"island": "two", "decision": "better",
                                                 "lines_added": None, "eval": [1]})
        a = store.get_attempt("r", 1)
        assert a is not None
        assert (a.hints.island, a.decision, a.code.lines_added, a.placement) == (
            None, None, None, None)
        assert a.cost is None and a.notes == {}
    finally:
        store.close()


def test_an_attempt_without_sub_records_writes_no_keys() -> None:
    from hone.records import Attempt
    from hone.store.extra import decode, encode

    bare = Attempt("r", 1, 0, None, Status.FAILED)
    assert encode(bare) == {}  # as the previous hone wrote a bare row: no key, no null
    assert Attempt("r", 1, 0, None, Status.FAILED, **decode({})) == bare


@pytest.mark.slow
def test_a_run_with_old_rows_resumes(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    assert hone("init", "--objective", "python3 score.py", "--gate", "python3 test_knob.py",
                cwd=root).returncode == 0
    assert hone("run", "--attempts", "2", cwd=root).returncode == 0
    db = root / ".git" / "hone" / "hone.db"
    # Every row gets a key this version does not know, and an attempt the previous hone left
    # running when it was killed (its typed values from the old JSON).
    with sqlite3.connect(db) as con:
        con.execute("UPDATE attempts SET extra = json_set(extra, '$.legacy_note', 'old')")
    crashed = {k: v for k, v in OLD_EXTRA.items()
               if k not in ("decision", "audit", "gain", "reverified", "holdout", "overfit")}
    crashed["legacy_note"] = "old"
    insert_old_row(db, "main", 3, "running", crashed)

    res = hone("run", "--attempts", "5", cwd=root)  # the budget counts the whole run
    assert res.returncode == 0, res.stderr
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    ids = [a["id"] for a in status["attempts"]]
    assert ids == list(range(len(ids))) and len(ids) >= 5  # resumed after the old rows
    three = status["attempts"][3]
    assert (three["status"], three["stage"]) == (Status.FAILED.value, "interrupted")
    assert (three["tokens_in"], three["usd"], three["lines_added"]) == (100, 0.001, 3)
    assert status["tokens"]["in"] >= 100
    for attempt_id in range(4):  # the unknown key survived every rewrite
        assert stored_extra(db, "main", attempt_id)["legacy_note"] == "old", attempt_id
    shown = json.loads(hone("show", "3", "--json", cwd=root).stdout)
    assert shown["extra"]["island"] == 1 and shown["extra"]["legacy_note"] == "old"
    baseline = json.loads(hone("show", "0", "--json", cwd=root).stdout)
    assert baseline["extra"]["noise"]["runs"] >= 1  # the noise floor, read back typed
