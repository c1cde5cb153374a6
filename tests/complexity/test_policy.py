"""The review after the decider: complexity price, simplification, tie-breakers."""

from __future__ import annotations

from typing import Any

from hone.complexity.measure import Complexity
from hone.complexity.policy import review, smaller, tie_break
from hone.config.load import parse_config
from hone.config.model import Config
from hone.decide.base import Decision
from hone.records import Measurement


def config(**acceptance: Any) -> Config:
    objective = acceptance.pop("objective", {})
    return parse_config({"objective": {"run": "x", **objective}, "acceptance": acceptance})


def runs(*scores: float, **metrics: float) -> list[Measurement]:
    return [Measurement(1, i, s, {"score": s, **metrics}) for i, s in enumerate(scores)]


def cx(nloc: int, ccn: int = 0) -> Complexity:
    return Complexity(nloc, ccn, 0, 1)


KEEP = Decision(True, 110.0, 100.0, "better")
DROP = Decision(False, 100.0, 100.0, "not better")


def test_no_weight_keeps_what_the_decider_keeps() -> None:
    r = review(KEEP, runs(110), runs(100), cx(500), cx(100), config())
    assert (r.keep, r.rule, r.kind) == (True, "better", "gain")


def test_weight_prices_added_lines() -> None:
    c = config(complexity_weight=0.01)  # each added line costs 1%
    r = review(KEEP, runs(110), runs(100), cx(115), cx(100), c)  # +10% for +15 lines
    assert not r.keep and r.rule == ("gain +10.00% does not pay for +15 lines of code "
                                     "(complexity_weight asks 15.00%)")
    assert review(KEEP, runs(110), runs(100), cx(105), cx(100), c).keep  # +10% for +5
    assert review(KEEP, runs(110), runs(100), cx(90), cx(100), c).keep  # removing is free
    minimise = config(complexity_weight=0.01, objective={"direction": "min"})
    faster = Decision(True, 80.0, 100.0, "better")  # -20% time for +15 lines pays
    assert review(faster, runs(80), runs(100), cx(115), cx(100), minimise).keep


def test_simplification_within_noise_is_kept() -> None:
    r = review(DROP, runs(100, 101, 99), runs(100, 100.5, 99.5), cx(80, 10), cx(100, 12),
               config())
    assert r.keep and r.kind == "simplification"
    assert r.rule == "simplification: -20 lines of code, -2 complexity, score held within noise"
    # Same lines, less branching, counts as simpler.
    assert review(DROP, runs(100), runs(100), cx(100, 9), cx(100, 12), config()).keep


def test_no_simplification_when_worse_or_not_smaller_or_off() -> None:
    worse = review(DROP, runs(80, 81, 79), runs(100, 101, 99), cx(50), cx(100), config())
    assert not worse.keep and worse.rule == "not better"
    same = review(DROP, runs(100), runs(100), cx(100), cx(100), config())
    assert not same.keep
    off = review(DROP, runs(100), runs(100), cx(50), cx(100), config(simplify=False))
    assert not off.keep
    unknown = review(DROP, runs(100), runs(100), None, cx(100), config())
    assert not unknown.keep


def test_simplify_only_never_keeps_a_mere_gain() -> None:
    gain_more_code = review(KEEP, runs(110), runs(100), cx(120), cx(100), config(),
                            simplify_only=True)
    assert not gain_more_code.keep
    assert gain_more_code.rule == "within noise but not smaller or simpler"
    lost = review(DROP, runs(50), runs(100), cx(10), cx(100), config(), simplify_only=True)
    assert not lost.keep and lost.rule == "simplification lost score beyond noise"
    assert review(DROP, runs(100), runs(100), cx(10), cx(100), config(),
                  simplify_only=True).kind == "simplification"


def test_tie_breakers_in_order() -> None:
    c = config(objective={"tie_breakers": ["min luts", "max fmax"]})
    cand, champ = runs(100, luts=5000, fmax=90), runs(100, luts=6000, fmax=95)
    assert tie_break(c, cand, champ, None, None) == \
        "tie within noise broken by min luts: 5000 vs 6000"
    # The first breaker that differs decides, even against the candidate.
    assert tie_break(c, runs(100, luts=7000, fmax=99), champ, None, None) is None
    assert tie_break(c, runs(100, luts=6000, fmax=99), champ, None, None) == \
        "tie within noise broken by max fmax: 99 vs 95"
    r = review(DROP, cand, champ, cx(100), cx(100), c)
    assert r.keep and r.kind == "tie-break"
    # hone's own code measures can break ties too.
    by_code = config(objective={"tie_breakers": ["min ccn"]})
    assert tie_break(by_code, runs(1), runs(1), cx(9, 2), cx(9, 5)) == \
        "tie within noise broken by min ccn: 2 vs 5"


def test_smaller() -> None:
    assert smaller(cx(9, 9), cx(10, 1)) and smaller(cx(10, 1), cx(10, 2))
    assert not smaller(cx(10, 2), cx(10, 2)) and not smaller(cx(11, 0), cx(10, 5))
