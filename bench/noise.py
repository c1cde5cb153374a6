"""How often each acceptance rule keeps noise, and how often it keeps a real +5% change.

Simulates a champion with a known true score, measured `noise_runs` = 5 times (hone's noise
floor, the smallest pool a champion has), and candidates whose true score is the same (null) or
5% better. Each run's score is true * (1 + cv * N(0, 1)), optionally plus a slow linear drift of
the machine. hone's rule is the real SequentialDecider with the defaults of `[acceptance]`
(min_effect = 1%, confidence = 0.95, 3 initial runs, at most 10), fed by a simulated remeasure;
the naive rules compare one run, or a 3-seed median, with the champion's recorded score using a
strict `>`.

Runs per decision count the objective runs that the decision costs: for the naive rules the
candidate's runs, for hone the candidate's runs and (in brackets) both arms, fresh champion
re-measurements included.

    .venv/bin/python bench/noise.py [--trials N] [--drift D] [--seed S]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hone.decide.base import Arm
from hone.decide.sequential import SequentialDecider
from hone.records import Measurement

TRUE_CHAMPION = 100.0
NOISE_RUNS = 5


@dataclass(frozen=True)
class Outcome:
    keep: bool
    cand_runs: int
    total_runs: int


class Machine:
    """Draws noisy runs; `drift` is the relative change of the machine's speed per run."""

    def __init__(self, rng: np.random.Generator, cv: float, drift: float) -> None:
        self.rng, self.cv, self.drift, self.clock = rng, cv, drift, 0

    def run(self, true: float) -> float:
        self.clock += 1
        return float(true * (1 + self.drift * self.clock) * (1 + self.cv * self.rng.normal()))


def _m(score: float) -> Measurement:
    return Measurement(0, 0, score)


def hone_rule(decider: SequentialDecider) -> Callable[[Machine, float], Outcome]:
    def decide(machine: Machine, true_cand: float) -> Outcome:
        champion = [_m(machine.run(TRUE_CHAMPION)) for _ in range(NOISE_RUNS)]
        candidate = [_m(machine.run(true_cand))]
        counts = {"candidate": 1, "champion": 0}

        def remeasure(arm: Arm) -> Measurement:
            counts[arm] += 1
            return _m(machine.run(true_cand if arm == "candidate" else TRUE_CHAMPION))

        d = decider.decide(candidate, champion, "max", remeasure)
        return Outcome(d.keep, counts["candidate"], counts["candidate"] + counts["champion"])
    return decide


def single_run(machine: Machine, true_cand: float) -> Outcome:
    champion = machine.run(TRUE_CHAMPION)
    return Outcome(machine.run(true_cand) > champion, 1, 1)


def median_of_3(machine: Machine, true_cand: float) -> Outcome:
    champion = statistics.median(machine.run(TRUE_CHAMPION) for _ in range(3))
    return Outcome(statistics.median(machine.run(true_cand) for _ in range(3)) > champion, 3, 3)


def simulate(rule: Callable[[Machine, float], Outcome], cv: float, effect: float, trials: int,
             drift: float, seed: int) -> list[Outcome]:
    machine = Machine(np.random.default_rng(seed), cv, drift)
    out = []
    for _ in range(trials):
        machine.clock = 0
        out.append(rule(machine, TRUE_CHAMPION * (1 + effect)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--drift", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    decider = SequentialDecider(min_effect=0.01, confidence=0.95, initial_repeats=3,
                                max_repeats=10)
    rules: list[tuple[str, Callable[[Machine, float], Outcome]]] = [
        ("hone sequential", hone_rule(decider)),
        ("single run >", single_run),
        ("3-seed median >", median_of_3),
    ]
    started = time.time()
    print(f"{args.trials} decisions per cell, champion measured {NOISE_RUNS}x, "
          f"drift {args.drift:g}/run, seed {args.seed}")
    header = (f"{'noise':>5}  {'rule':<16} {'false keeps (null)':>18} {'kept (+5%)':>11} "
              f"{'runs/decision null':>19} {'runs/decision +5%':>18}")
    print(header)
    print("-" * len(header))
    for cv in (0.02, 0.05, 0.10):
        for name, rule in rules:
            cells = []
            for i, effect in enumerate((0.0, 0.05)):
                cells.append(simulate(rule, cv, effect, args.trials, args.drift,
                                      args.seed * 1000 + int(cv * 100) * 10 + i))
            null, real = cells
            print(f"{cv:>5.0%}  {name:<16} {_rate(null):>18} {_rate(real):>11} "
                  f"{_runs(null):>19} {_runs(real):>18}")
        print()
    print(f"({time.time() - started:.0f} s)")


def _rate(outcomes: list[Outcome]) -> str:
    return f"{sum(o.keep for o in outcomes) / len(outcomes):.1%}"


def _runs(outcomes: list[Outcome]) -> str:
    cand = statistics.fmean(o.cand_runs for o in outcomes)
    total = statistics.fmean(o.total_runs for o in outcomes)
    return f"{cand:.1f}" if cand == total else f"{cand:.1f} ({total:.1f})"


if __name__ == "__main__":
    main()
