"""The baseline's runs: each seed once plus one repeat (a deterministic objective needs no more),
further repeats only for a noisy one; one progress line per run; each seed pooled once; and no
interval anywhere for a deterministic objective (a seed spread is not noise)."""

from __future__ import annotations

import io
import json
import re
import textwrap
from pathlib import Path

import pytest

from hone.cli import main
from hone.cli_run import LinePrinter
from hone.decide.noise import NoiseFloor
from hone.direction import Direction
from hone.executors import Executor
from hone.executors.base import VerifierFactory
from hone.executors.local import LocalExecutor
from hone.loop.asktell import ask, tell
from hone.loop.measure import confirm_champion, run_noise
from hone.loop.session import open_engine
from hone.loop.workspace import Workspace
from hone.records import Attempt, Event, Purpose, Status
from hone.report.data import overview
from hone.views import evidence_line
from tests.conftest import MakeRepo
from tests.support.recording import Recording

# Seed 1 scores KNOB, seed 2 twice that, seed 3 six times: the median of one run per seed is
# 2 * KNOB; counting seed 1 twice (1, 2, 6, 1) would make it 1.5 * KNOB.
BENCH = textwrap.dedent("""\
    import json, os, random, sys
    sys.path.insert(0, os.getcwd())
    from knob import KNOB
    seed = int(os.environ["HONE_SEED"])
    noise = 1 + random.gauss(0, 0.02) if {noisy} else 1
    print(json.dumps({{"score": KNOB * {{1: 1, 2: 2, 3: 6}}[seed] * noise}}))
""")


def _repo(make_repo: MakeRepo, noisy: bool, noise_runs: int = 5) -> Path:
    return make_repo({
        "knob.py": "KNOB = 100\n",
        "bench.py": BENCH.format(noisy=noisy),
        "hone.toml": textwrap.dedent(f"""\
            [objective]
            run = "python3 bench.py"
            seeds = [1, 2, 3]
            [files]
            editable = ["knob.py"]
            [acceptance]
            noise_runs = {noise_runs}
            [sandbox]
            enabled = false
            """)})


def _baseline_jobs(recorded: list[Recording]) -> list[tuple[int, ...]]:
    return [job.seeds for rec in recorded for job in rec.jobs if job.purpose is Purpose.BASELINE]


def test_a_deterministic_baseline_runs_each_seed_once_plus_one_repeat(
        make_repo: MakeRepo) -> None:
    root = _repo(make_repo, noisy=False)
    ws = Workspace.open(root)
    recorded: list[Recording] = []
    events: list[tuple[Event, Attempt]] = []

    def build(factory: VerifierFactory) -> Executor:
        recorded.append(Recording(LocalExecutor(root, ws.dir, ws.logs_dir("main"), factory)))
        return recorded[-1]

    with open_engine(ws, "main", on_event=lambda e, a: events.append((e, a)),
                     executor=build) as engine:
        asked = ask(engine)
        # 3 seeds + 1 repeat of seed 1, not 5 runs (seeds 1 and 2 twice)
        assert _baseline_jobs(recorded) == [(1,), (2,), (3,), (1,)]
        floor = run_noise(engine)
        assert isinstance(floor, NoiseFloor) and floor.deterministic
        assert engine.get(0).score == 200  # median of 100, 200, 600: each seed once
        lines = [a.reason for e, a in events if e is Event.BASELINE_RUN]
        assert len(lines) == 4 and all(
            re.fullmatch(r"run \d of 4 \(seed [123]\) \d+\.\d s", line) for line in lines), lines
        assert [line.split()[1] for line in lines] == ["1", "2", "3", "4"]

        (Path(asked.workdir) / "knob.py").write_text("KNOB = 101\n")
        told = tell(engine, asked.id, "a bigger knob")
        assert told.attempt.status.value == "kept", told.attempt
        decision = told.attempt.decision
        assert decision is not None and "interval" not in decision.evidence
        assert "[" not in evidence_line(decision.evidence)

        confirmation = confirm_champion(engine)
        assert confirmation is not None and confirmation.deterministic
        assert confirmation.low is None and confirmation.high is None
        assert confirmation.improvement == pytest.approx(0.01)
        assert "[" not in confirmation.summary() and "deterministic" in confirmation.summary()

        summary = overview(engine)
        assert summary["summary"]["gain_interval"] is None
        assert all(step["interval"] is None for step in summary["champion_steps"])


def test_a_noisy_baseline_adds_repeats_up_to_noise_runs(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, noisy=True, noise_runs=6)
    ws = Workspace.open(root)
    recorded: list[Recording] = []
    events: list[tuple[Event, Attempt]] = []

    def build(factory: VerifierFactory) -> Executor:
        recorded.append(Recording(LocalExecutor(root, ws.dir, ws.logs_dir("main"), factory)))
        return recorded[-1]

    with open_engine(ws, "main", on_event=lambda e, a: events.append((e, a)),
                     executor=build) as engine:
        engine.start()
        assert _baseline_jobs(recorded) == [(1,), (2,), (3,), (1,), (2,), (3,)]
        floor = run_noise(engine)
        assert floor is not None and not floor.deterministic and floor.runs == 6
    lines = [a.reason for e, a in events if e is Event.BASELINE_RUN]
    # The plan grows once the repeat of seed 1 disagreed: 4 runs, then 6.
    assert [line.split()[3] for line in lines] == ["4", "4", "4", "4", "6", "6"], lines


def test_the_line_printer_shows_each_baseline_run() -> None:
    out = io.StringIO()
    printer = LinePrinter(Direction.MAX, stream=out)
    printer(Event.BASELINE_RUN, Attempt("main", 0, None, "abc", Status.RUNNING,
                                        reason="run 2 of 4 (seed 2) 12.3 s"))
    assert out.getvalue().rstrip().endswith("baseline: run 2 of 4 (seed 2) 12.3 s")



def test_hone_ask_shows_the_baseline_runs_on_stderr(make_repo: MakeRepo,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(make_repo, noisy=False)
    assert main(["ask", "--json", "-C", str(root)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["id"] == 1  # stdout stays data
    lines = [line for line in captured.err.splitlines() if line.startswith("hone: baseline:")]
    assert len(lines) == 4 and lines[-1].startswith("hone: baseline: run 4 of 4 (seed ")


def test_the_live_view_logs_each_baseline_run_and_keeps_measuring() -> None:
    from rich.console import Console

    from hone.report.live import Limits, LiveView

    log = io.StringIO()
    view = LiveView(Limits(attempts=1, hours=None, usd=None), Direction.MAX,
                    console=Console(file=log, width=140, color_system=None))
    base = Attempt("r", 0, None, "c0", Status.RUNNING)
    view(Event.BASELINE_START, base)
    view(Event.BASELINE_RUN, Attempt("r", 0, None, "c0", Status.RUNNING,
                                     reason="run 1 of 4 (seed 1) 0.5 s"))
    assert "baseline: run 1 of 4 (seed 1) 0.5 s" in log.getvalue()
    buf = io.StringIO()
    Console(file=buf, width=140, color_system=None).print(view.render())
    assert "measuring baseline" in buf.getvalue()
