"""The crash harness: a project, `hone` killed with SIGKILL at a chosen point, and the checks
that the journal and the refs agree after the resume.

Two ways to kill: `HONE_FAULT=POINT:N` makes hone kill itself at one of its fault points
(hone/faults.py: inside a journal write, just after a ref was written), and a `git` shim
first on PATH (git_shim.sh) kills hone at the N-th call of a git subcommand, before or
after git ran.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import git, run_hone, write_files

SHIM = Path(__file__).with_name("git_shim.sh")
# The score is 1 + |KNOB - 3|, read without starting Python (20+ kill/resume cycles stay
# fast): every change the classic mutator makes to the baseline is kept, so each fault point
# of a keep is reached whatever it draws.
PROJECT = {
    "knob.py": "KNOB = 3  # hone: tune\n",
    "score.sh": "awk '/^KNOB/ {d = $3 - 3; print \"score: \" (1 + (d < 0 ? -d : d))}' "
                "knob.py\n",
}
CONFIG = """
[run]
goal = "raise KNOB"

[objective]
run = "sh score.sh"
score = "score"
direction = "max"

[files]
protect = ["score.sh"]

[mutator]
kind = "classic"

[acceptance]
noise_runs = 3

[sandbox]
enabled = false
"""
# The objective is deterministic: its one seed and the repeat that finds so (`noise_runs = 3`
# is for noisy objectives).
BASELINE_RUNS = 2


def make_project(root: Path) -> Path:
    """A git repository with PROJECT and a hone.toml, committed."""
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    write_files(root, {**PROJECT, "hone.toml": CONFIG})
    git("add", ".", cwd=root)
    git("commit", "-qm", "project", cwd=root)
    return root


@dataclass(frozen=True)
class Fault:
    """Where to kill: `point` is a HONE_FAULT spec (`journal:put_attempt:3`) or, prefixed
    with `git=`, a shim spec (`git=commit:1:after`)."""

    point: str

    def env(self, scratch: Path) -> dict[str, str]:
        if not self.point.startswith("git="):
            return {"HONE_FAULT": self.point}
        shim_dir = scratch / "shim"
        shim_dir.mkdir(parents=True, exist_ok=True)
        (shim_dir / "git").unlink(missing_ok=True)
        (shim_dir / "git").symlink_to(SHIM)
        real = shutil.which("git")
        assert real is not None
        return {"PATH": f"{shim_dir}{os.pathsep}{os.environ['PATH']}",
                "HONE_FAULT_REAL_GIT": real, "HONE_FAULT_GIT_DIR": str(shim_dir),
                "HONE_FAULT_GIT": self.point[len("git="):]}


def killed(*args: str, cwd: Path, fault: Fault, scratch: Path) -> None:
    """Run hone with `fault` armed; assert that it died of SIGKILL (the point was reached)."""
    res = run_hone(*args, cwd=cwd, env=fault.env(scratch))
    assert res.returncode == -9, (fault, res.returncode, res.stdout[-2000:], res.stderr[-2000:])


def journal(root: Path, run: str) -> tuple[list[dict[str, object]], int]:
    """The run's attempts (id, status, commit, score, extra) and its champion, read from the
    journal file itself."""
    db = sqlite3.connect(root / ".git" / "hone" / "hone.db")
    try:
        rows = db.execute("SELECT id, status, commit_sha, score, extra FROM attempts "
                          "WHERE run = ? ORDER BY id", (run,)).fetchall()
        champion = db.execute("SELECT champion FROM runs WHERE name = ?", (run,)).fetchone()
        counts = dict(db.execute("SELECT attempt_id, count(*) FROM measurements WHERE run = ? "
                                 "AND kind = 'objective' GROUP BY attempt_id", (run,)))
    finally:
        db.close()
    assert champion is not None, f"run {run} is not in the journal"
    attempts = [{"id": r[0], "status": r[1], "commit": r[2], "score": r[3],
                 "extra": json.loads(r[4]), "measured": counts.get(r[0], 0)} for r in rows]
    return attempts, int(champion[0])


def check_consistent(root: Path, run: str, attempts_budget: int | None) -> None:
    """After a resume: nothing lost, duplicated or stuck; no id skipped; refs and journal
    agree; the baseline measured (exactly its planned runs); the champion the best kept
    attempt."""
    attempts, champion = journal(root, run)
    by_id = {int(str(a["id"])): a for a in attempts}
    assert sorted(by_id) == list(range(len(attempts))), f"an id skipped: {sorted(by_id)}"
    base = by_id[0]
    assert base["status"] == "baseline" and base["score"] is not None, base
    assert base["measured"] == BASELINE_RUNS, base
    stuck = [a for a in attempts if a["status"] == "running"]
    assert not stuck, stuck
    if attempts_budget is not None:
        assert len(attempts) - 1 == attempts_budget, attempts
    commits = [a["commit"] for a in attempts if a["commit"]]
    assert len(commits) == len(set(commits)), f"one commit recorded twice: {attempts}"
    out = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)",
                          f"refs/hone/{run}/"], cwd=root, capture_output=True, text=True,
                         check=True).stdout
    refs = dict(line.split(" ", 1) for line in out.splitlines())
    expected = {f"refs/hone/{run}/{a['id']}": a["commit"] for a in attempts if a["commit"]}
    expected[f"refs/hone/{run}/best"] = by_id[champion]["commit"]
    assert refs == expected, (refs, expected)
    kept = [a for a in attempts if a["status"] in ("baseline", "kept")]
    assert kept[-1]["id"] == champion, (kept, champion)
    assert float(str(by_id[champion]["score"])) >= float(str(base["score"])), attempts
