"""The objective: benchmark iterations per cycle (simulation) times Fmax (place-and-route).

    objective.py [--seed N]...     (default: seeds 1, 2, 3)

Prints `fmax_mhz` (the median over the seeds), `iter_per_cycle`, `luts` and
`score = fmax_mhz * iter_per_cycle` (benchmark iterations per microsecond) as `name: value`
lines. A seed that fails to place or route counts as 0 MHz; when two of the three seeds of its
group (1-3, 4-6, ...) fail, the design does not fit and the objective fails (exit 1). So hone,
which runs one seed per call, and `make verify`, which runs all three, apply the same rule.
Protected.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import run_bench
from timing import Placed, pnr


def seed_group(seed: int) -> list[int]:
    first = 3 * ((seed - 1) // 3) + 1
    return [first, first + 1, first + 2]


def place_all(seeds: list[int]) -> tuple[dict[int, Placed], str]:
    """Results for `seeds` (and for the rest of the group of any seed that failed), and the
    reason the design fails the objective, or ''."""
    results = {seed: pnr(seed) for seed in seeds}
    for seed in [s for s in seeds if not results[s].ok]:
        print(f"seed {seed}: place-and-route failed: {results[seed].reason}", flush=True)
        group = seed_group(seed)
        for other in group:
            if other not in results:
                results[other] = pnr(other)
        failed = [s for s in group if not results[s].ok]
        if len(failed) >= 2:
            return results, (f"place-and-route failed on seeds {', '.join(map(str, failed))} "
                             f"of {group[0]}-{group[-1]}")
    return results, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, action="append", help="nextpnr seed (repeatable)")
    args = parser.parse_args()
    seeds: list[int] = args.seed or [1, 2, 3]
    if any(s < 1 for s in seeds):
        print("error: seeds start at 1", file=sys.stderr)
        return 2
    cycles, ipc = run_bench()  # exits non-zero on a wrong checksum or a hung core
    results, failure = place_all(seeds)
    for seed in seeds:
        r = results[seed]
        if r.ok:
            print(f"seed {seed}: {r.fmax_mhz:.2f} MHz, {r.luts} LUTs", flush=True)
    if failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    fmax = statistics.median(results[s].fmax_mhz for s in seeds)  # failed seeds count as 0
    luts = statistics.median(results[s].luts for s in seeds if results[s].ok)
    print(f"cycles: {cycles}")
    print(f"fmax_mhz: {fmax:.2f}")
    print(f"iter_per_cycle: {ipc:.6e}")
    print(f"luts: {luts:g}")
    print(f"score: {fmax * ipc:.6e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
