"""Cost of reading an attempt row of the journal into the typed records (JSON decode plus the
sub-records), for a row with every sub-record set and for a sparse one (a failed attempt).

Run: .venv/bin/python bench/records.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from hone.store.sqlite import _decode

FULL: dict[str, Any] = {
    "complexity": {"nloc": 120, "ccn": 14, "functions": 3}, "diff_key": "k" * 32,
    "tree": "t" * 40, "lines_added": 3, "lines_removed": 1, "files_touched": 1,
    "tokens_in": 100, "tokens_out": 20, "usd": 0.001, "model": "m", "llm_calls": 1,
    "decision": {"rule": "better", "champion_score": 1.0, "runs": 3},
    "eval": {"slot": "0", "host": "", "start": 1.0, "end": 2.0}, "island": 1, "gain": 0.1,
}
SPARSE: dict[str, Any] = {"tree": "t" * 40, "eval": {"slot": "0", "host": "", "start": 1.0,
                                                    "end": 2.0}}


def per_row(extra: dict[str, Any], n: int) -> float:
    """Best of five: microseconds to decode one row."""
    row = ("r", 1, 0, "c" * 40, "kept", 1.0, json.dumps({"score": 1.0}), "h", "llm", "", "",
           "", 1.0, 2.0, None, json.dumps(extra))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            _decode(row)
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    for name, extra in (("full", FULL), ("sparse", SPARSE)):
        print(f"{name} row: {per_row(extra, args.rows):.1f} us to decode (best of 5 x "
              f"{args.rows})")


if __name__ == "__main__":
    main()
