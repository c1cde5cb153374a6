"""What the jail costs per command: bare, under a minimal bwrap, and in hone's jail.

Each command (`true`, `python3 -c pass`) runs N times through hone's process runner in a git
worktree, three ways, interleaved so that load on the machine hits all three alike:
  bare    the command exec'd directly (no jail, no shell)
  bwrap   a minimal bubblewrap jail: `bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp
          --unshare-all --die-with-parent -- CMD`
  hone    `sandbox.launch` with `[sandbox] enabled = true` and the default limits (every mask,
          the cgroup, the limits hand-shake and a private /tmp)
Prints per command the median wall milliseconds, the lower quartile of wall (less disturbed by
other load on the machine), and the median CPU milliseconds (hone's own process plus the
command's whole process tree), then the differences; and the load average, which the figures
depend on.

    .venv/bin/python bench/sandbox.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hone.config.model import SandboxSection
from hone.verify import sandbox
from hone.verify.process import run_command

MINIMAL = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
           "--unshare-all", "--die-with-parent", "--"]


def bare(command: str, workdir: Path, i: int) -> None:
    res = run_command(sandbox.command_argv(command), workdir, workdir.parent / "logs" / f"b{i}",
                      60, dict(os.environ), 100_000)
    assert res.ok, res.tail()


def bwrap(command: str, workdir: Path, i: int) -> None:
    res = run_command(MINIMAL + sandbox.command_argv(command), workdir,
                      workdir.parent / "logs" / f"w{i}", 60, dict(os.environ), 100_000)
    assert res.ok, res.tail()


def hone(command: str, workdir: Path, i: int) -> None:
    with sandbox.launch(command, workdir, SandboxSection(enabled=True), dict(os.environ),
                        readonly=("bench.py",)) as how:
        res = run_command(how.argv, workdir, workdir.parent / "logs" / f"h{i}", 60, how.env,
                          100_000, how.preexec)
    assert res.ok, res.tail()


def _cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def measure(command: str, workdir: Path, runs: int) -> dict[str, dict[str, float]]:
    """{way: {"median": ms, "q1": ms, "cpu": ms}} over `runs` interleaved rounds."""
    ways: dict[str, Callable[[str, Path, int], None]] = {"bare": bare, "bwrap": bwrap,
                                                         "hone": hone}
    wall: dict[str, list[float]] = {name: [] for name in ways}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    for i in range(runs + 2):
        for name, way in ways.items():
            start, start_cpu = time.perf_counter(), _cpu()
            way(command, workdir, i)
            if i >= 2:  # the first rounds warm caches (memoised paths, the cgroup pool)
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(_cpu() - start_cpu)
    return {name: {"median": statistics.median(wall[name]) * 1000,
                   "q1": statistics.quantiles(wall[name], n=4)[0] * 1000,
                   "cpu": statistics.median(cpu[name]) * 1000} for name in ways}


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
        work = root / ".hone" / "worktrees" / "slot"
        subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q",
                        "--allow-empty", "-m", "init"], cwd=root, check=True)
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(work)], cwd=root,
                       check=True)
        print(f"runs per figure: {args.runs}; load average before: {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        print(f"{'command':>8} {'figure':>10}  {'bare':>6}  {'bwrap':>6}  {'hone':>6}  "
              f"{'bwrap-bare':>10}  {'hone-bare':>9}  {'hone-bwrap':>10}")
        for command in ("true", f"{sys.executable} -c pass"):
            t = measure(command, work, args.runs)
            name = command.split()[0].rsplit("/", 1)[-1]
            for figure in ("median", "q1", "cpu"):
                b, w, h = (t[way][figure] for way in ("bare", "bwrap", "hone"))
                label = {"median": "wall med", "q1": "wall q1", "cpu": "cpu med"}[figure]
                print(f"{name:>8} {label:>10}  {b:6.1f}  {w:6.1f}  {h:6.1f}  {w - b:+10.1f}  "
                      f"{h - b:+9.1f}  {h - w:+10.1f}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
