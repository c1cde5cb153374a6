"""The journal's schema is versioned: a journal of hone 0.1 is brought up to date and resumes;
one written by a newer hone is refused in one line, untouched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hone.store import SQLiteStore
from hone.store.schema import VERSION, JournalTooNew
from tests.conftest import KNOB_PROJECT, Hone, MakeRepo


def _version(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("PRAGMA user_version").fetchone()[0])


def _set_version(db: Path, version: int) -> None:
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {version}")
    con.close()


def test_a_new_journal_is_written_at_the_current_version(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "hone.db")
    store.close()
    assert _version(tmp_path / "hone.db") == VERSION >= 1


def test_a_journal_from_a_newer_hone_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "hone.db"
    SQLiteStore(db).close()
    _set_version(db, VERSION + 1)
    before = db.read_bytes()
    with pytest.raises(JournalTooNew, match="newer hone"):
        SQLiteStore(db)
    assert _version(db) == VERSION + 1 and db.read_bytes() == before


@pytest.mark.slow
def test_a_journal_of_hone_0_1_resumes(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    assert hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    assert hone("run", "--attempts", "2", cwd=root).returncode == 0
    db = root / ".git" / "hone" / "hone.db"
    _set_version(db, 0)  # hone 0.1 wrote these very tables, without a version

    status = hone("status", "--json", cwd=root)
    assert status.returncode == 0, status.stderr
    assert _version(db) == VERSION
    res = hone("run", "--attempts", "4", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "resuming run 'main'" in res.stdout
    attempts = json.loads(hone("status", "--json", cwd=root).stdout)["attempts"]
    assert [a["id"] for a in attempts] == [0, 1, 2, 3, 4]


def test_every_json_output_says_its_schema_version(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    assert hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    assert hone("run", "--attempts", "1", cwd=root).returncode == 0
    for args in (["status", "--json"], ["show", "0", "--json"], ["best", "--json"]):
        out = json.loads(hone(*args, cwd=root).stdout)
        assert out["schema_version"] == 2, args
    db = root / ".git" / "hone" / "hone.db"
    _set_version(db, VERSION + 1)
    res = hone("status", cwd=root)
    assert res.returncode != 0 and len(res.stderr.strip().splitlines()) == 1
    assert "newer hone" in res.stderr
