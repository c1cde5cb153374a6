"""Cheap first through the loop: concurrent seeds as executor jobs, the early stop, the screen.

In-process runs on real repositories with the local executor; overlap is shown without timing:
each seed of a candidate waits (bounded) for its sibling seeds to have started.
"""

from __future__ import annotations

import itertools
import textwrap
from contextlib import AbstractContextManager
from pathlib import Path

from hone.config.load import parse_config
from hone.config.model import Config
from hone.decide.noise import NoiseFloor
from hone.executors import Executor
from hone.executors.base import VerifierFactory
from hone.executors.local import LocalExecutor
from hone.loop.asktell import ask, tell
from hone.loop.cheap import concurrent_seeds
from hone.loop.engine import Engine
from hone.loop.session import open_engine
from hone.loop.workspace import Workspace
from hone.records import Attempt, Purpose, Status
from tests.conftest import MakeRepo
from tests.support.recording import Recording

# Score = KNOB (deterministic, or with noise); a candidate's seed runs mark their start and, when
# `together`, wait up to 60 s for all three of its seeds to have started (printed as a metric).
MEASURE = textwrap.dedent("""\
    import json, os, random, sys, time
    sys.path.insert(0, os.getcwd())
    from knob import KNOB
    marks, attempt = {marks!r}, os.environ["HONE_ATTEMPT"]
    start = time.time()
    open(os.path.join(marks, f"{{attempt}}-{{os.environ['HONE_SEED']}}-{{start}}"), "w").close()
    together = 0
    while {together} and attempt != "0" and time.time() < start + 60:
        if len([n for n in os.listdir(marks) if n.startswith(attempt + "-")]) >= 3:
            together = 1
            break
        time.sleep(0.02)
    time.sleep(0.05)
    with open(os.path.join(marks, "spans"), "a") as log:
        log.write(f"{{attempt}} {{start}} {{time.time()}}\\n")
    print(json.dumps({{"score": KNOB * (1 + {noise} * random.gauss(0, 1)),
                       "together": together}}))
""")


def project(make_repo: MakeRepo, tmp_path: Path, *, noise: float = 0.0, together: bool = False,
            extra: str = "", parallel: int = 3, exclusive: bool = False) -> Path:
    marks = tmp_path / "marks"
    marks.mkdir()
    return make_repo({
        "knob.py": "KNOB = 10  # hone: tune\n",
        "bench.py": MEASURE.format(marks=str(marks), noise=noise, together=int(together)),
        "quick.py": "from knob import KNOB\nprint(f'score: {KNOB}')\n",
        "hone.toml": textwrap.dedent(f"""\
            [objective]
            run = "python3 bench.py"
            seeds = [1, 2, 3]
            {extra}
            [files]
            editable = ["knob.py"]
            [acceptance]
            noise_runs = 4
            variants = 0
            [audit]
            enabled = false
            [sandbox]
            enabled = false
            [executor]
            parallel = {parallel}
            exclusive_objective = {str(exclusive).lower()}
            """)})


def recorded_engine(root: Path, recorded: list[Recording]
                    ) -> tuple[Workspace, AbstractContextManager[Engine]]:
    ws = Workspace.open(root)
    slots = ws.config.executor.parallel

    def build(factory: VerifierFactory) -> Executor:
        inner = LocalExecutor(root, ws.dir, ws.logs_dir("main"), factory, slots=slots,
                              exclusive_objective=ws.config.executor.exclusive_objective)
        recorded.append(Recording(inner))
        return recorded[-1]

    return ws, open_engine(ws, "main", executor=build)


def try_knob(engine: Engine, knob: int, hypothesis: str) -> Attempt:
    asked = ask(engine)
    (Path(asked.workdir) / "knob.py").write_text(f"KNOB = {knob}  # hone: tune\n")
    return tell(engine, asked.id, hypothesis).attempt


def test_seeds_of_a_deterministic_objective_run_at_once_as_jobs(
        make_repo: MakeRepo, tmp_path: Path) -> None:
    # exclusive_objective does not hold a deterministic objective back: it is not timing.
    root = project(make_repo, tmp_path, together=True, exclusive=True)
    recorded: list[Recording] = []
    ws, opened = recorded_engine(root, recorded)
    with opened as engine:
        better = try_knob(engine, 12, "bigger")
        runs = [m for m in ws.store.measurements("main", better.id) if m.kind == "objective"]
    assert better.status is Status.KEPT, better
    assert sorted(m.seed for m in runs) == [1, 2, 3]
    assert all(m.metrics["together"] == 1 for m in runs), runs  # all three ran at once
    verify = [j for j in recorded[0].jobs if j.purpose is Purpose.VERIFY]
    assert sorted(j.seeds for j in verify) == [(1,), (2,), (3,)]  # one executor job per seed
    assert [j.gates for j in verify] == [True, False, False]


def test_timing_objectives_under_exclusive_objective_never_overlap(
        make_repo: MakeRepo, tmp_path: Path) -> None:
    root = project(make_repo, tmp_path, noise=0.01, exclusive=True)
    recorded: list[Recording] = []
    _, opened = recorded_engine(root, recorded)
    with opened as engine:
        try_knob(engine, 30, "triple")
    verify = [j for j in recorded[0].jobs if j.purpose is Purpose.VERIFY]
    assert [j.seeds for j in verify] == [(1, 2, 3)]  # one job, seeds in turn
    spans = sorted(tuple(map(float, line.split()[1:]))
                   for line in (tmp_path / "marks" / "spans").read_text().splitlines()
                   if line.split()[0] != "0")
    assert len(spans) >= 3
    for (_, end_a), (start_b, _) in itertools.pairwise(spans):
        assert start_b >= end_a, "two objective runs overlapped"


def test_when_seeds_may_run_at_once() -> None:
    def config(**executor: object) -> Config:
        return parse_config({"objective": {"run": "x", "seeds": [1, 2]},
                             "executor": {"parallel": 2, **executor}})

    det = NoiseFloor(3, 1.0, 0.0, 0.0, True)
    noisy = NoiseFloor(3, 1.0, 0.1, 0.1, False)
    assert concurrent_seeds(config(), noisy, 2, 2)
    assert not concurrent_seeds(config(exclusive_objective=True), noisy, 2, 2)
    assert concurrent_seeds(config(exclusive_objective=True), det, 2, 2)
    assert not concurrent_seeds(config(), det, 1, 2)
    assert not concurrent_seeds(config(), det, 2, 1)
    carried = parse_config({"objective": {"run": "x"}, "gates": [
        {"run": "make", "outputs": ["build/**"]}]})
    assert not concurrent_seeds(carried, det, 2, 2)


def test_clearly_worse_stops_after_the_first_seed_and_better_runs_all(
        make_repo: MakeRepo, tmp_path: Path) -> None:
    root = project(make_repo, tmp_path, parallel=1)
    recorded: list[Recording] = []
    ws, opened = recorded_engine(root, recorded)
    with opened as engine:
        worse = try_knob(engine, 9, "smaller")
        better = try_knob(engine, 11, "bigger")
        runs = {a.id: [m for m in ws.store.measurements("main", a.id) if m.kind == "objective"]
                for a in (worse, better)}
    assert worse.status is Status.DISCARDED, worse
    assert worse.reason.startswith("stopped early after 1 of 3 seeds: worse than champion #0 "
                                   "on seed(s) 1 by at least -10.00%"), worse.reason
    assert worse.decision is not None and worse.decision.rule == worse.reason
    assert [m.seed for m in runs[worse.id]] == [1]
    assert better.status is Status.KEPT, better
    assert [m.seed for m in runs[better.id]] == [1, 2, 3]


def test_screen_discards_without_the_full_objective(make_repo: MakeRepo, tmp_path: Path
                                                    ) -> None:
    root = project(make_repo, tmp_path, parallel=1,
                   extra='screen = "python3 quick.py"\nscreen_margin = 0.05')
    ws, opened = recorded_engine(root, [])
    with opened as engine:
        worse = try_knob(engine, 9, "smaller")
        close = try_knob(engine, 11, "bigger")
        kinds = {a.id: [m.kind for m in ws.store.measurements("main", a.id)]
                 for a in (worse, close)}
        baseline = [m.kind for m in ws.store.measurements("main", 0)]
    assert "screen" in baseline  # the champion's screen score to compare with
    assert (worse.status, worse.stage) == (Status.DISCARDED, "screen"), worse
    assert worse.reason.startswith("screen: -10.00% against champion #0's screen"), worse.reason
    assert kinds[worse.id] == ["screen"]  # the full objective never ran
    assert close.status is Status.KEPT, close
    assert kinds[close.id] == ["screen", "objective", "objective", "objective"]
