"""Direction and gain(): "+20%" means better, whatever the direction; zero, negative and missing
references; ranking best-first; and the config keeps the plain strings "max" and "min"."""

from __future__ import annotations

import json
import math

import pytest

from hone.config.model import Config
from hone.direction import Direction, fmt_gain, relative


def test_an_improvement_is_a_positive_gain_in_both_directions() -> None:
    assert Direction.MAX.gain(120.0, 100.0) == pytest.approx(0.2)
    assert Direction.MIN.gain(80.0, 100.0) == pytest.approx(0.2)
    assert Direction.MAX.gain(80.0, 100.0) == pytest.approx(-0.2)
    assert Direction.MIN.gain(120.0, 100.0) == pytest.approx(-0.2)
    assert Direction.MAX.gain(100.0, 100.0) == Direction.MIN.gain(100.0, 100.0) == 0.0


def test_a_negative_reference_keeps_the_sign_rule() -> None:
    # Scores below zero (a log-likelihood, a negated loss): better is still positive.
    assert Direction.MAX.gain(-80.0, -100.0) == pytest.approx(0.2)
    assert Direction.MIN.gain(-120.0, -100.0) == pytest.approx(0.2)
    assert Direction.MAX.gain(-120.0, -100.0) == pytest.approx(-0.2)
    assert Direction.MIN.gain(-80.0, -100.0) == pytest.approx(-0.2)


def test_a_zero_or_missing_reference_has_no_relative_gain() -> None:
    for d in Direction:
        assert d.gain(3.0, 0.0) is None
        assert d.gain(0.0, 0.0) is None
        assert d.gain(None, 10.0) is None
        assert d.gain(10.0, None) is None
        assert d.gain(math.nan, 10.0) is None
        assert d.gain(10.0, math.inf) is None
    # The statistics' convention at zero: the oriented change on a unit scale.
    assert relative(Direction.MIN.improvement(0.0, 3.0) or 0.0, 0.0) == 3.0
    assert relative(Direction.MIN.improvement(3.0, 0.0) or 0.0, 0.0) == -3.0
    assert relative(6.0, -3.0) == 2.0


def test_better_improvement_and_sign() -> None:
    assert Direction.MAX.better(2.0, 1.0) and not Direction.MAX.better(1.0, 1.0)
    assert Direction.MIN.better(1.0, 2.0) and not Direction.MIN.better(2.0, 1.0)
    assert (Direction.MAX.sign, Direction.MIN.sign) == (1, -1)
    assert Direction.MAX.improvement(12.0, 10.0) == 2.0
    assert Direction.MIN.improvement(12.0, 10.0) == -2.0
    assert Direction.MIN.oriented(5.0) == -5.0
    assert Direction.MAX.wording == "higher is better"
    assert Direction.MIN.wording == "lower is better"


def test_key_sorts_best_first_and_unscored_last() -> None:
    scores = [3.0, None, 1.0, math.nan, 2.0]
    assert sorted(scores, key=Direction.MAX.key)[:3] == [3.0, 2.0, 1.0]
    assert sorted(scores, key=Direction.MIN.key)[:3] == [1.0, 2.0, 3.0]
    for d in Direction:
        tail = sorted(scores, key=d.key)[3:]
        assert tail[0] is None or math.isnan(tail[0])
        assert tail[1] is None or math.isnan(tail[1])


def test_fmt_gain() -> None:
    assert fmt_gain(0.2) == "+20.00%"
    assert fmt_gain(-0.2) == "-20.00%"
    assert fmt_gain(Direction.MIN.gain(80.0, 100.0)) == "+20.00%"
    assert fmt_gain(None) == fmt_gain(math.inf) == ""


def test_the_config_gives_an_enum_and_stores_plain_strings() -> None:
    config = Config.model_validate({"objective": {"run": "x", "direction": "min"}})
    assert config.objective.direction is Direction.MIN
    dumped = config.model_dump(mode="json")
    assert dumped["objective"]["direction"] == "min"
    assert json.loads(json.dumps(dumped))["objective"]["direction"] == "min"
    again = Config.model_validate(dumped)
    assert again.objective.direction is Direction.MIN
    assert Config.model_validate({"objective": {"run": "x"}}).objective.direction is Direction.MAX
    with pytest.raises(ValueError, match="'max' or 'min'"):
        Config.model_validate({"objective": {"run": "x", "direction": "up"}})
