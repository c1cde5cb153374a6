"""What the journal costs per call: the SQLite store's writes and reads an attempt makes.

Writes N attempts the way the loop does (open, four replacements, two texts, one measurement)
from 1 and from 4 threads, and reads the history after each; prints microseconds per call.

    .venv/bin/python bench/journal.py [--attempts N]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from hone.records import Attempt, CodeStats, Lineage, Measurement, Status
from hone.store import RunInfo, SQLiteStore


def one_attempt(store: SQLiteStore, code: CodeStats, lineage: Lineage) -> dict[str, float]:
    took: dict[str, float] = {}

    def timed(name: str, call: object, *args: object) -> None:
        start = time.perf_counter()
        call(*args)  # type: ignore[operator]
        took[name] = took.get(name, 0.0) + time.perf_counter() - start

    a = Attempt("r", store.free_attempt_id("r"), 0, None, Status.RUNNING, started=time.time(),
                code=code, lineage=lineage)
    start = time.perf_counter()
    while not store.add_attempt(a):  # another thread took that id first
        a = replace(a, id=store.free_attempt_id("r"))
    took["add_attempt"] = time.perf_counter() - start
    aid = a.id
    for i in range(3):
        timed("put_attempt", store.put_attempt, replace(a, commit=f"{i:040d}"))
    timed("put_text", store.put_text, "r", aid, "prompt", "p" * 4000)
    timed("put_text", store.put_text, "r", aid, "response", "r" * 1000)
    timed("add_measurement", store.add_measurement, "r",
          Measurement(aid, 1, 1.0, {"score": 1.0}, 0.04))
    timed("list_attempts", store.list_attempts, "r")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200)
    args = parser.parse_args()
    code = CodeStats(3, 1, 1, {"loc": 120, "cc": 14})
    lineage = Lineage("k" * 32, "t" * 40)
    counts = {"add_attempt": 1, "put_attempt": 3, "put_text": 2, "add_measurement": 1,
              "list_attempts": 1}
    for threads in (1, 4):
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "hone.db")
            store.create_run(RunInfo("r", "0" * 40, 0, time.time()))
            totals: dict[str, float] = {}
            lock = threading.Lock()

            def work(n: int, store: SQLiteStore = store, totals: dict[str, float] = totals,
                     lock: threading.Lock = lock) -> None:
                for _ in range(n):
                    took = one_attempt(store, code, lineage)
                    with lock:
                        for k, v in took.items():
                            totals[k] = totals.get(k, 0.0) + v

            start = time.perf_counter()
            pool = [threading.Thread(target=work, args=(args.attempts // threads,))
                    for _ in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            wall = time.perf_counter() - start
            store.close()
        made = args.attempts // threads * threads
        print(f"{threads} thread(s), {made} attempts, wall {wall / made * 1e3:.2f} ms/attempt: "
              + ", ".join(f"{k} {v / (made * counts[k]) * 1e6:.0f} us"
                          for k, v in totals.items()))


if __name__ == "__main__":
    main()
