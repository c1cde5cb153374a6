"""The human table of `hone status`: one line per attempt at any width, readable numbers,
no 'None', the decision's runs and interval where there is room."""

from __future__ import annotations

import pytest

from hone.direction import Direction
from hone.errors import UsageError
from hone.records import Attempt, CodeStats, DecisionRecord, Status
from hone.status_table import decision_cell, parse_columns, parse_statuses, render
from hone.table import cut

LONG = ("Replace the quadratic scan in the tokenizer's hot loop with a precompiled regular "
        "expression and cache the compiled patterns per rule set")


def attempts() -> list[Attempt]:
    interval = DecisionRecord("sequential", 2928.93, {"runs": 5, "estimate": 0.012,
                                                      "interval": [0.004, 0.021]})
    return [
        Attempt("r", 0, None, "a" * 40, Status.BASELINE, score=2928.9300000000003,
                hypothesis="baseline", code=CodeStats(complexity={"nloc": 240, "ccn": 31})),
        Attempt("r", 1, 0, "b" * 40, Status.KEPT, score=3.7e-04, hypothesis=LONG,
                code=CodeStats(12, 3, 1, {"nloc": 249, "ccn": 33}), decision=interval),
        Attempt("r", 2, 1, None, Status.FAILED, hypothesis="break it", stage="gate1",
                code=CodeStats(1, 1, 1, {"nloc": 249, "ccn": 33})),
        Attempt("r", 3, 1, "c" * 40, Status.HELD, score=1.0, hypothesis="multi\nline  idea"),
    ]


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_every_attempt_is_one_line_within_the_width(width: int) -> None:
    lines = render(attempts(), attempts(), Direction.MIN, 1, width)
    assert len(lines) == 1 + 4
    assert all(len(line) <= width for line in lines)
    assert all("None" not in line for line in lines)


def test_numbers_are_shown_to_six_significant_digits() -> None:
    text = "\n".join(render(attempts(), attempts(), Direction.MIN, 1, 200))
    assert "2928.93 " in text and "2928.9300000000003" not in text
    assert "0.00037" in text


def test_the_decision_shows_runs_and_interval_where_there_is_room() -> None:
    wide = "\n".join(render(attempts(), attempts(), Direction.MIN, 1, 200))
    narrow = "\n".join(render(attempts(), attempts(), Direction.MIN, 1, 80))
    assert "n=5 +0.4%..+2.1%" in wide
    assert "n=5" not in narrow
    assert decision_cell({"runs": 3, "deterministic": True, "interval": [0.1, 0.1]}) == "n=3"
    assert decision_cell({"runs": 4, "interval": [None, 0.2]}) == "n=4 ?..+20.0%"


def test_code_shows_the_change_not_the_same_totals_on_every_row() -> None:
    lines = render(attempts(), attempts(), Direction.MIN, 1, 200)
    assert "+12/-3 cc+2" in lines[2]
    assert "249" not in "\n".join(lines) and "240" not in "\n".join(lines)
    assert "cc" not in lines[3]  # same complexity as its parent


def test_a_stopped_attempt_leads_with_its_stage_and_the_champion_is_marked() -> None:
    lines = render(attempts(), attempts(), Direction.MIN, 1, 120)
    assert "[gate1] break it" in lines[3]
    assert lines[2].lstrip().startswith("*1")
    assert "multi line idea" in lines[4]


def test_chosen_columns_are_kept_in_their_order() -> None:
    lines = render(attempts(), attempts(), Direction.MIN, 1, 80, ["score", "id", "stage"])
    assert lines[0].split() == ["score", "id", "stage"]
    assert lines[3].split() == ["2", "gate1"]  # a failed attempt has no score


def test_cut_keeps_whole_words() -> None:
    assert cut(LONG, 30) == "Replace the quadratic scan in…"
    assert cut("short", 30) == "short"
    assert len(cut("x" * 50, 10)) == 10


def test_bad_columns_and_statuses_name_the_nearest() -> None:
    with pytest.raises(UsageError, match="did you mean `hypothesis`"):
        parse_columns("id,hypothesys")
    with pytest.raises(UsageError, match="did you mean `kept`"):
        parse_statuses("kept,kpt")
    assert parse_statuses("kept, held") == {Status.KEPT, Status.HELD}
