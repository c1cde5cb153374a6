"""The report's data: summary, champion steps, lineage depths and gain intervals from a real run."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from hone.direction import Direction
from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.report.data import details, gain_interval, overview


def engine_for(root: Path) -> RunView:
    ws = Workspace.open(root)
    return RunView(ws, ws.config.run.name)


def test_gain_interval_brackets_a_clear_shift_and_is_unbounded_for_one_run() -> None:
    base = [10.0, 10.2, 9.9, 10.1, 10.05, 9.95, 10.0, 10.1]
    cand = [x + 1.0 for x in base]
    iv = gain_interval(cand, base, Direction.MAX, 0.95)
    assert iv is not None
    assert iv["estimate"] == pytest.approx(0.1, abs=0.01)
    assert iv["low"] is not None and iv["high"] is not None
    assert 0 < iv["low"] < iv["estimate"] < iv["high"]
    # Lower is better: the same shift is a loss.
    worse = gain_interval(cand, base, Direction.MIN, 0.95)
    assert worse is not None and worse["estimate"] < 0
    single = gain_interval([11.0], [10.0], Direction.MAX, 0.95)
    assert single is not None and single["low"] is None and single["high"] is None


def test_overview_of_a_real_run(finished_run: Path) -> None:
    data = overview(engine_for(finished_run))
    attempts = data["attempts"]
    assert [a["id"] for a in attempts] == list(range(15))
    statuses = {a["status"] for a in attempts}
    assert {"baseline", "kept"} <= statuses
    summary = data["summary"]
    assert summary["attempts"] == 14
    assert sum(summary["by_status"].values()) == 14
    assert summary["baseline"] == 3
    champion = next(a for a in attempts if a["id"] == summary["champion"]["id"])
    assert champion["status"] == "kept" and champion["score"] > 3
    assert summary["gain"] == pytest.approx((champion["score"] - 3) / 3)
    # The champion's step line starts at the baseline and climbs through every kept attempt.
    steps = data["champion_steps"]
    assert steps[0]["id"] == 0
    assert [s["id"] for s in steps[1:]] == sorted(a["id"] for a in attempts
                                                  if a["status"] == "kept")
    assert all(b["score"] >= a["score"] for a, b in itertools.pairwise(steps))
    # Depth is one more than the parent's.
    by_id = {a["id"]: a for a in attempts}
    for a in attempts[1:]:
        assert a["depth"] == by_id[a["parent"]]["depth"] + 1
    assert all(a["finished"] is None or a["finished"] >= 0 for a in attempts)
    assert not summary["running"]


def test_details_have_a_highlighted_diff_measurements_and_logs(finished_run: Path) -> None:
    engine = engine_for(finished_run)
    data = overview(engine)
    kept = next(a for a in data["attempts"] if a["status"] == "kept")
    det = details(engine, kept["id"])
    assert '<span class="dl del">' in det["diff_html"]
    assert '<span class="dl add">' in det["diff_html"]
    assert "knob.py" in det["diff_html"] or "other.py" in det["diff_html"]
    assert det["measurements"] and det["measurements"][0]["kind"] == "objective"
    assert any(name.startswith("gate_") for name in det["logs"])
    assert any("score:" in text for name, text in det["logs"].items()
               if name.startswith("objective"))
    failed = [a for a in data["attempts"] if a["status"] == "failed"]
    for a in failed:
        assert details(engine, a["id"])["log_tail"] or a["stage"] == "propose"


def test_holdout_and_decision_evidence_are_carried_when_present(finished_run: Path) -> None:
    from dataclasses import replace

    from hone.records import DecisionRecord, Measurement

    engine = engine_for(finished_run)
    champion = engine.champion()
    engine.store.add_measurement(engine.run, Measurement(champion.id, 1, 42.0, kind="holdout"))
    evidence = DecisionRecord("better", None, {"estimate": 0.12, "interval": [0.05, None]})
    engine.store.put_attempt(replace(champion, decision=evidence))
    try:
        data = overview(engine)
        row = next(a for a in data["attempts"] if a["id"] == champion.id)
        assert row["holdout"] == [42.0]
        assert row["decision"]["interval"] == [0.05, None]
        assert data["summary"]["holdout_runs"] == 1
    finally:
        engine.store.put_attempt(champion)
        # Measurements are append-only; remove the test's holdout row directly.
        import sqlite3

        db = sqlite3.connect(finished_run / ".git" / "hone" / "hone.db")
        db.execute("DELETE FROM measurements WHERE kind = 'holdout'")
        db.commit()
        db.close()
    assert not math.isnan(overview(engine)["summary"]["baseline"])
