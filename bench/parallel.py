"""Parallel slots: wall time, slot utilisation and speedup of `hone run --parallel N`.

Objective `sleep 1`; the `llm` mutator against the loopback scripted server of
tests/support/llm_server.py, which answers every proposal after 0.5 s with the same one-line
SEARCH/REPLACE edit (so every run makes the same attempts and the status of the local and the
Ray run can be compared; duplicate detection and stagnation exploration are off, as they would
skip evaluations or add LLM calls); 16 attempts; a fresh repository per run. For each executor and
N in 1, 2, 4 it prints:

* wall: the whole `hone run` process (start-up, Ray start, baseline included);
* run: from the baseline's start to the last decision, from the journal (wall less the
  process's and Ray's start and stop);
* util: slot utilisation, the objective's seconds over N x the span from the first to the last
  evaluation (how busy the slots were while evaluations ran);
* speedup: wall of N=1 over wall of N, same executor (and the same for run).

Targets: utilisation >= 90% and speedup >= 3.2 with 4 slots; done when `--parallel 4` takes at
most 0.45 of `--parallel 1`'s wall time on the local executor. `--parallel 1 --executor local`
is hone's serial loop (propose, then evaluate); on Ray even one slot goes through the pipeline.

    .venv/bin/python bench/parallel.py [--attempts 16] [--executors local,ray] [--slots 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.llm_server import LLMServer, Reply  # noqa: E402

LATENCY = 0.5
ANSWER = ("Hypothesis: a larger knob, variant {n}\n\nknob.py\n<<<<<<< SEARCH\nKNOB = 3\n"
          "=======\nKNOB = 4\n>>>>>>> REPLACE\n")
HISTORY_ROW = re.compile(r"^\| (\d+) \|", re.MULTILINE)


def scripted(request: Any) -> Reply:
    """One call per proposal, 0.5 s late: the same edit, its hypothesis numbered after the
    newest attempt the prompt shows (so it is never a near-duplicate of one shown, which
    would cost a second call, and the same prompt gets the same answer on any executor)."""
    shown = [int(n) for n in HISTORY_ROW.findall(request.prompt)]
    answer = ANSWER.format(n=max(shown, default=0) + 1)
    body = {"id": "bench", "object": "chat.completion", "created": 0, "model": "bench",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}
    return Reply(200, body, delay=LATENCY)


def make_repo(root: Path, server: LLMServer) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
    root.mkdir(parents=True)
    (root / "knob.py").write_text("KNOB = 3\n")
    (root / "hone.toml").write_text(
        '[objective]\nrun = "sleep 1 && echo score: 1"\n'
        '[files]\neditable = ["knob.py"]\n'
        # Every answer is the same edit, so that runs compare; do not skip the repeats.
        '[search]\ndedupe = false\npatience = 0\n'
        f'[llm]\nmodel = "bench"\nbase_url = "{server.url}"\nlessons = 0\n')
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "bench"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env=env)


def one_run(base: Path, server: LLMServer, executor: str, slots: int, attempts: int
            ) -> dict[str, Any]:
    root = base / f"{executor}-{slots}"
    make_repo(root, server)
    env = {**os.environ, "OPENAI_API_KEY": "bench"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hone", "run", "--mutator", "llm",
                           "--attempts", str(attempts), "--parallel", str(slots),
                           "--executor", executor], cwd=root, capture_output=True, text=True,
                          env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"hone run ({executor}, {slots}) failed: {proc.stderr.strip()}")
    db = sqlite3.connect(root / ".git" / "hone" / "hone.db")
    busy = db.execute("SELECT sum(seconds) FROM measurements").fetchone()[0]
    spans = []
    for (extra,) in db.execute("SELECT extra FROM attempts WHERE id > 0"):
        ev = json.loads(extra).get("eval")
        if ev:
            spans.append((ev["start"], ev["end"]))
    if not spans:  # the serial loop records no slot intervals: use the attempts' own times
        spans = [(s, f) for s, f in db.execute(
            "SELECT started, finished FROM attempts WHERE id > 0")]
    attempt_busy = db.execute("SELECT sum(seconds) FROM measurements WHERE attempt_id > 0"
                              ).fetchone()[0]
    span = max(e for _, e in spans) - min(s for s, _ in spans)
    (t_start,), = db.execute("SELECT started FROM attempts WHERE id = 0").fetchall()
    (t_end,), = db.execute("SELECT max(finished) FROM attempts").fetchall()
    first_line = proc.stdout.splitlines()[1] if len(proc.stdout.splitlines()) > 1 else ""
    db.close()
    status = json.loads(subprocess.run([sys.executable, "-m", "hone", "status", "--json"],
                                       cwd=root, capture_output=True, text=True,
                                       check=True).stdout)
    return {"executor": executor, "slots": slots, "wall": wall, "busy": busy,
            "run": t_end - t_start,
            "util": attempt_busy / (slots * span), "first_line": first_line,
            "status": [(a["id"], a["parent"], a["status"], a["score"], a["hypothesis"])
                       for a in status["attempts"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--attempts", type=int, default=16)
    parser.add_argument("--executors", default="local,ray")
    parser.add_argument("--slots", default="1,2,4")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hone-parallel-"))
    results: list[dict[str, Any]] = []
    with LLMServer(default=scripted) as server:
        for executor in args.executors.split(","):
            for slots in (int(s) for s in args.slots.split(",")):
                results.append(one_run(base, server, executor, slots, args.attempts))
                r = results[-1]
                print(f"  ran {executor} N={slots}: {r['wall']:.1f} s", file=sys.stderr)
    print(f"objective sleep 1, LLM latency {LATENCY} s, {args.attempts} attempts")
    print(f"{'executor':<9}{'N':>3}{'wall s':>9}{'run s':>8}{'util':>7}{'speedup':>9}"
          f"{'wall/N=1':>10}{'run speedup':>13}")
    for r in results:
        one = next((x for x in results if x["executor"] == r["executor"] and x["slots"] == 1),
                   r)
        print(f"{r['executor']:<9}{r['slots']:>3}{r['wall']:>9.2f}{r['run']:>8.2f}"
              f"{r['util']:>7.0%}{one['wall'] / r['wall']:>9.2f}{r['wall'] / one['wall']:>10.2f}"
              f"{one['run'] / r['run']:>13.2f}")
    for r in results:
        if r["executor"] != "local":
            local = next((x for x in results
                          if x["executor"] == "local" and x["slots"] == r["slots"]), None)
            if local is not None:
                same = "same" if local["status"] == r["status"] else "DIFFERENT"
                print(f"status of {r['executor']} N={r['slots']} vs local: {same}")
    print("targets: util >= 90% and speedup >= 3.2 at N=4; wall(N=4)/wall(N=1) <= 0.45")
    print(f"repositories: {base}")


if __name__ == "__main__":
    main()
