"""An attempt takes its id when it is recorded, not when it is planned: a crash in between
leaves no gap (tests/faults), and an id another writer took meanwhile is planned again."""

from __future__ import annotations

import textwrap
import time
from typing import Any

import pytest

from hone.loop import scheduler
from hone.loop.budget import Budget
from hone.loop.repair import Turn
from hone.loop.session import open_engine, run_session
from hone.loop.workspace import Workspace
from hone.mutators import make_mutator
from hone.records import Attempt, Status
from hone.store import SQLiteStore
from hone.store.base import IdTaken
from hone.strategies import make_strategy
from tests.conftest import KNOB_PROJECT, MakeRepo

CONFIG = textwrap.dedent("""\
    [objective]
    run = "python3 score.py"
    [files]
    editable = ["knob.py"]
    [acceptance]
    noise_runs = 2
    [sandbox]
    enabled = false
    """)


def test_an_id_taken_while_the_run_plans_it_is_planned_again(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({**KNOB_PROJECT, "hone.toml": CONFIG})
    ws = Workspace.open(root)
    planned: list[int] = []
    plan = scheduler.next_turn

    def racing(*args: Any) -> Turn:
        attempt_id = args[5]
        planned.append(attempt_id)
        if attempt_id == 2 and planned.count(2) == 1:
            # `hone ask` in another process opens #2 while the run plans it.
            other = SQLiteStore(ws.store.path)
            assert other.add_attempt(Attempt("main", 2, 0, None, Status.RUNNING,
                                             mutator="ask", asked=True, started=time.time()))
            other.close()
        return plan(*args)

    monkeypatch.setattr(scheduler, "next_turn", racing)
    with open_engine(ws, "main") as engine:
        run_session(engine, make_mutator("classic", ws.config),
                    make_strategy("greedy", ws.config), Budget(attempts=3))
        with pytest.raises(IdTaken):  # a planned id is never taken twice
            engine.open_attempt(3, engine.get(0), "classic")
    history = ws.store.list_attempts("main")
    assert [a.id for a in history] == list(range(len(history)))
    assert planned[:3] == [1, 2, 3], planned  # #2 was taken: the run planned #3 instead
    assert [a.mutator for a in history[1:4]] == ["classic", "ask", "classic"]
    assert history[3].parent is not None and history[3].status is not Status.RUNNING
