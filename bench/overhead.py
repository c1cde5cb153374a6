"""hone's own cost per attempt: wall time of a run against the time its objective takes by hand.

Default (`--mode llm`): 40 attempts of a deterministic objective (`python3 score.py`, a busy loop
calibrated to about 40 ms when run by hand, no gate), proposed by an instant scripted LLM (the
loopback server, each answer a small valid edit of `knob.py`), with the jail on (skipped with a
message when bubblewrap cannot run). Prints a table: the bare objective's time by hand (median of
15 runs just before and 15 just after hone's run), hone's wall per attempt, the jail's launch cost
per command (bare `bwrap` and hone's jail over a plain launch), hone's own cost per attempt (wall
minus the objective's process time as hone recorded it) and the ratio wall / bare (goal: at most
2.0x). A `git` shim on hone's PATH counts the git processes hone starts per attempt, by
subcommand. The machine's speed moves from second to second on a shared host, so hone runs
`--rounds` times (default 5), each round calibrating the objective again (to about 40 ms by
hand, as asked: a machine turned faster or slower since the last round would measure hone
against a different objective) and running it between 15 runs by hand; every round's ratio
is printed, and the table is the median round's.

`--mode sleep`: the older figure, an objective of `sleep S` with the classic mutator, and the
ratio wall / objective seconds (target at most 1.15).

    .venv/bin/python bench/overhead.py [--attempts N] [--mode llm|sleep] [--no-jail] [--sleep S]
                                       [--no-prestart] [--profile FILE] [--rounds N]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hone.loopback import LLMServer, Request, Text

SLEEP_TARGET = 1.15
RATIO_GOAL = 2.0
BARE_MS = 40.0
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}

SCORE_PY = """\
import re
import resource
K = int(re.search(r"K = (\\d+)", open("knob.py").read()).group(1))
total = 0
for i in range({loops}):  # fixed work: the run takes the same time whatever K is
    total += i % 7
print(f"score: {{1000 + K}}")
"""

CONFIG_LLM = """\
[objective]
run = "{python} score.py"
[files]
editable = ["knob.py"]
protect = ["score.py"]
[llm]
base_url = "{url}"
max_retries = 0
[sandbox]
enabled = {jail}
prestart = {prestart}
[acceptance]
rule = "strict"
initial_repeats = 1
max_repeats = 1
noise_runs = 1
"""


def commit_all(root: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "bench"], cwd=root, check=True, env=env)


def hand_times(argv: list[str], cwd: Path, runs: int) -> list[float]:
    """Wall seconds of `runs` runs of `argv` run directly (no hone, no jail)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def cpu_by_hand(argv: list[str], cwd: Path, runs: int) -> float:
    """Median CPU seconds (user + system) of one run of `argv`, over `runs` runs."""
    times = []
    for _ in range(runs):
        before = _children_cpu()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(_children_cpu() - before)
    return statistics.median(times)


def calibrate(root: Path) -> int:
    """Loop count that makes `python3 score.py` take about BARE_MS by hand (a line through two
    loop counts, start-up the intercept and the loop the slope, then one correction measured
    at the estimate: start-up is most of the time, so a line alone misses by a lot when one
    end is disturbed). Measured in CPU seconds, the median of 7 runs, which a loaded machine
    disturbs less than wall seconds."""
    (root / "knob.py").write_text("K = 3\n")

    def took(loops: int) -> float:
        (root / "score.py").write_text(SCORE_PY.format(loops=loops))
        return cpu_by_hand([sys.executable, "score.py"], root, 7)

    low, high = 10_000, 400_000
    t_low, t_high = took(low), took(high)
    slope = max(t_high - t_low, 1e-4) / (high - low)
    loops = max(1000, int(low + (BARE_MS / 1000 - t_low) / slope))
    loops = max(1000, int(loops + (BARE_MS / 1000 - took(loops)) / slope))
    (root / "score.py").write_text(SCORE_PY.format(loops=loops))
    return loops


def git_shim(folder: Path, log: Path) -> Path:
    """A `git` first on PATH that logs the time and arguments of each call, then runs git."""
    real = shutil.which("git")
    assert real, "git not found"
    folder.mkdir()
    shim = folder / "git"
    shim.write_text(f'#!/bin/bash\nprintf "%s %s\\n" "$EPOCHREALTIME" "$*" >> {log}\n'
                    f'exec {real} "$@"\n')
    shim.chmod(0o755)
    return folder


def subcommand(args: str) -> str:
    words = args.split()
    while words and words[0] == "-c":
        words = words[2:]
    return words[0] if words else "?"


def answer(request: Request) -> Text:
    """A small valid edit: raise K by one (every answer improves the score)."""
    found = re.search(r"^K = (\d+)$", request.prompt, re.MULTILINE)
    k = int(found.group(1)) if found else 3
    return Text(f"Hypothesis: raise K to {k + 1}\n\nknob.py\n<<<<<<< SEARCH\nK = {k}\n"
                f"=======\nK = {k + 1}\n>>>>>>> REPLACE\n")


def jail_costs(runs: int) -> dict[str, float] | str:
    """Medians in ms of launching `true` four ways, or why it was not measured."""
    sys.path.insert(0, str(Path(__file__).parent))
    from sandbox import measure  # bench/sandbox.py: bare, minimal bwrap and hone's jail

    from hone.verify import sandbox

    problem = sandbox.bwrap_problem()
    if problem:
        return str(problem)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        (root / "bench.py").write_text("print('score: 1')\n")
        commit_all(root)
        work = root / ".hone" / "worktrees" / "slot"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(work)], cwd=root,
                       check=True)
        t = measure("true", work, runs)
    # Every way goes through hone's process runner: plain is `true` with no jail.
    direct = plain = t["bare"]["median"]
    bare, jailed = t["bwrap"]["median"], t["hone"]["median"]
    return {"direct": direct, "bwrap": bare, "plain": plain, "jailed": jailed}


def run_hone(root: Path, shim: Path, jail: bool, attempts: int, profile: str | None,
             prestart: bool = True) -> tuple[float, float]:
    """Run `hone run --mutator llm` against the scripted server; (wall, CPU) seconds of it
    and every process it started."""
    with LLMServer(default=answer) as server:
        (root / "hone.toml").write_text(CONFIG_LLM.format(
            python=sys.executable, url=server.url, jail=str(jail).lower(),
            prestart=str(prestart).lower()))
        commit_all(root)
        env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
               "OPENAI_API_KEY": "loopback"}
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        profiler = ["-m", "cProfile", "-o", profile] if profile else []
        proc = subprocess.run([sys.executable, *profiler, "-m", "hone", "run", "--mutator", "llm",
                               "--model", "loopback", "--attempts", str(attempts)],
                              cwd=root, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        cpu = _children_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"hone run failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return wall, cpu


def journal_figures(root: Path) -> dict[str, float | str]:
    """From the run's journal: attempts, their span and the objective's recorded seconds."""
    db = sqlite3.connect(root / ".git" / "hone" / "hone.db")
    rows = db.execute("SELECT id, status, started, finished FROM attempts WHERE id > 0 "
                      "ORDER BY id").fetchall()
    (obj_runs, obj_seconds), = db.execute(
        "SELECT count(*), coalesce(sum(seconds), 0) FROM measurements WHERE attempt_id > 0")
    statuses = collections.Counter(r[1] for r in rows)
    return {"n": len(rows), "first": min(r[2] for r in rows),
            "last": max(r[3] or r[2] for r in rows), "obj_runs": obj_runs,
            "obj_seconds": obj_seconds,
            "statuses": ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))}


def git_calls(log: Path, first: float, last: float) -> list[str]:
    """The subcommands of the git processes started between `first` and `last`."""
    # A multi-line argument (a commit message) continues on lines without a time stamp.
    calls = [line.split(" ", 1) for line in log.read_text().splitlines()
             if re.match(r"\d+\.\d+ ", line)]
    return [subcommand(args) for stamp, args in calls if first <= float(stamp) <= last]


def print_jail(costs: dict[str, float] | str) -> None:
    if isinstance(costs, str):
        print(f"| jail launch per command | ({costs}) |")
        return
    bwrap_adds = costs["bwrap"] - costs["direct"]
    jail_adds = costs["jailed"] - costs["plain"]
    print(f"| `true` by subprocess.run: plain {costs['direct']:.1f}, under bare bwrap "
          f"{costs['bwrap']:.1f} | bwrap adds {bwrap_adds:.1f} |")
    print(f"| `true` through hone's runner: plain {costs['plain']:.1f}, jailed "
          f"{costs['jailed']:.1f} | the jail adds {jail_adds:.1f} |")
    print(f"| hone's jail launch over bare bwrap | {jail_adds - bwrap_adds:+.1f} |")


@dataclass
class Round:
    """One round: hone's run of `attempts` attempts, between two sets of runs by hand."""

    loops: int  # the objective's loop count, calibrated just before the round
    before: list[float]
    after: list[float]
    wall: float  # the whole `hone run` process
    cpu: float
    journal: dict[str, float | str]
    git: list[str]

    @property
    def bare(self) -> float:
        return statistics.median(self.before + self.after)

    @property
    def attempts(self) -> int:
        return int(self.journal["n"])

    @property
    def per_attempt(self) -> float:
        return (float(self.journal["last"]) - float(self.journal["first"])) / self.attempts

    @property
    def objective(self) -> float:
        return float(self.journal["obj_seconds"]) / self.attempts

    @property
    def ratio(self) -> float:
        return self.per_attempt / self.bare


def one_round(tmp: Path, index: int, template: Path, jail: bool, attempts: int,
              profile: str | None, prestart: bool) -> Round:
    """The objective calibrated again to about BARE_MS (the machine's speed drifts between
    rounds), 15 runs by hand, hone's run in a fresh copy of the repository, 15 runs by hand."""
    root = tmp / f"repo-{index}"
    shutil.copytree(template, root)
    loops = calibrate(root)
    before = hand_times([sys.executable, "score.py"], root, 15)
    log = root.parent / f"{root.name}-git.log"
    shim = git_shim(root.parent / f"{root.name}-shim", log)
    wall, cpu = run_hone(root, shim, jail, attempts, profile, prestart)
    after = hand_times([sys.executable, "score.py"], root, 15)
    j = journal_figures(root)
    return Round(loops, before, after, wall, cpu, j, git_calls(log, float(j["first"]),
                                                               float(j["last"])))


def run_llm(attempts: int, jail: bool, profile: str | None, prestart: bool = True,
            rounds: int = 5) -> None:
    from hone.verify.sandbox import bwrap_problem

    if jail and bwrap_problem():
        print(f"jail skipped: {bwrap_problem()} (measuring without it)")
        jail = False
    tmp = Path(tempfile.mkdtemp(prefix="hone-overhead-"))
    template = tmp / "template"
    template.mkdir()
    calibrate(template)
    bare_cpu = cpu_by_hand([sys.executable, "score.py"], template, 15)
    # Each round calibrates the objective again, then runs it by hand 15 times just before
    # and 15 times just after hone's run: on a shared machine the speed and the load move
    # between and during runs, and the median of both sides is the fairer yardstick.
    done = [one_round(tmp, index, template, jail, attempts, profile, prestart)
            for index in range(rounds)]
    report_llm(done, attempts, jail, prestart, bare_cpu, tmp)


def report_llm(done: list[Round], attempts: int, jail: bool, prestart: bool,
               bare_cpu: float, tmp: Path) -> None:
    """The figures of the middle round by ratio (the median), and every round's ratio."""
    mid = sorted(done, key=lambda r: r.ratio)[len(done) // 2]
    n = mid.attempts
    print(f"objective: python3 score.py ({mid.loops} loops), {attempts} attempts asked, {n} made "
          f"({mid.journal['statuses']}), {mid.journal['obj_runs']} objective runs, jail "
          f"{'on' if jail else 'off'}" + ("" if prestart or not jail else " (no prestart)"))
    print(f"rounds: {len(done)} (each: the objective calibrated again, then hone's run between "
          "15 runs by hand before and after); "
          "ratio wall / bare per round: " + ", ".join(f"{r.ratio:.2f}x" for r in done)
          + "; the table shows the median round")
    print(f"whole `hone run` process: {mid.wall:.2f} s wall, {mid.cpu:.2f} s CPU of hone and "
          f"every process it started (start-up and baseline included; CPU varies less than "
          f"wall on a loaded machine)")
    print("| figure | ms |\n|---|---:|")
    print(f"| bare objective, by hand (median of 15 runs before and 15 after hone's run: "
          f"{statistics.median(mid.before) * 1000:.1f} and "
          f"{statistics.median(mid.after) * 1000:.1f}; fastest "
          f"{min(mid.before + mid.after) * 1000:.1f}) | {mid.bare * 1000:.1f} |")
    print(f"| hone wall per attempt (first start to last finish / attempts) "
          f"| {mid.per_attempt * 1000:.1f} |")
    print(f"| objective process time per attempt, as hone recorded it "
          f"| {mid.objective * 1000:.1f} |")
    own = mid.per_attempt - mid.objective
    print(f"| hone's own cost per attempt (wall minus objective) | {own * 1000:.1f} |")
    print_jail(jail_costs(30) if jail else "jail off")
    ratio = mid.ratio
    print(f"\nratio wall / bare = {ratio:.2f}x, the median of {len(done)} rounds "
          f"(goal <= {RATIO_GOAL}x: {'met' if ratio <= RATIO_GOAL else 'NOT met'})")
    print(f"CPU: bare objective {bare_cpu * 1000:.1f} ms per run; hone and all it started "
          f"{mid.cpu / (n + 1) * 1000:.1f} ms per attempt (whole run / (attempts + baseline)), "
          f"ratio {mid.cpu / (n + 1) / bare_cpu:.2f}x")
    by_cmd = collections.Counter(mid.git)
    print(f"git processes per attempt: {len(mid.git) / n:.1f} ("
          + ", ".join(f"{k} {v / n:.2f}" for k, v in by_cmd.most_common()) + ")")
    print(f"repositories: {tmp}")
    print(json.dumps({"bare_ms": round(mid.bare * 1000, 1),
                      "bare_before_ms": round(statistics.median(mid.before) * 1000, 1),
                      "bare_after_ms": round(statistics.median(mid.after) * 1000, 1),
                      "wall_per_attempt_ms": round(mid.per_attempt * 1000, 1),
                      "own_per_attempt_ms": round(own * 1000, 1), "ratio": round(ratio, 2),
                      "ratios": [round(r.ratio, 2) for r in done],
                      "git_per_attempt": round(len(mid.git) / n, 2),
                      "cpu_per_attempt_ms": round(mid.cpu / (n + 1) * 1000, 1),
                      "bare_cpu_ms": round(bare_cpu * 1000, 1), "wall_s": round(mid.wall, 2)}))


def _children_cpu() -> float:
    """User + system seconds of the finished child processes of this one (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_sleep_repo(root: Path, sleep: float) -> None:
    root.mkdir()
    (root / "knob.txt").write_text("K = 3  # hone: tune\n")
    (root / "hone.toml").write_text(
        "[objective]\n"
        # Small gains (1000 + K), as in a real run: no re-verification of outsized ones.
        f"run = \"sleep {sleep} && K=$(sed -n 's/^K = \\\\([0-9]*\\\\).*/\\\\1/p' knob.txt)"
        " && echo score: $((1000 + K))\"\n"
        "[files]\neditable = [\"knob.txt\"]\n")
    commit_all(root)


def run_sleep(attempts: int, sleep: float) -> None:
    root = Path(tempfile.mkdtemp(prefix="hone-overhead-")) / "repo"
    make_sleep_repo(root, sleep)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hone", "run", "--mutator", "classic",
                           "--attempts", str(attempts)], cwd=root, capture_output=True,
                          text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"hone run failed ({proc.returncode}): {proc.stderr.strip()}")
    db = sqlite3.connect(root / ".git" / "hone" / "hone.db")
    (runs, seconds), = db.execute("SELECT count(*), sum(seconds) FROM measurements")
    (made,), = db.execute("SELECT count(*) FROM attempts WHERE id > 0")
    ratio = wall / seconds
    print(f"attempts: {made}  objective runs: {runs}  objective seconds: {seconds:.3f}")
    print(f"wall seconds: {wall:.3f}  overhead per attempt: "
          f"{(wall - seconds) / max(made, 1) * 1000:.1f} ms")
    print(f"overhead_ratio = {ratio:.3f}  (target <= {SLEEP_TARGET}: "
          f"{'met' if ratio <= SLEEP_TARGET else 'NOT met'})")
    print(f"repository: {root}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mode", choices=("llm", "sleep"), default="llm")
    parser.add_argument("--attempts", type=int, default=None,
                        help="default 40 (llm), 20 (sleep)")
    parser.add_argument("--no-jail", action="store_true", help="llm mode without the jail")
    parser.add_argument("--no-prestart", action="store_true",
                        help="llm mode: [sandbox] prestart = false (each jail built on demand)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="llm mode: hone runs, each between runs by hand (median shown)")
    parser.add_argument("--sleep", type=float, default=0.5, help="sleep mode's objective")
    parser.add_argument("--profile", metavar="FILE",
                        help="llm mode: run hone under cProfile, stats to FILE (read: pstats)")
    args = parser.parse_args()
    if args.mode == "sleep":
        run_sleep(args.attempts or 20, args.sleep)
    else:
        run_llm(args.attempts or 40, not args.no_jail, args.profile, not args.no_prestart,
                max(1, args.rounds))


if __name__ == "__main__":
    main()
