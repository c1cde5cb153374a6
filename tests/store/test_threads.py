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
                n = store.next_attempt_id("main")
                store.put_attempt(Attempt("main", n, 0, None, Status.RUNNING, started=1.0))
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
