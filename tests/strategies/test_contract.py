"""The strategy contract (hone/strategies/base.py), run against every registered strategy.

Selection is a pure function of the journal: the same history read back from SQLite gives the
same choice, from a fresh strategy, from another thread, after a reopen; and the parent (both
parents of a merge) is a measured, decided attempt of that history, never one in flight.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hone.config.model import Config
from hone.direction import Direction
from hone.plugins import check
from hone.records import Attempt, Status
from hone.store.base import RunInfo
from hone.store.sqlite import SQLiteStore
from hone.strategies import STRATEGIES, Strategy, make_strategy
from hone.strategies.base import Selection
from hone.strategies.pool import can_parent

SCORES = {"max": [10.0, 12.0, 11.9, 9.0, 13.0, 12.95, 8.0, 12.5],
          "min": [10.0, 8.0, 8.1, 11.0, 7.0, 7.05, 12.0, 7.5]}


def journal(path: Path, direction: str) -> SQLiteStore:
    """A run of 16 attempts of every status (ids 0-7 measured, then failures and one in
    flight), written to a real SQLite journal. The champion is #4."""
    store = SQLiteStore(path)
    store.create_run(RunInfo("main", "c0", 4, 0.0))
    scores = SCORES[direction]
    kept = {0: Status.BASELINE, 1: Status.KEPT, 4: Status.KEPT}
    for i, score in enumerate(scores):
        parent = None if i == 0 else (1 if i < 4 else 4)
        store.put_attempt(Attempt("main", i, parent, f"c{i}", kept.get(i, Status.DISCARDED),
                                  score=score, hypothesis=f"idea {i}", started=float(i),
                                  finished=float(i) + 0.5))
    others = [Status.FAILED, Status.REJECTED, Status.DUPLICATE, Status.FAILED, Status.RUNNING]
    for i, status in enumerate(others, start=len(scores)):
        store.put_attempt(Attempt("main", i, 4, f"c{i}" if status is not Status.REJECTED
                                  else None, status, stage="tests", started=float(i)))
    return store


def config(name: str, direction: str) -> Config:
    return check(Config.model_validate({
        "objective": {"run": "true", "direction": direction},
        "search": {"strategy": name, "population": 4, "islands": 2, "migrate_every": 3,
                   "near_miss": 0.05}}))


def choice(strategy: Strategy, history: list[Attempt], attempt_id: int) -> Selection:
    champion = next(a for a in history if a.id == 4)
    return strategy.select(history, champion, attempt_id)


def key(s: Selection) -> tuple[int, int | None, str]:
    notes = repr((s.hints, sorted(s.notes.items())))
    return s.parent.id, None if s.parent2 is None else s.parent2.id, notes


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("name", STRATEGIES.names())
def test_selection_is_a_pure_function_of_the_journal(name: str, direction: str,
                                                     tmp_path: Path) -> None:
    store = journal(tmp_path / "journal.db", direction)
    cfg = config(name, direction)
    strategy = make_strategy(name, cfg)
    assert strategy.name == name
    history = store.list_attempts("main")
    ids = range(len(history), len(history) + 12)
    first = [key(choice(strategy, history, k)) for k in ids]
    store.close()
    # A resumed run: a new strategy reads the journal back; and slots asking at once.
    again = SQLiteStore(tmp_path / "journal.db")
    fresh = make_strategy(name, cfg)
    reread = again.list_attempts("main")
    assert [key(choice(fresh, reread, k)) for k in ids] == first
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda k: key(choice(fresh, reread, k)), ids)) == first
    again.close()


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("name", STRATEGIES.names())
def test_the_parent_is_a_decided_measured_attempt(name: str, direction: str,
                                                  tmp_path: Path) -> None:
    store = journal(tmp_path / "journal.db", direction)
    history = store.list_attempts("main")
    by_id = {a.id: a for a in history}
    strategy = make_strategy(name, config(name, direction))
    for k in range(len(history), len(history) + 30):
        selection = choice(strategy, history, k)
        for parent in (selection.parent, selection.parent2):
            if parent is None:
                continue
            assert by_id.get(parent.id) == parent, "the parent comes from the history"
            assert parent.status.decided and can_parent(parent), (k, parent)
    store.close()
