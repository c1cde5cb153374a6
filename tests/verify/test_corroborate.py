"""Corroboration of a claimed speed-up by the process's own time (verify/corroborate.py), and
the CPU time hone reads for it (verify/process.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hone.loop.safeguards import suspicions
from hone.records import Measurement, VettingRecord
from hone.verify.corroborate import corroborate, guess_measures
from hone.verify.process import run_command


def runs(score: float, cpu: float, *more_cpu: float) -> list[Measurement]:
    return [Measurement(1, seed, score, {"t": score}, seconds=c * 1.1, cpu_seconds=c)
            for seed, c in enumerate((cpu, *more_cpu), 1)]


def test_a_small_timed_region_made_10x_faster_is_not_flagged() -> None:
    # 1 s of data loading, then a timed 10 ms kernel made 10x faster: the process's time
    # hardly moves, and that is what the claim predicts.
    checked = corroborate("time", 0.010, runs(0.010, 1.010), 0.001, runs(0.001, 1.002))
    assert checked is not None and checked.claimed > 9 and checked.finding == ""


def test_work_moved_before_the_timer_is_flagged() -> None:
    # The timed kernel "vanished" while the process spent 0.25 s more: answers precomputed.
    checked = corroborate("time", 0.003, runs(0.003, 0.20), 0.00001, runs(0.00001, 0.45))
    assert checked is not None
    assert "claimed -100% time" in checked.finding and "2.25x the parent's" in checked.finding


def test_a_rate_claim_whose_process_got_faster_or_stayed_is_not_flagged() -> None:
    assert corroborate("rate", 100.0, runs(100.0, 2.0), 1000.0, runs(1000.0, 0.3)) \
        .finding == ""  # type: ignore[union-attr]
    assert corroborate("rate", 100.0, runs(100.0, 2.0), 1000.0, runs(1000.0, 2.0)) \
        .finding == ""  # type: ignore[union-attr]


def test_a_rise_within_the_margin_is_noise() -> None:
    # Half the reference's CPU time (50 ms at least) is noise.
    for cpu in (0.14, 0.29):
        checked = corroborate("rate", 1.0, runs(1.0, 0.2), 2.0, runs(2.0, cpu))
        assert checked is not None and checked.finding == ""
    checked = corroborate("rate", 1.0, runs(1.0, 0.2), 2.0, runs(2.0, 0.31))
    assert checked is not None and "+100% rate" in checked.finding


def test_the_margin_grows_with_the_spread_of_the_reference_runs() -> None:
    steady = corroborate("rate", 1.0, runs(1.0, 1.0, 1.0, 1.0), 2.0, runs(2.0, 1.6))
    noisy = corroborate("rate", 1.0, runs(1.0, 0.7, 1.0, 1.3), 2.0, runs(2.0, 1.6))
    assert steady is not None and steady.finding
    assert noisy is not None and noisy.finding == ""


def test_nothing_to_check_without_a_speed_claim_or_process_times() -> None:
    assert corroborate("other", 1.0, runs(1.0, 0.1), 9.0, runs(9.0, 5.0)) is None
    assert corroborate("rate", 2.0, runs(2.0, 0.1), 1.0, runs(1.0, 5.0)) is None  # slower
    assert corroborate("time", 1.0, runs(1.0, 0.1), 2.0, runs(2.0, 5.0)) is None  # slower
    old = [Measurement(1, 1, 1.0, {}, seconds=0.1)]  # a journal from before CPU times
    assert corroborate("rate", 1.0, old, 9.0, runs(9.0, 5.0)) is None


def test_an_uncorroborated_claim_is_a_suspicion_that_holds() -> None:
    checked = corroborate("time", 0.003, runs(0.003, 0.20), 0.00001, runs(0.00001, 0.45))
    assert checked is not None
    record = VettingRecord(corroboration=checked.to_json())
    assert record.uncorroborated == checked.finding
    assert [w for w in suspicions(record, False) if w.startswith("uncorroborated: claimed")]
    assert suspicions(VettingRecord(), False) == []


def test_init_guesses_what_the_score_measures() -> None:
    assert guess_measures(["ops_per_sec"], "max") == "rate"
    assert guess_measures(["fmax_mhz", "iter_per_cycle"], "max") == "rate"
    assert guess_measures(["wall_ms"], "min") == "time"
    assert guess_measures(["sum_radii"], "max") == "other"
    assert guess_measures(["val_bpb"], "min") == "other"
    assert guess_measures(["wall_ms"], "max") == "other"  # a time maximised is no speed


def test_hone_times_the_cpu_of_a_command_and_the_children_it_waited_for(tmp_path: Path) -> None:
    busy = f"{sys.executable} -c 'sum(range(3_000_000))'"
    idle = run_command(["sleep", "0.2"], tmp_path, tmp_path / "idle", 30)
    child = run_command(["sh", "-c", busy], tmp_path, tmp_path / "busy", 30)
    assert idle.ok and child.ok
    assert child.cpu_seconds > 0.02 > idle.cpu_seconds


def test_a_suspicion_is_settled_by_fresh_interleaved_runs() -> None:
    # The first look suspects a rise of 40%; fresh runs under the same load show none.
    pairs = iter([(0.30, 0.31), (0.31, 0.30), (0.29, 0.30)])
    asked: list[int] = []

    def rerun(i: int) -> tuple[Measurement | None, Measurement | None]:
        asked.append(i)
        ref, cand = next(pairs)
        return runs(1.0, ref)[0], runs(2.0, cand)[0]

    cleared = corroborate("rate", 1.0, runs(1.0, 0.20), 2.0, runs(2.0, 0.28), rerun)
    assert cleared is not None and cleared.finding == "" and cleared.interleaved == 3
    assert asked == [0, 1, 2]
    # ... and they confirm a real one, saying so.
    confirmed = corroborate("rate", 1.0, runs(1.0, 0.20), 2.0, runs(2.0, 0.28),
                            lambda i: (runs(1.0, 0.2)[0], runs(2.0, 0.4)[0]))
    assert confirmed is not None and "over 3 interleaved runs" in confirmed.finding
    # No suspicion, no fresh runs.
    assert corroborate("rate", 1.0, runs(1.0, 0.2), 2.0, runs(2.0, 0.2), rerun).finding == "" \
        and asked == [0, 1, 2]  # type: ignore[union-attr]


def test_probe_names_a_time_or_rate_score_left_unchecked() -> None:
    from hone.config.load import parse_config
    from hone.probe.result import ProbeReport
    from hone.probe.runner import measures_off
    from hone.probe.table import render

    def config(**objective: str) -> Any:
        return parse_config({"objective": {"run": "python3 bench.py", **objective}})

    assert measures_off(config(score="ops_per_sec")) == "rate"
    assert measures_off(config(score="ops_per_sec", measures="rate")) == ""
    assert measures_off(config(score="sum_radii")) == ""
    lines = " ".join(render(ProbeReport([], (), 1.0, 1, 0.1, "rate"), 100))
    assert 'set measures = "rate"' in lines
    assert "measures" not in " ".join(render(ProbeReport([], (), 1.0, 1, 0.1), 100))
