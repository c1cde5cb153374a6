"""The sequential rank rule: false keeps, power, interleaving and the evidence it records."""

from __future__ import annotations

import numpy as np
import pytest

from hone.decide.base import Arm
from hone.decide.sequential import SequentialDecider
from hone.direction import Direction
from hone.records import Measurement


def _m(score: float) -> Measurement:
    return Measurement(0, 1, score)


def _decide(decider: SequentialDecider, rng: np.random.Generator, effect: float, cv: float,
            pool: int = 20, direction: Direction = Direction.MAX,
            arms: list[Arm] | None = None) -> tuple[bool, dict[str, object]]:
    sign = direction.sign

    def draw(true: float) -> float:
        return float(true * (1 + cv * rng.normal()))

    champ_true, cand_true = 100.0, 100.0 * (1 + sign * effect)
    champion = [_m(draw(champ_true)) for _ in range(pool)]
    candidate = [_m(draw(cand_true))]

    def remeasure(arm: Arm) -> Measurement:
        if arms is not None:
            arms.append(arm)
        return _m(draw(cand_true if arm == "candidate" else champ_true))

    d = decider.decide(candidate, champion, direction, remeasure)
    return d.keep, d.evidence


@pytest.mark.parametrize("direction", list(Direction))
def test_noise_is_rarely_kept_and_a_clear_gain_is(direction: Direction) -> None:
    decider = SequentialDecider(min_effect=0.01, confidence=0.95)
    rng = np.random.default_rng(7)
    null = [_decide(decider, rng, 0.0, 0.05, direction=direction)[0] for _ in range(300)]
    # 5% expected; 10% is more than three standard errors above it.
    assert sum(null) / len(null) <= 0.10
    real = [_decide(decider, rng, 0.15, 0.05, direction=direction)[0] for _ in range(100)]
    assert sum(real) >= 95


def test_a_gain_below_min_effect_is_not_kept() -> None:
    decider = SequentialDecider(min_effect=0.05, confidence=0.95)
    rng = np.random.default_rng(3)
    kept = [_decide(decider, rng, 0.02, 0.002)[0] for _ in range(50)]
    assert not any(kept)  # clearly significant, but only +2% where 5% is asked


def test_runs_are_interleaved_and_bounded() -> None:
    decider = SequentialDecider(initial_repeats=2, max_repeats=8)
    rng = np.random.default_rng(11)
    for effect in (0.0, 0.02, 0.05):
        arms: list[Arm] = []
        _, evidence = _decide(decider, rng, effect, 0.05, arms=arms)
        cand, fresh = 1, 0  # the candidate's first run comes from verify
        for arm in arms:
            if arm == "candidate":
                cand += 1
            else:
                fresh += 1
            # One fresh champion run per two candidate runs, never lagging further behind.
            assert fresh <= -(-cand // 2) and cand - 2 * fresh <= 1
        assert cand == evidence["runs"] <= 8
        assert fresh == evidence["champion_runs"] == -(-cand // 2)


def test_evidence_is_recorded() -> None:
    keep, evidence = _decide(SequentialDecider(), np.random.default_rng(1), 0.2, 0.02)
    assert keep
    rule = str(evidence["rule"])
    assert rule.startswith("better: +") and rule.endswith(
        "], significant and at least min_effect 1.00%")
    low, high = evidence["interval"]  # type: ignore[misc]
    assert 0 < low <= evidence["estimate"] <= high  # type: ignore[operator]
    assert 0 <= evidence["p_value"] <= evidence["p_threshold"] < 0.05  # type: ignore[operator]
    assert evidence["runs"] >= 2 and evidence["champion_reference"] > 20  # type: ignore[operator]


def test_one_outlier_run_does_not_win() -> None:
    decider = SequentialDecider()
    champion = [_m(100.0 + i % 5) for i in range(20)]
    # A candidate equal to the champion but for one absurd run (a throttled core, a fluke).
    runs = iter([10_000.0] + [100.0 + i % 5 for i in range(40)])
    champ_runs = iter([100.0 + i % 5 for i in range(40)])
    d = decider.decide([_m(next(runs))], champion, Direction.MAX,
                       lambda arm: _m(next(runs) if arm == "candidate" else next(champ_runs)))
    assert not d.keep


def test_deterministic_objective_is_decided_without_remeasuring() -> None:
    decider = SequentialDecider(min_effect=0.01, deterministic=True)

    def remeasure(arm: Arm) -> Measurement:
        raise AssertionError("a deterministic objective must not be re-measured")

    better = decider.decide([_m(103.0)], [_m(100.0)] * 5, Direction.MAX, remeasure)
    same = decider.decide([_m(100.0)], [_m(100.0)] * 5, Direction.MAX, remeasure)
    tiny = decider.decide([_m(100.5)], [_m(100.0)] * 5, Direction.MAX, remeasure)
    # min_effect is a margin against noise: a deterministic +0.5% is as real as a +3%
    assert better.keep and not same.keep and tiny.keep
    assert better.evidence["runs"] == 1 and better.evidence["deterministic"] is True


def test_failed_remeasurement_of_the_candidate_discards_it() -> None:
    d = SequentialDecider().decide([_m(120.0)], [_m(100.0)] * 10, Direction.MAX,
                                   lambda arm: None if arm == "candidate" else _m(100.0))
    assert not d.keep and d.rule == "candidate failed when re-measured"


def test_without_a_window_drift_of_the_machine_cancels() -> None:
    """The machine got 4% faster since the champion's earlier runs: an unchanged candidate
    looks better than that stale pool, but not than the champion's fresh interleaved runs: the
    drift check (the default) sees the fresh runs leave the pool and uses them alone."""
    rng = np.random.default_rng(4)

    def keeps(window: int, drift_check: bool = True) -> int:
        decider = SequentialDecider(window=window, drift_check=drift_check)
        kept = 0
        for _ in range(100):
            stale = [_m(float(100 * (1 + 0.02 * rng.normal()))) for _ in range(30)]

            def now() -> Measurement:
                return _m(float(104 * (1 + 0.02 * rng.normal())))

            kept += decider.decide([now()], stale, Direction.MAX, lambda arm: now()).keep
        return kept

    assert keeps(0) <= 10  # 5% expected
    assert keeps(30, drift_check=False) >= 50  # the pool's staleness shows
    assert keeps(30) <= 15


def test_worse_only_when_measured_worse() -> None:
    """"worse" means measured worse (significant at the confidence); a futility stop that is
    not says "not better, stopped early"; a gain short of min_effect names both numbers."""
    rng = np.random.default_rng(5)
    rules: dict[str, list[float]] = {}
    for effect, cv in [(-0.3, 0.05)] * 10 + [(-0.01, 0.05)] * 30 + [(0.005, 0.001)] * 10:
        _, evidence = _decide(SequentialDecider(), rng, effect, cv)
        rule = str(evidence["rule"])
        kind = "short" if "< min_effect 1.00%" in rule else rule.split(":")[0].split(",")[0]
        rules.setdefault(kind, []).append(float(evidence["z"]))  # type: ignore[arg-type]
    assert {"worse", "not better", "short"} <= set(rules), rules.keys()
    assert all(z < -1.96 for z in rules["worse"]) and len(rules["worse"]) >= 10
    assert all(z >= -1.96 for z in rules["not better"])
