"""Metric output per the contract: JSON on the last non-empty line, or `name: value` lines;
exactly one record per run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hone.verify.metrics import MetricsError, parse_metrics, stdout_text


def test_json_on_the_last_non_empty_line() -> None:
    out = 'compiling...\nsteps: 99\n{"score": 1.5, "ms": 3, "name": "x", "ok": true}\n\n  \n'
    # Only numbers are metrics; booleans and strings are not; the JSON line is the record
    # (earlier `name: value` lines of other names are log lines).
    assert parse_metrics(out) == {"score": 1.5, "ms": 3.0}


def test_json_not_on_the_last_line_is_ignored() -> None:
    assert parse_metrics('{"score": 1}\ndone\n') == {}


def test_name_value_lines() -> None:
    out = ("step 1\nval_bpb: 0.9979\npeak_vram_mb = 45060.2\nsteps: 1_000\n"
           "tiny: 1e-3\nneg: -2.5\nfrac: .5\nnot a metric: 3 apples\nval_bpb: 0.99\n"
           "fmax_mhz/seed1: 101\n")
    assert parse_metrics(out) == {"val_bpb": 0.99, "peak_vram_mb": 45060.2, "steps": 1000.0,
                                  "tiny": 0.001, "neg": -2.5, "frac": 0.5,
                                  "fmax_mhz/seed1": 101.0}


def test_malformed_json_falls_back_to_lines() -> None:
    assert parse_metrics("score: 2\n{broken json\n") == {"score": 2.0}


def test_non_finite_values_are_parsed_as_such() -> None:
    m = parse_metrics("a: inf\nb: nan\n")
    assert m["a"] == math.inf and math.isnan(m["b"])


def test_nothing() -> None:
    assert parse_metrics("") == {}
    assert parse_metrics("hello\nworld\n") == {}


# -- one record per run --------------------------------------------------------------------

def test_a_second_json_record_anywhere_is_an_error() -> None:
    for out in ('{"score": 1}\nwork\n{"score": 99}\n', '{"score": 99}\n{"score": 1}\n',
                '{"other": 5}\n{"score": 1}\n'):
        with pytest.raises(MetricsError, match="2 different JSON metric records"):
            parse_metrics(out)


def test_a_repeated_identical_record_is_one_record() -> None:
    assert parse_metrics('{"score": 1}\n{"score": 1}\n') == {"score": 1.0}


def test_json_lines_without_numbers_are_log_lines_not_records() -> None:
    assert parse_metrics('{"event": "start"}\n{"score": 2}\n') == {"score": 2.0}


def test_a_name_value_line_contradicting_the_json_record_is_an_error() -> None:
    # After the record (printed at exit, say): the last line is no longer the record.
    with pytest.raises(MetricsError, match="'score: 99' contradicts the JSON record"):
        parse_metrics('{"score": 1.5}\nscore: 99\n')
    # Before it: the record is last, but the output says two things.
    with pytest.raises(MetricsError, match="contradicts"):
        parse_metrics('score: 99\n{"score": 1.5}\n')


def test_name_value_lines_that_agree_with_the_record_are_fine() -> None:
    # A training log: a loss per epoch, the last one the record's.
    assert parse_metrics('loss: 3\nloss: 2\nloss: 1.25\n{"loss": 1.25, "acc": 0.5}\n') == {
        "loss": 1.25, "acc": 0.5}


def test_with_name_value_output_the_last_value_wins() -> None:
    assert parse_metrics("loss: 3\nloss: 2\nloss: 1\n") == {"loss": 1.0}


@pytest.mark.parametrize("out", [
    "score: " + "1" * 401, '{"score": ' + "1" * 401 + "}", '{"score": 1e400}', "score: 1e999",
    '{"score": -' + "9" * 500 + "}"])
def test_a_value_that_does_not_fit_a_float_is_an_error(out: str) -> None:
    with pytest.raises(MetricsError, match="'score' does not fit a float"):
        parse_metrics(out)


def test_stdout_text_adds_the_tail_only_when_the_log_was_cut(tmp_path: Path) -> None:
    log = tmp_path / "out"
    log.write_text("a\n" * 10)
    assert stdout_text(log, "tail\n", max_bytes=1000) == "a\n" * 10
    assert stdout_text(log, "tail\n", max_bytes=20).endswith("\ntail\n")
    assert stdout_text(tmp_path / "missing", "tail\n", 20) == "tail\n"
