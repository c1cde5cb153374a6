"""Benchmark gate: run bench/bench.c on the core, require the expected checksum,
and report `cycles` and `iter_per_cycle`. A cycle ceiling stops a hung core."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BUILD, ROOT, SIM, simulate

# About 4x what the baseline core needs; a core this slow is no improvement.
MAX_CYCLES = 40_000_000


def bench_constants() -> tuple[int, int]:
    """ITERATIONS and EXPECTED, read from the benchmark source so they cannot drift."""
    src = (ROOT / "bench" / "bench.c").read_text()
    iters = re.search(r"#define ITERATIONS (\d+)", src)
    expected = re.search(r"#define EXPECTED (0x[0-9a-fA-F]+)u", src)
    assert iters and expected, "bench.c lost its ITERATIONS/EXPECTED defines"
    return int(iters.group(1)), int(expected.group(1), 16)


def run_bench(sim: Path = SIM, hexfile: Path = BUILD / "bench.hex") -> tuple[int, float]:
    """Returns (cycles, iterations per cycle); exits non-zero if the run is wrong."""
    iters, expected = bench_constants()
    res = simulate(hexfile, MAX_CYCLES, sim=sim)
    if res.timed_out:
        print(f"bench: FAIL: no result within {MAX_CYCLES} cycles (hung or too slow)")
        sys.exit(1)
    if res.outs != [iters, expected] or res.exit_code != 0:
        got = ", ".join(f"0x{w:08x}" for w in res.outs)
        print(f"bench: FAIL: expected OUT words 0x{iters:08x}, 0x{expected:08x} and exit 0; "
              f"core gave [{got}] and exit {res.exit_code}")
        sys.exit(1)
    return res.cycles, iters / res.cycles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sim", type=Path, default=SIM)
    args = parser.parse_args()
    cycles, ipc = run_bench(args.sim)
    print("bench: checksum ok")
    print(f"cycles: {cycles}")
    print(f"iter_per_cycle: {ipc:.6e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
