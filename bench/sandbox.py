"""What the jail costs per command: `true` and `python3 -c pass`, plain and under bubblewrap.

Each command runs through hone's own launcher (verify/sandbox.py) and process runner, in a git
worktree, N times; prints the median milliseconds per command and the difference.

    .venv/bin/python bench/sandbox.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hone.config.model import SandboxSection
from hone.verify import sandbox
from hone.verify.process import run_command


def timed(command: str, workdir: Path, settings: SandboxSection, runs: int) -> float:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        with sandbox.launch(command, workdir, settings, dict(os.environ),
                            readonly=("bench.py",)) as how:
            res = run_command(how.argv, workdir, workdir.parent / "logs" / f"r{i}", 60,
                              how.env, 100_000, how.preexec)
        times.append(time.perf_counter() - start)
        assert res.ok, res.tail()
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if sandbox.bwrap_problem():
        sys.exit(f"cannot measure: {sandbox.bwrap_problem()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        (root / "bench.py").write_text("print('score: 1')\n")
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        print(f"runs per figure: {args.runs} (median)")
        for command in ("true", f"{sys.executable} -c pass"):
            plain = timed(command, root, SandboxSection(enabled=False), args.runs)
            jailed = timed(command, root, SandboxSection(enabled=True), args.runs)
            print(f"{command.split()[0].rsplit('/', 1)[-1]:>8}: plain {plain:7.1f} ms  "
                  f"jailed {jailed:7.1f} ms  overhead {jailed - plain:+7.1f} ms")


if __name__ == "__main__":
    main()
