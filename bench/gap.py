"""Where hone's time between two measurements goes: the overhead bench's run, in this process.

Runs `bench/overhead.py`'s llm mode (a calibrated ~40 ms objective, the jail on, an instant
scripted LLM on the loopback server in another process) with `hone run` called in-process, and
marks every objective run (`verify/process.py`'s `attend`). Between the end of one run and the
start of the next (the gap, hone's own work) and during each run (the window) it reads the wall
time, the CPU time of the loop's thread and the CPU time of each of hone's threads (Linux
`/proc/self/task/*/schedstat`). Prints the medians over the steady attempts (the first 8 and
the last 2 left out), per thread the mean. With `--lessons 0` the llm mutator reflects on
nothing, to tell the reflections' part.

    .venv/bin/python bench/gap.py [--attempts N] [--lessons N]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import overhead

SERVER = ("import sys, time; sys.path.insert(0, {bench!r}); import overhead; "
          "from hone.loopback import LLMServer\n"
          "with LLMServer(default=overhead.answer) as s:\n"
          "    print(s.url, flush=True); time.sleep(1e6)")
SKIP_FIRST, SKIP_LAST = 8, 2


def threads_cpu() -> dict[str, int]:
    """CPU nanoseconds so far of each of this process's threads, by thread name."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[str, int] = collections.Counter()
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as fh:
                out[names.get(int(tid), "other")] += int(fh.read().split()[0])
        except OSError:
            continue
    return out


Mark = tuple[float, float, dict[str, int]]  # wall, the loop thread's CPU, CPU by thread


def mark() -> Mark:
    return time.perf_counter(), time.thread_time(), threads_cpu()


def run(attempts: int, lessons: int) -> list[tuple[Mark, Mark]]:
    """(start, end) marks of every objective run of one in-process `hone run`."""
    root = Path(tempfile.mkdtemp(prefix="hone-gap-")) / "repo"
    root.mkdir()
    overhead.calibrate(root)
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(bench=str(Path(__file__)
                                                                              .parent))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        config = overhead.CONFIG_LLM.format(python=sys.executable, url=url, jail="true",
                                            prestart="true")
        (root / "hone.toml").write_text(config.replace("max_retries = 0", "max_retries = 0\n"
                                                       f"lessons = {lessons}"))
        overhead.commit_all(root)
        os.environ["OPENAI_API_KEY"] = "loopback"
        from hone.cli import main
        from hone.verify import process

        marks: list[tuple[Mark, Mark]] = []
        attend = process.attend

        def marked(*args: Any, **kwargs: Any) -> Any:
            start = mark()
            try:
                return attend(*args, **kwargs)
            finally:
                marks.append((start, mark()))

        process.attend = marked
        try:
            main(["run", "--mutator", "llm", "--model", "loopback", "--attempts", str(attempts),
                  "-C", str(root)])
        finally:
            process.attend = attend
        return marks
    finally:
        server.kill()


def report(marks: list[tuple[Mark, Mark]]) -> None:
    steady = range(SKIP_FIRST, len(marks) - SKIP_LAST)
    gaps = [(marks[i - 1][1], marks[i][0]) for i in steady]
    windows = [marks[i] for i in steady]
    for name, spans in (("gap", gaps), ("window", windows)):
        wall = statistics.median((b[0] - a[0]) * 1e3 for a, b in spans)
        loop = statistics.median((b[1] - a[1]) * 1e3 for a, b in spans)
        per: dict[str, float] = collections.Counter()
        for a, b in spans:
            for thread, ns in b[2].items():
                per[thread] += (ns - a[2].get(thread, 0)) / 1e6 / len(spans)
        threads = ", ".join(f"{t} {ms:.2f}" for t, ms in sorted(per.items(), key=lambda x: -x[1])
                            if ms >= 0.05)
        print(f"{name}: wall {wall:.1f} ms, loop thread CPU {loop:.1f} ms (medians of "
              f"{len(spans)}); CPU by thread (mean ms): {threads}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=60)
    parser.add_argument("--lessons", type=int, default=12,
                        help="the llm mutator's playbook size (0: no reflection)")
    args = parser.parse_args()
    if args.attempts < SKIP_FIRST + SKIP_LAST + 5:
        parser.error(f"--attempts must be at least {SKIP_FIRST + SKIP_LAST + 5}")
    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            marks = run(args.attempts, args.lessons)
        finally:
            sys.stdout = stdout
    report(marks)


if __name__ == "__main__":
    main()
