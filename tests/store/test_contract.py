"""The Store contract (store/base.py), run against every implementation.

A new store joins by adding a factory to STORES; every test here must then pass for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hone.records import (
    Attempt,
    CodeStats,
    Cost,
    DecisionRecord,
    Hints,
    Lineage,
    Measurement,
    Noise,
    Placement,
    Status,
    VettingRecord,
)
from hone.store import RunInfo, SQLiteStore, Store

# name -> factory(path): a store whose data lives at `path` (a second call with the same path
# opens the same data, as another process would).
STORES: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda path: SQLiteStore(path / "hone.db"),
}


@pytest.fixture(params=sorted(STORES))
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []

    def open_store() -> Store:
        store = STORES[request.param](tmp_path)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


def make_run(store: Store, name: str = "r", created: float = 1.0) -> RunInfo:
    info = RunInfo(name, "a" * 40, 0, created, {"objective": {"run": "x"}}, {"dirty": False})
    store.create_run(info)
    return info


def full_attempt(run: str = "r", attempt_id: int = 1) -> Attempt:
    return Attempt(run, attempt_id, 0, "b" * 40, Status.KEPT, score=1.5,
                   metrics={"score": 1.5, "ms": 2.0}, hypothesis="N = 1 -> 2 in x.py:1\nwhy",
                   mutator="classic", stage="", reason="better", log_tail="line1\nline2",
                   started=10.0, finished=12.5, parent2=None,
                   cost=Cost(120, 30, 0.0015, "m", 2),
                   code=CodeStats(1, 0, 1, {"nloc": 10, "ccn": 3, "functions": 2}),
                   lineage=Lineage("k" * 16, "t" * 40),
                   decision=DecisionRecord("better", 1.0, {"runs": 3, "kept_as": "simpler"}),
                   vetting=VettingRecord([{"check": "c", "path": "x.py", "line": 2}], 0.5,
                                         {"claimed_gain": 0.5, "passed": True},
                                         {"score": 2.0}, True, False, {"worse": True}),
                   placement=Placement("slot-1", "host", 10.5, 12.0),
                   noise=Noise({"runs": 5, "cv": 0.01}, "noisy"),
                   hints=Hints("temperature", 3, "structural", 1, "top-k"), asked=True,
                   repair_of=4,
                   notes={"nested": {"a": [1, 2]}})


def test_run_round_trip_and_listing(opener: Callable[[], Store]) -> None:
    store = opener()
    assert store.get_run("r") is None
    info = make_run(store, "r", created=2.0)
    make_run(store, "older", created=1.0)
    assert store.get_run("r") == info
    assert [r.name for r in store.list_runs()] == ["older", "r"]


def test_update_run_sets_champion_and_merges_meta(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    store.update_run("r", champion=3)
    store.update_run("r", meta={"stopped": "budget"})
    info = store.get_run("r")
    assert info is not None
    assert info.champion == 3
    assert info.meta == {"dirty": False, "stopped": "budget"}


def test_ids_start_at_zero_and_are_never_reused(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    make_run(store, "other")
    assert store.free_attempt_id("r") == store.free_attempt_id("r") == 0  # asking takes none
    for n in range(3):
        assert store.add_attempt(full_attempt(attempt_id=n))
    assert store.free_attempt_id("r") == 3 and store.free_attempt_id("other") == 0  # per run
    # Only the free id is taken, and only once, by whichever connection (process) is first.
    assert not opener().add_attempt(full_attempt(attempt_id=2))
    assert not store.add_attempt(full_attempt(attempt_id=5))
    assert opener().add_attempt(full_attempt(attempt_id=3))
    assert not store.add_attempt(full_attempt(attempt_id=3))
    assert [a.id for a in store.list_attempts("r")] == [0, 1, 2, 3]
    store.put_attempt(full_attempt(attempt_id=7))
    assert store.free_attempt_id("r") == 8


def test_attempt_round_trip_and_replace(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    a = full_attempt()
    store.put_attempt(a)
    assert store.get_attempt("r", 1) == a
    assert store.get_attempt("r", 2) is None
    b = Attempt("r", 1, 0, None, Status.RUNNING, started=3.0)
    store.put_attempt(b)  # replaces the whole record
    assert store.get_attempt("r", 1) == b


def test_list_attempts_in_id_order_per_run(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    make_run(store, "other")
    for i in (2, 0, 1):
        store.put_attempt(Attempt("r", i, None, None, Status.FAILED, started=float(i)))
    store.put_attempt(Attempt("other", 0, None, None, Status.BASELINE))
    assert [a.id for a in store.list_attempts("r")] == [0, 1, 2]
    assert all(a.status is Status.FAILED for a in store.list_attempts("r"))
    assert [a.run for a in store.list_attempts("other")] == ["other"]


def test_measurements_in_the_order_taken(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    taken = [Measurement(1, 3, 1.0, {"score": 1.0}, 0.5), Measurement(2, 1, 2.0),
             Measurement(1, 1, None, {}, 0.1, "holdout"), Measurement(1, 2, 3.5)]
    for m in taken:
        store.add_measurement("r", m)
    assert store.measurements("r") == taken
    assert store.measurements("r", 1) == [taken[0], taken[2], taken[3]]
    assert store.measurements("r", 9) == []


def test_delete_measurements_of_one_attempt(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    for m in (Measurement(0, 1, 1.0), Measurement(1, 1, 2.0), Measurement(0, 2, 3.0)):
        store.add_measurement("r", m)
    store.delete_measurements("r", 0)
    assert store.measurements("r") == [Measurement(1, 1, 2.0)]
    assert opener().measurements("r", 0) == []


def test_texts(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    store.put_text("r", 1, "prompt", "hello")
    store.put_text("r", 1, "answer", "é ünïcode\n" * 3)
    store.put_text("r", 1, "prompt", "hello again")
    assert store.get_texts("r", 1) == {"answer": "é ünïcode\n" * 3, "prompt": "hello again"}
    assert store.get_texts("r", 2) == {}
    store.put_texts("r", 2, {"prompt": "p", "response": "r"})
    store.put_texts("r", 1, {"answer": "replaced"})
    store.put_texts("r", 3, {})
    assert store.get_texts("r", 2) == {"prompt": "p", "response": "r"}
    assert store.get_texts("r", 1)["answer"] == "replaced"
    assert store.get_texts("r", 3) == {}


def test_delete_run_forgets_everything_of_that_run_only(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    make_run(store, "keep")
    for run in ("r", "keep"):
        store.put_attempt(full_attempt(run))
        store.add_measurement(run, Measurement(1, 1, 1.0))
        store.put_text(run, 1, "t", "x")
    store.delete_run("r")
    assert store.get_run("r") is None and store.list_attempts("r") == []
    assert store.measurements("r") == [] and store.get_texts("r", 1) == {}
    assert store.get_run("keep") is not None and len(store.list_attempts("keep")) == 1
    make_run(store)  # the name can be used again, from id 0
    assert store.free_attempt_id("r") == 0


def test_writes_are_visible_to_another_connection_at_once(opener: Callable[[], Store]) -> None:
    writer, reader = opener(), opener()
    make_run(writer)
    writer.put_attempt(full_attempt())
    writer.add_measurement("r", Measurement(1, 1, 2.0))
    assert reader.get_attempt("r", 1) == full_attempt()
    assert reader.measurements("r", 1) == [Measurement(1, 1, 2.0)]


def test_history_read_again_shows_every_later_write(opener: Callable[[], Store]) -> None:
    from dataclasses import replace

    writer, reader = opener(), opener()
    make_run(writer)
    writer.put_attempt(full_attempt())
    writer.put_attempt(full_attempt(attempt_id=2))
    assert reader.list_attempts("r") == [full_attempt(), full_attempt(attempt_id=2)]
    changed = replace(full_attempt(), status=Status.DISCARDED, notes={"nested": {"a": [3]}},
                      cost=None, asked=False, told=True)
    writer.put_attempt(changed)
    for store in (reader, writer):
        assert store.list_attempts("r") == [changed, full_attempt(attempt_id=2)]
        assert store.get_attempt("r", 1) == changed
    reader.put_attempt(full_attempt())  # and back, through the other connection
    assert writer.list_attempts("r")[0] == full_attempt()


def test_data_survives_reopening(opener: Callable[[], Store]) -> None:
    store = opener()
    make_run(store)
    store.put_attempt(full_attempt())
    store.close()
    again = opener()
    assert again.get_attempt("r", 1) == full_attempt()
    assert again.free_attempt_id("r") == 2


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    import sqlite3

    SQLiteStore(tmp_path / "hone.db").close()
    mode = sqlite3.connect(tmp_path / "hone.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
