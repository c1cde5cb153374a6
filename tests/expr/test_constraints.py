"""`[objective] constraints`: parsed at config time, checked on every measurement."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.config.load import parse_config
from hone.errors import ConfigError, UsageError
from hone.expr.constraints import Constraint, check
from hone.verify.verifier import Verifier


def test_comparisons() -> None:
    m = {"luts": 6000.0, "peak_mem_mb": 7999.5, "fmax": 100.0, "ipc": 0.5}
    assert Constraint("luts <= 6000").violation(m) is None
    assert Constraint("luts < 6000").violation(m) == "luts = 6000 violates luts < 6000"
    assert Constraint("peak_mem_mb < 8000").violation(m) is None
    assert Constraint("fmax * ipc >= 60").violation(m) == \
        "fmax * ipc = 50 violates fmax * ipc >= 60"
    assert Constraint("fmax != 100").violation(m) == "fmax = 100 violates fmax != 100"
    assert Constraint("luts == luts").violation(m) is None
    assert Constraint("ram <= 4").violation(m) == "ram <= 4: no metric 'ram' in output " \
        "(found: fmax, ipc, luts, peak_mem_mb)"
    constraints = [Constraint("luts <= 7000"), Constraint("fmax > 120"), Constraint("ipc > 1")]
    assert check(constraints, m) == "fmax = 100 violates fmax > 120"


@pytest.mark.parametrize("text", ["luts", "luts <= 1 <= 2", "luts in [1]", "luts <=",
                                  "__import__('os') < 1", "luts is 3"])
def test_bad_constraints_are_refused(text: str) -> None:
    with pytest.raises(UsageError):
        Constraint(text)


def test_config_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"'objective.constraints'.*must compare"):
        parse_config({"objective": {"run": "x", "constraints": ["luts"]}})
    with pytest.raises(ConfigError, match=r"'objective.tie_breakers'.*'min NAME'"):
        parse_config({"objective": {"run": "x", "tie_breakers": ["luts"]}})
    ok = parse_config({"objective": {"run": "x", "constraints": ["a < 1"],
                                     "tie_breakers": ["min a", "max b"]}})
    assert ok.objective.constraints == ["a < 1"]


def test_verifier_fails_a_violation_at_the_constraint_stage(tmp_path: Path) -> None:
    config = parse_config({"objective": {
        "run": 'echo "{\\"score\\": 5, \\"luts\\": $((HONE_SEED * 4000))}"', "repeats": 2,
        "constraints": ["luts <= 6000"]}})
    verdict = Verifier(config, tmp_path / "logs").verify(tmp_path, 1)
    assert verdict.failure is not None
    assert (verdict.failure.stage, verdict.failure.reason) == (
        "constraint", "luts = 8000 violates luts <= 6000")
    assert [m.seed for m in verdict.measurements] == [1]  # seed 1 held, seed 2 broke it
