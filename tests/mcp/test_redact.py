"""What `redact` takes out of an answer, and what it keeps."""

from __future__ import annotations

from hone.mcp.redact import redact, redact_message


def test_the_holdout_goes_and_the_rest_stays() -> None:
    view = {
        "id": 1, "stage": "holdout", "reason": "held back by a check the proposer does not see",
        "overfit": True, "champion_overfit": False,
        "extra": {"holdout": {"score": 9.5}, "holdout_final": {"worse": True}, "gain": 0.2,
                  "held_back": True},
        "measurements": [{"kind": "objective", "score": 9.0}, {"kind": "holdout", "score": 9.5}],
        "flags": ["overfit: the holdout got worse", "audit literal: a.py:3: magic number"],
        "logs": ["/runs/holdout-study/00001/objective_seed1.out",
                 "/runs/holdout-study/00001/holdout_seed1.out"],
        "diff": "+# not a holdout: the user's own word",
    }
    assert redact(view) == {
        "id": 1, "stage": "hidden", "reason": "held back by a check the proposer does not see",
        "extra": {"gain": 0.2},
        "measurements": [{"kind": "objective", "score": 9.0}],
        "flags": ["audit literal: a.py:3: magic number"],
        "logs": ["/runs/holdout-study/00001/objective_seed1.out"],
        "diff": "+# not a holdout: the user's own word",
    }


def test_an_error_that_names_the_holdout_is_replaced() -> None:
    assert "holdout" not in redact_message("the holdout fails on the baseline: exit 1")
    assert redact_message("run 'main' has no attempt #9") == "run 'main' has no attempt #9"
