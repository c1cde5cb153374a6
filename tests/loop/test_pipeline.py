"""One attempt path: every measurement is an executor job with a purpose.

A recording executor wraps the real local one; a run with a holdout, a noisy objective and an
outsized gain (told through ask/tell), then a parallel run with `exclusive_objective`, must
show every purpose, and no two objective processes may ever overlap.
"""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

from hone.executors import Executor
from hone.executors.base import VerifierFactory
from hone.executors.local import LocalExecutor
from hone.loop.asktell import ask, tell
from hone.loop.budget import Budget
from hone.loop.session import open_engine, run_session
from hone.loop.workspace import Workspace
from hone.mutators import make_mutator
from hone.records import Purpose
from hone.strategies import make_strategy
from tests.conftest import MakeRepo
from tests.support.recording import Recording

MEASURE = textwrap.dedent("""\
    import json, os, random, sys, time
    sys.path.insert(0, os.getcwd())
    from knob import KNOB
    start = time.time()
    time.sleep(0.03)
    with open({spans!r}, "a") as log:
        log.write(f"{{start}} {{time.time()}}\\n")
    print(json.dumps({{"score": KNOB * (1 + random.gauss(0, 0.02))}}))
""")


def test_every_measurement_is_a_job_and_exclusive_objectives_never_overlap(
        make_repo: MakeRepo, tmp_path: Path) -> None:
    spans = tmp_path / "spans.txt"
    root = make_repo({
        "knob.py": "KNOB = 10  # hone: tune\n",
        "bench.py": MEASURE.format(spans=str(spans)),
        "holdout_bench.py": MEASURE.format(spans=str(spans)),
        "hone.toml": textwrap.dedent("""\
            [objective]
            run = "python3 bench.py"
            [[gates]]
            run = "python3 -c pass"
            [files]
            editable = ["knob.py"]
            [holdout]
            run = "python3 holdout_bench.py"
            repeats = 2
            [acceptance]
            noise_runs = 3
            variants = 2
            [audit]
            implausible_factor = 1.5
            hold = false  # the outsized keep is kept (re-verified), not held for a person
            [sandbox]
            enabled = false
            [executor]
            parallel = 2
            exclusive_objective = true
            """)})
    ws = Workspace.open(root)
    recorded: list[Recording] = []

    def build(factory: VerifierFactory) -> Executor:
        inner = LocalExecutor(root, ws.dir, ws.logs_dir("main"), factory, slots=2,
                              exclusive_objective=True)
        recorded.append(Recording(inner))
        return recorded[-1]

    with open_engine(ws, "main", executor=build) as engine:
        asked = ask(engine)  # measures the baseline first
        (Path(asked.workdir) / "knob.py").write_text("KNOB = 30  # hone: tune\n")
        told = tell(engine, asked.id, "triple the knob")
        assert told.attempt.status.value == "kept", told.attempt
        end = run_session(engine, make_mutator("classic", ws.config),
                          make_strategy("greedy", ws.config), Budget(attempts=5))
    assert end.confirmation is not None and end.final_holdout is not None

    purposes = {job.purpose for rec in recorded for job in rec.jobs}
    assert purposes == set(Purpose), purposes
    # The triple was outsized: re-verified from a clean tree before it was kept.
    assert any(job.purpose is Purpose.REVERIFY and job.attempt_id == asked.id
               for rec in recorded for job in rec.jobs)

    intervals = sorted(tuple(map(float, line.split()))
                       for line in spans.read_text().splitlines())
    assert len(intervals) >= 10
    for (_, end_a), (start_b, _) in itertools.pairwise(intervals):
        assert start_b >= end_a, "two objective runs overlapped"
