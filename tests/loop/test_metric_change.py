"""Every metric, per seed, against the parent: the brief says which metric lost, so that an
attempt that cut cycles but lost Fmax reads as such, not only as "-12.8%"."""

from __future__ import annotations

import pytest

from hone.config.model import Config
from hone.direction import Direction
from hone.expr.score import ScoreExpr
from hone.loop.brief import build_brief, new_files_line
from hone.loop.metric_change import compare
from hone.records import Attempt, Measurement, Status
from hone.verify.metrics import parse_metrics

SCORE = "fmax_mhz * iter_per_cycle"


def runs(attempt: int, fmax: list[float], ipc: float, luts: float) -> list[Measurement]:
    return [Measurement(attempt, seed, f * ipc,
                        {"fmax_mhz": f, "iter_per_cycle": ipc, "luts": luts, "cycles": 1000 / ipc})
            for seed, f in zip((1, 2, 3), fmax, strict=True)]


PARENT = runs(0, [99.0, 100.0, 101.0], 1.0, 5000.0)
# cycles cut by 5.5% (iter_per_cycle up), but Fmax lost 20%: the score falls by 15.4%
CHILD = runs(1, [78.0, 80.0, 85.0], 1 / 0.945, 5100.0)


def test_the_metric_that_lost_and_the_one_that_gained_are_named() -> None:
    cmp = compare(CHILD, PARENT, ScoreExpr(SCORE), Direction.MAX)
    by_name = {m.name: m for m in cmp.metrics}
    assert [m.name for m in cmp.lost] == ["fmax_mhz"]
    assert [m.name for m in cmp.gained] == ["iter_per_cycle"]
    assert by_name["fmax_mhz"].change == pytest.approx(-0.2)
    assert by_name["cycles"].change == pytest.approx(-0.055)
    assert by_name["luts"].effect == 0  # not in the score: its change only
    assert by_name["fmax_mhz"].seeds == ((1, 78.0), (2, 80.0), (3, 85.0))
    assert by_name["fmax_mhz"].text() == "fmax_mhz 80 [78, 80, 85] (-20.00%, lost)"
    assert cmp.lost_on() == "lost on fmax_mhz (-20.00%); gained on iter_per_cycle (+5.82%)"
    # minimising the same expression turns lost and gained around
    flipped = compare(CHILD, PARENT, ScoreExpr(SCORE), Direction.MIN)
    assert [m.name for m in flipped.lost] == ["iter_per_cycle"]
    data = cmp.to_json()
    assert data["lost_on"] == ["fmax_mhz"]
    assert data["metrics"]["fmax_mhz"]["seeds"] == {"1": 78.0, "2": 80.0, "3": 85.0}
    assert data["metrics"]["fmax_mhz"]["parent_seeds"]["3"] == 101.0


def test_a_lone_score_metric_adds_nothing() -> None:
    one = [Measurement(1, 1, 5.0, {"score": 5.0})]
    assert compare(one, [Measurement(0, 1, 8.0, {"score": 8.0})], ScoreExpr("score"),
                   Direction.MAX).metrics == ()


def fpga_brief() -> str:
    config = Config.model_validate({
        "objective": {"run": "./fpga.sh {seed}", "score": SCORE, "seeds": [1, 2, 3]},
        "files": {"editable": ["rtl/**"], "protect": ["bench/**"]}})
    history = [
        Attempt("r", 0, None, "c", Status.BASELINE, score=100.0, metrics=PARENT[-1].metrics),
        Attempt("r", 1, 0, "d", Status.DISCARDED, score=84.66, hypothesis="two-stage pipeline",
                reason="deterministic: worse by -15.34%")]
    return build_brief(config, history, history[0], history[0], ["rtl/core.v"],
                       measurements=PARENT + CHILD).render()


def test_the_brief_names_every_metric_per_seed_and_what_lost() -> None:
    text = fpga_brief()
    row = next(line for line in text.splitlines() if line.startswith("- #1 "))
    assert row == (
        "- #1 (from #0) discarded at 84.66 (-15.34%): two-stage pipeline; metrics: "
        "fmax_mhz 80 [78, 80, 85] (-20.00%, lost), iter_per_cycle 1.0582 (+5.82%, gained), "
        "luts 5100 (+2.00%), cycles 945 (-5.50%); why: tried: lost on fmax_mhz (-20.00%); "
        "gained on iter_per_cycle (+5.82%); deterministic: worse by -15.34%")
    assert "do not repeat" not in text
    assert ("Metrics of #0, your starting point (median of its runs [per seed 1, 2, 3]):\n"
            "    fmax_mhz 100 [99, 100, 101]\n") in text
    assert "New files are allowed too, where they match an editable pattern: `rtl/**`." in text


def test_new_files_are_named_only_where_a_pattern_allows_them() -> None:
    def config(editable: list[str]) -> Config:
        return Config.model_validate({"objective": {"run": "x"},
                                      "files": {"editable": editable}})

    assert new_files_line(config(["knob.py"]), ["knob.py"]) == ""
    assert "`src/`" in new_files_line(config(["knob.py", "src/"]), ["knob.py", "src/a.py"])
    assert "anywhere outside the protected paths" in new_files_line(config([]), ["a.py"])


def test_per_case_metrics_are_metrics_named_cases() -> None:
    record = parse_metrics('{"score": 2, "cases": {"small": 0.5, "large": 3, "x": "no"}}')
    assert record == {"score": 2.0, "cases/small": 0.5, "cases/large": 3.0}
    assert parse_metrics("score: 2\ncases/small: 0.25\n") == {"score": 2.0, "cases/small": 0.25}
