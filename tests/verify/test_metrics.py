"""Metric output per the contract: JSON on the last non-empty line, or `name: value` lines."""

from __future__ import annotations

import math

from hone.verify.metrics import parse_metrics


def test_json_on_the_last_non_empty_line() -> None:
    out = 'compiling...\nscore: 99\n{"score": 1.5, "ms": 3, "name": "x", "ok": true}\n\n  \n'
    # Only numbers are metrics; booleans and strings are not; the JSON line wins over earlier
    # `name: value` lines.
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
