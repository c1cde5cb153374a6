"""The SQLite journal shared by the parallel scheduler's threads."""

from __future__ import annotations

import threading
from pathlib import Path

from hone.records import Attempt, Measurement, Status
from hone.store import SQLiteStore
from hone.store.base import RunInfo


def test_threads_share_one_store_without_losing_writes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("main", "abc", 0, 0.0))
    ids: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                while not store.add_attempt(Attempt("main", n := store.free_attempt_id("main"),
                                                    0, None, Status.RUNNING, started=1.0)):
                    pass  # another thread took that id first
                store.add_measurement("main", Measurement(n, 1, float(n)))
                store.put_text("main", n, "prompt", f"text {n}")
                assert store.get_attempt("main", n) is not None
                with lock:
                    ids.append(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ids) == list(range(200))
    assert [a.id for a in store.list_attempts("main")] == list(range(200))
    assert len(store.measurements("main")) == 200
    assert store.get_texts("main", 137) == {"prompt": "text 137"}
    store.close()


def test_threads_that_end_leave_no_connection_open(tmp_path: Path) -> None:
    import os

    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("main", "abc", 0, 0.0))

    def open_files() -> int:
        fds = Path("/proc/self/fd")
        return sum(1 for fd in fds.iterdir()
                   if os.path.realpath(fd).startswith(str(tmp_path / "hone.db")))

    def read() -> None:  # as a server answering each request on a new thread
        assert store.get_run("main") is not None

    for _ in range(3):
        t = threading.Thread(target=read)
        t.start()
        t.join()
    settled = open_files()
    for _ in range(40):
        t = threading.Thread(target=read)
        t.start()
        t.join()
    assert open_files() <= settled
    store.close()
    assert open_files() == 0


def test_a_history_read_again_shows_writes_of_other_threads_and_processes(
        tmp_path: Path) -> None:
    """A thread's history is re-read only when something was written since it last read: by
    another thread of this store, or by another connection (another process: `hone approve`)."""
    import sqlite3

    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("main", "abc", 0, 0.0))
    store.put_attempt(Attempt("main", 1, 0, None, Status.RUNNING, started=1.0))
    assert [a.status for a in store.list_attempts("main")] == [Status.RUNNING]
    other = threading.Thread(target=lambda: store.put_attempt(
        Attempt("main", 2, 0, None, Status.RUNNING, started=2.0)))
    other.start()
    other.join()
    assert [a.id for a in store.list_attempts("main")] == [1, 2]
    assert store.get_attempt("main", 2) is not None
    with sqlite3.connect(tmp_path / "hone.db") as db:  # outside the store, as another process
        db.execute("UPDATE attempts SET status = 'kept' WHERE id = 1")
    assert store.get_attempt("main", 1).status is Status.KEPT  # type: ignore[union-attr]
    assert [a.status for a in store.list_attempts("main")] == [Status.KEPT, Status.RUNNING]
    listed = store.list_attempts("main")
    listed.clear()  # a caller's list is its own
    assert len(store.list_attempts("main")) == 2


def test_measurements_read_again_show_every_write(tmp_path: Path) -> None:
    import sqlite3

    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("main", "abc", 0, 0.0))
    store.add_measurement("main", Measurement(1, 1, 1.0))
    assert [m.score for m in store.measurements("main")] == [1.0]
    assert store.measurements("main", 2) == []
    store.add_measurement("main", Measurement(2, 1, 2.0))
    assert [m.score for m in store.measurements("main")] == [1.0, 2.0]
    assert [m.score for m in store.measurements("main", 2)] == [2.0]
    with sqlite3.connect(tmp_path / "hone.db") as db:  # another process
        db.execute("UPDATE measurements SET score = 5.0 WHERE attempt_id = 2")
    assert [m.score for m in store.measurements("main", 2)] == [5.0]
    store.measurements("main").clear()  # a caller's list is its own
    assert len(store.measurements("main")) == 2


def test_a_run_read_again_shows_its_new_champion(tmp_path: Path) -> None:
    import sqlite3

    store = SQLiteStore(tmp_path / "hone.db")
    store.create_run(RunInfo("main", "abc", 0, 0.0))
    assert store.get_run("main").champion == 0  # type: ignore[union-attr]
    store.update_run("main", champion=3)
    assert store.get_run("main").champion == 3  # type: ignore[union-attr]
    with sqlite3.connect(tmp_path / "hone.db") as db:  # another process
        db.execute("UPDATE runs SET champion = 5 WHERE name = 'main'")
    assert store.get_run("main").champion == 5  # type: ignore[union-attr]
    assert store.get_run("other") is None


def test_every_write_is_seen_by_the_next_read_of_any_run(tmp_path: Path) -> None:
    """Reads are remembered per (table, run) and dropped (or, for the list of attempts,
    patched) by the writes that touch them: after one to three writes of a random sequence
    over two runs, every read equals a fresh store's."""
    import random

    store = SQLiteStore(tmp_path / "hone.db")
    rng = random.Random(7)
    runs = ["a", "b"]
    for run in runs:
        store.create_run(RunInfo(run, "abc", 0, 0.0))

    def reads(s: SQLiteStore) -> list[object]:
        out: list[object] = []
        for run in runs:
            out += [s.get_run(run), *(s.get_attempt(run, n) for n in (1, 2, 3)),
                    s.list_attempts(run), s.measurements(run), s.measurements(run, 1)]
        return out

    def write(step: int) -> str:
        run = rng.choice(runs)
        if store.get_run(run) is None:
            store.create_run(RunInfo(run, "abc", 0, 0.0))
            return "create"
        kind = rng.choice(["attempt", "attempt", "measure", "drop", "champion", "meta", "id",
                           "text", "delete"])
        n = rng.randrange(1, 5)
        if kind == "attempt":
            store.put_attempt(Attempt(run, n, 0, None, rng.choice(list(Status)),
                                      score=float(step), started=1.0))
        elif kind == "measure":
            store.add_measurement(run, Measurement(n, 1, float(step)))
        elif kind == "drop":
            store.delete_measurements(run, n)
        elif kind == "champion":
            store.update_run(run, champion=step)
        elif kind == "meta":
            store.update_run(run, meta={"step": step})
        elif kind == "id":  # taken only when n is the free id
            store.add_attempt(Attempt(run, n, 0, None, Status.RUNNING, score=float(step),
                                      started=1.0))
        elif kind == "text":
            store.put_text(run, n, "prompt", str(step))
        elif rng.random() < 0.2:
            store.delete_run(run)
        return f"{kind} {run} {n}"

    for step in range(160):
        reads(store)  # remember everything, then change one to three things
        kind = ", ".join(write(step) for _ in range(rng.randrange(1, 4)))
        fresh = SQLiteStore(tmp_path / "hone.db")
        assert reads(store) == reads(fresh), (step, kind)
        fresh.close()
    store.close()
