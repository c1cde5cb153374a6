"""Stagnation counts from the last score gain; near-misses are close, not tied."""

from __future__ import annotations

from hone.records import Attempt, DecisionRecord, Status
from hone.strategies.pool import near_misses
from hone.strategies.stagnation import stuck_for


def _kept(k: int, score: float, kept_as: str | None = None) -> Attempt:
    evidence = {"kept_as": kept_as} if kept_as else {}
    return Attempt("r", k, k - 1, f"c{k}", Status.KEPT, score=score,
                   decision=DecisionRecord("r", evidence=evidence))


def _discarded(k: int, score: float) -> Attempt:
    return Attempt("r", k, 1, f"c{k}", Status.DISCARDED, score=score)


def test_a_simplification_keep_does_not_reset_stagnation() -> None:
    h = [Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0), _kept(1, 20.0),
         *(_discarded(k, 3.0) for k in range(2, 6)), _kept(6, 20.0, "simplification"),
         _discarded(7, 3.0), _kept(8, 20.0, "tie-break")]
    assert stuck_for(h, h[-1]) == 7  # #2..#8: two keeps, but no score gain since #1
    h.append(_kept(9, 21.0, "gain"))
    h.append(_discarded(10, 3.0))
    assert stuck_for(h, h[9]) == 1


def test_an_exact_tie_is_not_a_near_miss() -> None:
    champion = _kept(1, 20.0)
    h = [Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0), champion,
         _discarded(2, 20.0), _discarded(3, 19.9), _discarded(4, 12.0)]
    assert [a.id for a in near_misses(h, champion, 0.05)] == [3]


def test_a_near_miss_is_measured_close_not_a_lucky_draw() -> None:
    champion = _kept(1, 20.0)

    def measured(k: int, interval: list[float | None]) -> Attempt:
        return Attempt("r", k, 1, f"c{k}", Status.DISCARDED, score=19.9,
                       decision=DecisionRecord("r", evidence={"interval": interval}))

    h = [Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0), champion,
         measured(2, [None, 0.02]),  # two runs, stopped early: the interval is open below
         measured(3, [-0.03, 0.01]),  # within 5% below, by its runs
         measured(4, [-0.20, 0.01]),  # its median is close, its runs are not
         _discarded(5, 19.9)]  # no interval recorded: judged on its score
    assert [a.id for a in near_misses(h, champion, 0.05)] == [3, 5]
