"""Safeguards in `hone run`: the holdout on champions and at the end, flags in status."""

from __future__ import annotations

import json

import pytest

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo


@pytest.mark.slow
def test_objective_up_holdout_down_flags_the_champion_overfit(make_repo: MakeRepo,
                                                              hone: Hone) -> None:
    # The objective rewards a bigger KNOB; the holdout rewards a smaller one. `hold = false`:
    # overfit champions are kept with their flag (by default they would be held; see
    # tests/test_review.py).
    root = make_repo({**KNOB_PROJECT,
                      "holdout_eval.py": "from knob import KNOB\nprint(f'score: {20 - KNOB}')\n",
                      "hone.toml": '[objective]\nrun = "python3 score.py"\n'
                                   '[files]\neditable = ["knob.py"]\n'
                                   '[holdout]\nrun = "python3 holdout_eval.py"\n'
                                   '[audit]\nhold = false\n'})
    res = hone("run", "--attempts", "12", cwd=root)
    assert res.returncode == 0, res.stderr
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    assert status["champion"]["score"] > 3  # the knob went up, so the holdout went down
    assert status["champion_overfit"] is True
    champion = next(a for a in status["attempts"] if a["id"] == status["champion"]["id"])
    assert champion["overfit"] and any("overfit" in f for f in champion["flags"])
    assert "-> OVERFIT" in res.stdout
    show = json.loads(hone("show", str(champion["id"]), "--json", cwd=root).stdout)
    assert show["extra"]["holdout_final"]["worse"] is True
    assert any(m["kind"] == "holdout" for m in show["measurements"])
    # The proposer's briefs never named the holdout.
    for brief in (root / ".hone" / "briefs" / "main").glob("*.md"):
        assert "holdout" not in brief.read_text().lower()
