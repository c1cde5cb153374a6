"""Where the journal lives, and what hone does when it is missing, corrupt, removed while in
use, or the disk is full: one line and exit 1, never a silent loss."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from hone.cli import main
from hone.errors import HoneError
from hone.loop.workspace import Workspace
from hone.records import Attempt, Status
from hone.store import RunInfo, SQLiteStore
from hone.store.errors import JournalError
from tests.conftest import git
from tests.faults.harness import make_project


def _journal(root: Path) -> Path:
    return root / ".git" / "hone" / "hone.db"


@pytest.fixture
def ran(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project with a run of one attempt."""
    root = make_project(tmp_path / "repo")
    assert main(["run", "-C", str(root), "--attempts", "1"]) == 0
    capsys.readouterr()
    return root


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("hone: error: "), err
    for word in words:
        assert word in err, err
    return err


def test_the_journal_is_in_the_git_dir_and_survives_git_clean(
        ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _journal(ran).is_file() and not (ran / ".hone" / "hone.db").exists()
    subprocess.run(["git", "clean", "-ffdxq"], cwd=ran, check=True)
    assert not (ran / ".hone").exists()  # its worktrees, logs and old journal place: gone
    assert main(["status", "-C", str(ran), "--json"]) == 0
    assert [a["id"] for a in json.loads(capsys.readouterr().out)["attempts"]] == [0, 1]


def test_a_journal_in_the_old_place_is_moved_once(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "repo")
    old = SQLiteStore(root / ".hone" / "hone.db")
    old.create_run(RunInfo("old", "abc", 0, 1.0))
    old.put_attempt(Attempt("old", 0, None, "abc", Status.BASELINE, score=1.0, started=1.0))
    old.close()
    assert [r.name for r in Workspace.open(root).store.list_runs()] == ["old"]
    err = capsys.readouterr().err
    assert err.count("moved the journal") == 1 and str(_journal(root)) in err
    assert not (root / ".hone" / "hone.db").exists()
    assert Workspace.open(root).store.get_attempt("old", 0) is not None
    assert capsys.readouterr().err == ""


def test_a_missing_journal_is_refused_while_refs_remain(
        ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for side in ("", "-wal", "-shm"):
        _journal(ran).with_name("hone.db" + side).unlink(missing_ok=True)
    for command in (["status"], ["run", "--attempts", "2"]):
        assert main([*command, "-C", str(ran)]) == 1
        _one_line_error(capsys, "missing", "refs/hone/")
    assert not _journal(ran).exists()  # no empty journal was put in its place


def test_a_corrupt_journal_is_one_line(ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A new file: this process still holds the old one, whose last close would checkpoint
    # the run's pages back over garbage written in place (another process would not).
    for side in ("", "-wal", "-shm"):
        _journal(ran).with_name("hone.db" + side).unlink(missing_ok=True)
    _journal(ran).write_bytes(b"not a journal at all\n" * 300)
    assert main(["run", "-C", str(ran), "--attempts", "2"]) == 1
    _one_line_error(capsys, "corrupt")


def test_a_truncated_journal_does_not_take_over_old_refs(
        ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty file opens as an empty journal: the run's refs say it was not always so."""
    for side in ("", "-wal", "-shm"):  # a new file, as above
        _journal(ran).with_name("hone.db" + side).unlink(missing_ok=True)
    _journal(ran).write_bytes(b"")
    before = git("for-each-ref", "refs/hone/", cwd=ran)
    assert main(["run", "-C", str(ran), "--attempts", "2"]) == 1
    _one_line_error(capsys, "refs/hone/main/", "has no run 'main'")
    assert git("for-each-ref", "refs/hone/", cwd=ran) == before


def test_a_journal_removed_while_open_stops_the_next_write(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("r", "abc", 0, 1.0))
    (tmp_path / "hone.db").unlink()
    with pytest.raises(JournalError, match="removed or replaced"):
        store.put_attempt(Attempt("r", 0, None, "abc", Status.RUNNING, started=1.0))
    store.close()


def test_disk_full_is_one_line_and_loses_nothing(tmp_path: Path) -> None:
    """SQLite's own 'database or disk is full' (a page limit stands in for a full disk)."""
    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("r", "abc", 0, 1.0))
    store.put_attempt(Attempt("r", 0, None, "abc", Status.BASELINE, score=2.0, started=1.0))
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(JournalError) as caught:
        store.put_text("r", 0, "brief", "x" * 1_000_000)
    assert "disk is full" in str(caught.value) and "\n" not in str(caught.value)
    assert isinstance(caught.value, HoneError) and caught.value.exit_code == 1
    store.close()
    again = SQLiteStore(tmp_path / "hone.db")
    attempt = again.get_attempt("r", 0)
    assert attempt is not None and attempt.score == 2.0
    assert again.get_texts("r", 0) == {}
    again.close()


def test_refs_the_journal_does_not_know_are_reconciled_on_start(
        ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = git("rev-parse", "refs/hone/main/1", cwd=ran)
    git("update-ref", "refs/hone/main/77", one, cwd=ran)  # an attempt the journal lost
    git("update-ref", "-d", "refs/hone/main/1", cwd=ran)  # a ref a crash lost
    assert main(["run", "-C", str(ran), "--attempts", "1"]) == 0
    err = capsys.readouterr().err
    assert "removed refs/hone/main/77" in err and "set refs/hone/main/1" in err
    refs = git("for-each-ref", "--format=%(refname)", "refs/hone/main/", cwd=ran).split()
    assert "refs/hone/main/77" not in refs and "refs/hone/main/1" in refs


def test_a_pending_ask_survives_a_run(ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reconciling never touches an attempt that `hone ask` handed out."""
    assert main(["ask", "-C", str(ran), "--json"]) == 0
    asked = json.loads(capsys.readouterr().out)
    assert main(["run", "-C", str(ran), "--attempts", "3"]) == 0
    db = sqlite3.connect(_journal(ran))
    status = db.execute("SELECT status FROM attempts WHERE id = ?", (asked["id"],)).fetchone()
    db.close()
    assert status == ("running",) and Path(asked["workdir"], ".git").exists()
