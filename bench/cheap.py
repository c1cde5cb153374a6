"""Cheap first: wall time per rejected candidate, with and without screening and parallel seeds.

A seeded deterministic objective of 3 seeds (`seeds = [1, 2, 3]`) that takes about 1 s per
run (a sleep, then `score: KNOB`); a screen (`quick.py`) that prints the same score at once.
Every candidate sets the knob 10% below the champion's, told through hone's ask/tell in this
process (no proposer cost); each is timed from `ask` to the end of `tell` (commit, verification
and decision). The baseline (4 runs, so that the objective is known deterministic) is not timed.

Rows (one fresh repository each; `--only` picks some):
* plain: one slot, no screen, `[acceptance] early_stop = false` (hone before cheap first);
* parallel: 3 slots, the seeds as concurrent executor jobs;
* early: one slot, stop after the first seed;
* screen: one slot, `[objective] screen`;
* all: 3 slots, screen and early stop (what hone does by default with a screen configured).

    .venv/bin/python bench/cheap.py [--candidates 4] [--seconds 1.0] [--no-jail] [--only all]

Goal: `all` at most 0.4x `plain`.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hone.loop.asktell import ask, tell  # noqa: E402
from hone.loop.session import open_engine  # noqa: E402
from hone.loop.workspace import Workspace  # noqa: E402

BENCH = "import time\ntime.sleep({seconds})\nfrom knob import KNOB\nprint(f'score: {{KNOB}}')\n"
QUICK = "from knob import KNOB\nprint(f'score: {KNOB}')\n"
ROWS = {  # name: (parallel, screen, early_stop)
    "plain": (1, False, False),
    "parallel": (3, False, False),
    "early": (1, False, True),
    "screen": (1, True, False),
    "all": (3, True, True),
}


def make_repo(root: Path, seconds: float, parallel: int, screen: bool, early: bool,
              jail: bool) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
    root.mkdir(parents=True)
    (root / "knob.py").write_text("KNOB = 1000.0\n")
    (root / "bench.py").write_text(BENCH.format(seconds=seconds))
    (root / "quick.py").write_text(QUICK)
    (root / "hone.toml").write_text(
        '[objective]\nrun = "python3 bench.py"\nseeds = [1, 2, 3]\n'
        + ('screen = "python3 quick.py"\nscreen_margin = 0.05\n' if screen else "")
        + '[files]\neditable = ["knob.py"]\n'
        f'[acceptance]\nnoise_runs = 4\nvariants = 0\nearly_stop = {str(early).lower()}\n'
        f'[executor]\nparallel = {parallel}\n'
        + ("" if jail else "[sandbox]\nenabled = false\n"))
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "bench"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env=env)


def one_row(root: Path, candidates: int) -> tuple[list[float], list[str]]:
    """Seconds per rejected candidate, and each one's status and reason."""
    ws = Workspace.open(root)
    seconds, reasons = [], []
    with open_engine(ws, "main") as engine:
        engine.start()  # the baseline, not timed
        knob = (engine.champion().score or 0.0) * 0.9
        for i in range(candidates):
            t0 = time.perf_counter()
            asked = ask(engine, parent_id=0)
            (Path(asked.workdir) / "knob.py").write_text(f"KNOB = {knob}  # try {i}\n")
            told = tell(engine, asked.id, f"10% worse, #{i}")
            seconds.append(time.perf_counter() - t0)
            reasons.append(f"{told.attempt.status.value}: {told.attempt.reason}")
    return seconds, reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--no-jail", action="store_true")
    parser.add_argument("--only", default=",".join(ROWS))
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hone-cheap-"))
    results: dict[str, float] = {}
    print(f"objective: 3 seeds x {args.seconds:g} s (deterministic), candidates 10% worse, "
          f"{args.candidates} per row, jail {'off' if args.no_jail else 'on'}; "
          f"load: {os.getloadavg()[0]:.2f}")
    print(f"{'row':<9}{'slots':>6}{'screen':>7}{'early':>6}{'s/cand':>8}{'x plain':>9}  reason")
    for name in args.only.split(","):
        parallel, screen, early = ROWS[name]
        root = base / name
        make_repo(root, args.seconds, parallel, screen, early, not args.no_jail)
        seconds, reasons = one_row(root, args.candidates)
        results[name] = statistics.median(seconds)
        ratio = results[name] / results["plain"] if "plain" in results else float("nan")
        print(f"{name:<9}{parallel:>6}{'yes' if screen else 'no':>7}"
              f"{'yes' if early else 'no':>6}{results[name]:>8.2f}{ratio:>8.2f}x  "
              f"{reasons[-1][:70]}", flush=True)
    print(f"goal: all <= 0.40x plain; load after: {os.getloadavg()[0]:.2f}; "
          f"repositories: {base}")


if __name__ == "__main__":
    main()
