"""How often each acceptance rule keeps noise, and how often it keeps a real +5% change.

Simulates a champion with a known true score and candidates whose true score is the same (null)
or 5% better. Each run's score is true * (1 + cv * N(0, 1)), optionally times a drift of the
machine: `--drift D`, linear (each run scores D more, relative, than the one before: the
machine warms up or frees up, a time objective shrinks), and `--step S`, a level shift
between the champion's earlier runs and the decision (issue 17's busy machine: the pool was
measured on a quieter, or busier, machine than the candidate). hone's rule is the real
SequentialDecider with the defaults of `[acceptance]`, fed by a simulated remeasure, against
a champion with a pool of earlier runs: 30 (the steady state: every decision adds its fresh
champion runs, about 2.5 for a discarded candidate, to the pool, and the rule uses the 30 most
recent) or 5 (the baseline fresh from its noise floor), with its drift check (`[acceptance]
drift_check`, the default) and without it, and with `window = 0` (fresh interleaved runs
only). The naive rules compare one run, or a
3-seed median, with the champion's recorded score (one run, or its 3-seed median) using `>`.

Runs per decision count the objective runs that the decision costs: the candidate's runs, and
for hone (in brackets) all runs, the fresh champion runs interleaved with them included.

    .venv/bin/python bench/noise.py [--trials N] [--drift D] [--step S] [--seed S] [--cv 0.05]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hone.config.model import AcceptanceSection
from hone.decide.base import Arm
from hone.decide.sequential import SequentialDecider
from hone.direction import Direction
from hone.records import Measurement

TRUE_CHAMPION = 100.0


@dataclass(frozen=True)
class Outcome:
    keep: bool
    cand_runs: int
    total_runs: int


class Machine:
    """Draws noisy runs; `drift` is the relative change of the machine's speed per run, `step`
    the level shift once the champion's earlier runs are measured (`shift()`)."""

    def __init__(self, rng: np.random.Generator, cv: float, drift: float,
                 step: float = 0.0) -> None:
        self.rng, self.cv, self.drift, self.step = rng, cv, drift, step
        self.clock, self.level = 0, 1.0

    def reset(self) -> None:
        self.clock, self.level = 0, 1.0

    def shift(self) -> None:
        """The machine changes between the champion's earlier runs and the decision."""
        self.level = 1 + self.step

    def run(self, true: float) -> float:
        self.clock += 1
        return float(true * self.level * (1 + self.drift * self.clock)
                     * (1 + self.cv * self.rng.normal()))


def _m(score: float) -> Measurement:
    return Measurement(0, 0, score)


def hone_rule(decider: SequentialDecider, pool: int) -> Callable[[Machine, float], Outcome]:
    def decide(machine: Machine, true_cand: float) -> Outcome:
        champion = [_m(machine.run(TRUE_CHAMPION)) for _ in range(pool)]
        machine.shift()
        candidate = [_m(machine.run(true_cand))]
        counts = {"candidate": 1, "champion": 0}

        def remeasure(arm: Arm) -> Measurement:
            counts[arm] += 1
            return _m(machine.run(true_cand if arm == "candidate" else TRUE_CHAMPION))

        d = decider.decide(candidate, champion, Direction.MAX, remeasure)
        return Outcome(d.keep, counts["candidate"], counts["candidate"] + counts["champion"])
    return decide


def single_run(machine: Machine, true_cand: float) -> Outcome:
    champion = machine.run(TRUE_CHAMPION)
    machine.shift()
    return Outcome(machine.run(true_cand) > champion, 1, 1)


def median_of_3(machine: Machine, true_cand: float) -> Outcome:
    champion = statistics.median(machine.run(TRUE_CHAMPION) for _ in range(3))
    machine.shift()
    return Outcome(statistics.median(machine.run(true_cand) for _ in range(3)) > champion, 3, 3)


def simulate(rule: Callable[[Machine, float], Outcome], cv: float, effect: float, trials: int,
             drift: tuple[float, float], seed: int) -> list[Outcome]:
    machine = Machine(np.random.default_rng(seed), cv, *drift)
    out = []
    for _ in range(trials):
        machine.reset()
        out.append(rule(machine, TRUE_CHAMPION * (1 + effect)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--drift", type=float, default=0.0,
                        help="relative change of every run's score per run (linear drift)")
    parser.add_argument("--step", type=float, default=0.0,
                        help="relative shift of the machine after the champion's pool")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cv", type=float, action="append",
                        help="noise levels (default 0.02, 0.05, 0.10)")
    parser.add_argument("--naive", action="store_true", help="also the naive `>` rules")
    args = parser.parse_args()
    acc = AcceptanceSection()

    def hone(window: int, drift_check: bool) -> SequentialDecider:
        return SequentialDecider(acc.min_effect, acc.confidence, acc.initial_repeats,
                                 acc.max_repeats, window=window, drift_check=drift_check)

    rules: list[tuple[str, Callable[[Machine, float], Outcome]]] = [
        ("hone, pool 30, drift check off", hone_rule(hone(acc.window, False), 30)),
        ("hone, pool 30, drift check on", hone_rule(hone(acc.window, True), 30)),
        ("hone, pool 5, drift check off", hone_rule(hone(acc.window, False), acc.noise_runs)),
        ("hone, pool 5, drift check on", hone_rule(hone(acc.window, True), acc.noise_runs)),
        ("hone, window 0 (fresh runs only)", hone_rule(hone(0, False), 30)),
    ]
    if args.naive:
        rules += [("single run >", single_run), ("3-seed median >", median_of_3)]
    started = time.time()
    print(f"{args.trials} decisions per cell; [acceptance] min_effect {acc.min_effect:g}, "
          f"confidence {acc.confidence:g}, initial_repeats {acc.initial_repeats}, "
          f"max_repeats {acc.max_repeats}; drift {args.drift:g}/run, step {args.step:g}; "
          f"seed {args.seed}\n")
    print("| noise | rule | false keeps (null) | kept (+5%) | runs, null | runs, +5% "
          "| runs, mean |")
    print("|---|---|---|---|---|---|---|")
    for cv in args.cv or (0.02, 0.05, 0.10):
        for name, rule in rules:
            null, real = (simulate(rule, cv, effect, args.trials, (args.drift, args.step),
                                   args.seed * 1000 + int(cv * 100) * 10 + i)
                          for i, effect in enumerate((0.0, 0.05)))
            print(f"| {cv:.0%} | {name} | {_rate(null)} | {_rate(real)} | {_runs(null)} "
                  f"| {_runs(real)} | {_runs(null + real)} |", flush=True)
    print(f"\n({time.time() - started:.0f} s)")


def _rate(outcomes: list[Outcome]) -> str:
    return f"{sum(o.keep for o in outcomes) / len(outcomes):.1%}"


def _runs(outcomes: list[Outcome]) -> str:
    cand = statistics.fmean(o.cand_runs for o in outcomes)
    total = statistics.fmean(o.total_runs for o in outcomes)
    return f"{cand:.1f}" if cand == total else f"{cand:.1f} ({total:.1f})"


if __name__ == "__main__":
    main()
