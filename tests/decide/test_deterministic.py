"""Deterministic objectives: any strict gain is kept, a simplification may lose nothing, and
the rules say what was measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.complexity.measure import Complexity
from hone.complexity.policy import review
from hone.config.load import parse_config
from hone.decide import make_decider
from hone.decide.base import Arm, Decision
from hone.decide.noise import noise_floor
from hone.decide.sequential import SequentialDecider
from hone.direction import Direction
from hone.records import Measurement
from tests.conftest import MakeRepo

DEFAULTS = parse_config({"objective": {"run": "x"}})


def _m(score: float, seed: int = 1) -> Measurement:
    return Measurement(0, seed, score)


def _never(arm: Arm) -> Measurement:
    raise AssertionError("a deterministic objective is not re-measured")


def _deterministic() -> SequentialDecider:
    floor = noise_floor([_m(1000.0)] * 5)
    assert floor.deterministic
    decider = make_decider(DEFAULTS, floor)  # the defaults: min_effect = 0.01
    assert isinstance(decider, SequentialDecider)
    return decider


@pytest.mark.parametrize("direction", list(Direction))
def test_a_small_strict_gain_is_kept_with_defaults(direction: Direction) -> None:
    decider = _deterministic()
    better = 1000.0 * (1 + 0.003 * direction.sign)
    d = decider.decide([_m(better)], [_m(1000.0)], direction, _never)
    assert d.keep and d.deterministic and d.rule == "deterministic: better by +0.30%"
    worse = decider.decide([_m(1000.0 * (1 - 0.002 * direction.sign))], [_m(1000.0)],
                           direction, _never)
    assert not worse.keep and worse.rule == "deterministic: worse by -0.20%"
    same = decider.decide([_m(1000.0)], [_m(1000.0)], direction, _never)
    assert not same.keep and same.rule == "deterministic: same score"


def test_float_rounding_is_neither_noise_nor_a_gain() -> None:
    # 0.1 + 0.2 summed in another order: re-runs that differ in the last bits are deterministic
    floor = noise_floor([_m(0.30000000000000004), _m(0.3), _m(0.3)])
    assert floor.deterministic and floor.stdev == 0.0
    noisy = noise_floor([_m(0.3), _m(0.3003), _m(0.2998)])
    assert not noisy.deterministic
    d = _deterministic().decide([_m(0.30000000000000004)], [_m(0.3)], Direction.MAX, _never)
    assert not d.keep and d.rule == "deterministic: same score"


def _cx(nloc: int) -> Complexity:
    return Complexity(nloc, 10, 0, 1)


def test_a_simplification_that_loses_any_score_is_refused() -> None:
    decider = _deterministic()
    champ = [_m(1000.0)]
    lost = decider.decide([_m(998.0)], champ, Direction.MAX, _never)  # -0.2%, 12 lines fewer
    r = review(lost, [_m(998.0)], champ, _cx(88), _cx(100), DEFAULTS)
    assert not r.keep and r.rule == "deterministic: worse by -0.20%"
    held = decider.decide([_m(1000.0)], champ, Direction.MAX, _never)
    r = review(held, [_m(1000.0)], champ, _cx(89), _cx(100), DEFAULTS)
    assert r.keep and r.kind == "simplification"
    assert r.rule == "simplification: -11 lines of code, +0 complexity, score held"
    # A noisy objective still tolerates a loss within noise and min_effect.
    noisy = Decision(False, 998.0, 1000.0, "not better")
    assert review(noisy, [_m(998.0)], champ, _cx(88), _cx(100), DEFAULTS).keep


PROJECT = {
    "calc.py": "VALUE = 1000.0\n\n\n" + "".join(
        f"def unused_{k}(x):\n    if x > {k}:\n        return x - {k}\n    return x\n\n\n"
        for k in range(4)),
    "score.py": "from calc import VALUE\nprint(f'score: {VALUE}')\n",
}


def _hone(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict[str, Any]:
    assert main([*args, "-C", str(root)]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def _try(capsys: pytest.CaptureFixture[str], root: Path, text: str, why: str) -> dict[str, Any]:
    asked = _hone(capsys, root, "ask", "--json")
    (Path(asked["workdir"]) / "calc.py").write_text(text)
    return _hone(capsys, root, "tell", str(asked["id"]), "--hypothesis", why, "--json")


@pytest.mark.slow
def test_end_to_end_with_defaults(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
                                  ) -> None:
    root = make_repo(PROJECT)
    assert main(["init", "--objective", "python3 score.py", "--editable", "calc.py",
                 "-C", str(root)]) == 0
    capsys.readouterr()
    source = PROJECT["calc.py"]
    gain = _try(capsys, root, source.replace("1000.0", "1003.0"), "raise VALUE by 0.3%")
    assert gain["status"] == "kept", gain
    short = "".join(source.replace("1000.0", "1003.0").partition("def unused_2")[:1])
    lost = _try(capsys, root, short.replace("1003.0", "1000.994"), "drop two helpers")
    assert lost["status"] == "discarded" and "worse by -0.20%" in lost["reason"], lost
    held = _try(capsys, root, short, "drop two helpers, keep VALUE")
    assert held["status"] == "kept" and held["reason"].startswith("simplification: -"), held
    assert held["reason"].endswith("score held")
