"""hone's own overhead: wall time of a run over the time its objective ran.

An objective of `sleep 0.5` (plus reading a knob so the score can change a little), 20 attempts
with the classic mutator, on a fresh git repository. Prints
`overhead_ratio = wall / (sum of objective seconds)`; the target is at most 1.15. The wall time
is the whole `hone run` process (start-up, baseline, git, journal, printing) and the objective
seconds are those hone recorded for every measurement it took.

    .venv/bin/python bench/overhead.py [--attempts N] [--sleep S]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.15


def make_repo(root: Path, sleep: float) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
    root.mkdir()
    (root / "knob.txt").write_text("K = 3  # hone: tune\n")
    (root / "hone.toml").write_text(
        "[objective]\n"
        # Small gains (1000 + K), as in a real run: no re-verification of outsized ones.
        f"run = \"sleep {sleep} && K=$(sed -n 's/^K = \\\\([0-9]*\\\\).*/\\\\1/p' knob.txt)"
        " && echo score: $((1000 + K))\"\n"
        "[files]\neditable = [\"knob.txt\"]\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "bench"], cwd=root, check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--sleep", type=float, default=0.5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hone-overhead-")) / "repo"
    make_repo(root, args.sleep)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hone", "run", "--mutator", "classic",
                           "--attempts", str(args.attempts)], cwd=root, capture_output=True,
                          text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"hone run failed ({proc.returncode}): {proc.stderr.strip()}")
    db = sqlite3.connect(root / ".hone" / "hone.db")
    (runs, seconds), = db.execute("SELECT count(*), sum(seconds) FROM measurements")
    (attempts,), = db.execute("SELECT count(*) FROM attempts WHERE id > 0")
    ratio = wall / seconds
    print(f"attempts: {attempts}  objective runs: {runs}  objective seconds: {seconds:.3f}")
    print(f"wall seconds: {wall:.3f}  overhead per attempt: "
          f"{(wall - seconds) / max(attempts, 1) * 1000:.1f} ms")
    print(f"overhead_ratio = {ratio:.3f}  (target <= {TARGET}: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print(f"repository: {root}")


if __name__ == "__main__":
    main()
