"""Score expressions: arithmetic over metric names, evaluated without Python's eval."""

from __future__ import annotations

import math

import pytest

from hone.errors import UsageError
from hone.expr.score import ScoreError, ScoreExpr


@pytest.mark.parametrize(("text", "value"), [
    ("score", 2.0),
    ("fmax_mhz * iter_per_cycle", 50.0),
    ("-ms", -4.0),
    ("1000 / ms + 2 ** 3", 258.0),
    ("min(fmax_mhz, 90) - abs(-1)", 89.0),
    ("log10(fmax_mhz) + sqrt(ms)", 4.0),
    ("(score + ms) % 4", 2.0),
])
def test_arithmetic(text: str, value: float) -> None:
    metrics = {"score": 2.0, "fmax_mhz": 100.0, "iter_per_cycle": 0.5, "ms": 4.0}
    assert ScoreExpr(text).evaluate(metrics) == pytest.approx(value)


def test_names_exclude_functions() -> None:
    assert ScoreExpr("max(a, b) * log(c)").names == {"a", "b", "c"}


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch /tmp/pwned')",
    "score.real",
    "[score][0]",
    "score if score else 1",
    "lambda: 1",
    "'a' * 3",
    "open('x')",
    "max(score, key=abs)",
    "score > 1",
    "score +",
])
def test_anything_else_is_refused_before_running(text: str) -> None:
    with pytest.raises(UsageError) as info:
        ScoreExpr(text)
    assert "score expression" in str(info.value)


def test_missing_metric_names_it_and_lists_what_was_found() -> None:
    with pytest.raises(ScoreError) as info:
        ScoreExpr("a * speed").evaluate({"a": 1.0, "b": 2.0})
    assert str(info.value) == "no metric 'speed' in output (found: a, b)"


def test_arithmetic_errors_are_score_errors() -> None:
    with pytest.raises(ScoreError, match="cannot be computed"):
        ScoreExpr("a / b").evaluate({"a": 1.0, "b": 0.0})
    with pytest.raises(ScoreError, match="cannot be computed"):
        ScoreExpr("log(a)").evaluate({"a": -1.0})
    assert math.isinf(ScoreExpr("a * 10").evaluate({"a": math.inf}))
