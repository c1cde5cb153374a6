"""The executor contract (hone/executors/base.py), run against every executor.

Ray runs as a local Ray with 2 CPUs, started once for the session (slow: Ray takes seconds to
start on a 2-core machine).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hone.config.load import parse_config
from hone.executors import EXECUTORS, Executor, Job, Outcome, make_executor
from hone.executors.base import binary_diff
from tests.conftest import MakeRepo, git, require_tool

Make = Callable[..., Executor]

PROJECT = {
    "knob.py": "KNOB = 3\n",
    "score.py": "import os\nfrom knob import KNOB\n"
                "print(f'seed: {os.environ[\"HONE_SEED\"]}')\nprint(f'score: {KNOB}')\n",
    "check.py": "from knob import KNOB\nassert KNOB < 100, 'knob too large'\n",
}


@pytest.fixture(scope="session")
def ray_session() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING",
                 log_to_driver=False)
    yield
    ray.shutdown()


# What an executor needs besides the config (a fixture), and which are slow to start.
SESSIONS = {"ray": "ray_session"}
SLOW = {"ray"}


@pytest.fixture(params=[pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else [])
                        for name in EXECUTORS.names()])
def kind(request: pytest.FixtureRequest) -> str:
    """Every registered executor."""
    if request.param in SESSIONS:
        request.getfixturevalue(SESSIONS[request.param])
    return str(request.param)


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    return make_repo(PROJECT)


@pytest.fixture
def hone_dir(tmp_path: Path) -> Path:
    return tmp_path / "hone"  # outside the repository, which the tests commit with `add .`


@pytest.fixture
def make(kind: str, repo: Path, hone_dir: Path) -> Iterator[Make]:
    made: list[Executor] = []

    def build(objective: str = "python3 score.py", gates: list[str] | None = None,
              timeout: float = 60, sandbox: bool = False, **executor: Any) -> Executor:
        # Most tests signal through files outside the worktree, which the sandbox hides; the
        # sandbox has its own contract test below (and its tests in tests/verify).
        config = parse_config({
            "objective": {"run": objective, "timeout": timeout},
            "gates": [{"run": g, "name": f"g{i}"} for i, g in enumerate(gates or [])],
            "executor": {"kind": kind, **executor}, "sandbox": {"enabled": sandbox}})
        ex = make_executor(config, repo, hone_dir, hone_dir / "logs" / "main")
        made.append(ex)
        return ex

    yield build
    for ex in made:
        ex.close()


def commit_change(repo: Path, files: dict[str, str | bytes]) -> tuple[str, str]:
    """Commit `files` on a side branch; (base, commit), HEAD left where it was."""
    base = git("rev-parse", "HEAD", cwd=repo)
    git("checkout", "-q", "-b", f"side{len(git('branch', cwd=repo))}", cwd=repo)
    for rel, content in files.items():
        path = repo / rel
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "change", cwd=repo)
    commit = git("rev-parse", "HEAD", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    return base, commit


def job_for(repo: Path, attempt_id: int, files: dict[str, str | bytes], **kw: Any) -> Job:
    base, commit = commit_change(repo, files)
    return Job(attempt_id, base, binary_diff(repo, base, commit), **kw)


def run(ex: Executor, job: Job) -> Outcome:
    return ex.submit(job).result(timeout=120)


def test_measures_base_plus_patch_with_each_seed(make: Make, repo: Path) -> None:
    ex = make(gates=["python3 check.py"])
    out = run(ex, job_for(repo, 1, {"knob.py": "KNOB = 7\n"}, seeds=(4, 9)))
    assert out.verdict.failure is None
    assert [(m.seed, m.score) for m in out.verdict.measurements] == [(4, 7.0), (9, 7.0)]
    assert [m.metrics["seed"] for m in out.verdict.measurements] == [4.0, 9.0]
    # The base alone, with the config's seeds.
    base = git("rev-parse", "HEAD", cwd=repo)
    out0 = run(ex, Job(0, base))
    assert [(m.seed, m.score) for m in out0.verdict.measurements] == [(1, 3.0)]
    # The user's tree is untouched.
    assert (repo / "knob.py").read_text() == "KNOB = 3\n"


def test_binary_files_and_new_files_travel_in_the_patch(make: Make, repo: Path) -> None:
    blob = bytes(range(256)) * 4
    ex = make(objective="python3 -c \"import zlib; "
                        "print('score:', zlib.crc32(open('data.bin','rb').read()))\"")
    out = run(ex, job_for(repo, 2, {"data.bin": blob}))
    import zlib

    assert out.verdict.failure is None
    assert out.verdict.measurements[0].score == zlib.crc32(blob)


def test_failure_stages(make: Make, repo: Path) -> None:
    ex = make(gates=["python3 check.py"])
    gate = run(ex, job_for(repo, 3, {"knob.py": "KNOB = 500\n"}))
    assert gate.verdict.failure is not None and gate.verdict.failure.stage == "gate:g0"
    assert "knob too large" in gate.verdict.failure.log_tail
    crash = run(ex, job_for(repo, 4, {"knob.py": "KNOB = (\n"}, gates=False))
    assert crash.verdict.failure is not None and crash.verdict.failure.stage == "objective"
    base = git("rev-parse", "HEAD", cwd=repo)
    bad = run(ex, Job(5, base, b"--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n"))
    assert bad.verdict.failure is not None and bad.verdict.failure.stage == "apply"
    noscore = run(make(objective="echo hello"), Job(6, base))
    assert noscore.verdict.failure is not None and noscore.verdict.failure.stage == "objective"


def test_timeout_kills_the_process_tree(make: Make, repo: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    ex = make(objective=f"sleep 60 & echo $! > {pidfile}; wait", timeout=1.5)
    out = run(ex, Job(7, git("rev-parse", "HEAD", cwd=repo)))
    assert out.verdict.failure is not None and out.verdict.failure.stage == "timeout"
    assert not _alive(int(pidfile.read_text()))


def test_logs_come_back_and_are_written_locally(make: Make, repo: Path, hone_dir: Path
                                                ) -> None:
    ex = make(gates=["echo gate-said-this; echo to-stderr >&2"])
    out = run(ex, job_for(repo, 8, {"knob.py": "KNOB = 11\n"}))
    assert "gate-said-this" in out.logs["gate_g0.out"]
    assert "to-stderr" in out.logs["gate_g0.err"]
    assert "score: 11" in out.logs["objective_seed1.out"]
    folder = hone_dir / "logs" / "main" / "00008"
    assert "score: 11" in (folder / "objective_seed1.out").read_text()
    # A re-measurement (no gates, a label) keeps the first logs and adds its own.
    again = run(ex, job_for(repo, 8, {"knob.py": "KNOB = 11\n"}, gates=False, label="_r1"))
    assert set(again.logs) == {"objective_seed1_r1.out", "objective_seed1_r1.err"}
    assert (folder / "gate_g0.out").exists() and (folder / "objective_seed1_r1.out").exists()


def test_slots_run_at_the_same_time(make: Make, repo: Path) -> None:
    ex = make(objective="sleep 1; echo score: 1", parallel=2)
    base = git("rev-parse", "HEAD", cwd=repo)
    futures = [ex.submit(Job(i, base)) for i in (10, 11)]
    a, b = (f.result(timeout=120) for f in futures)
    assert a.verdict.failure is None and b.verdict.failure is None
    assert a.started < b.finished and b.started < a.finished  # the intervals overlap
    assert a.slot != b.slot


def test_exclusive_objective_runs_objectives_one_at_a_time(make: Make, repo: Path) -> None:
    timed = ("python3 -c \"import json, time; s = time.time(); time.sleep(0.5); "
             "print(json.dumps({'score': 1, 'start': s, 'end': time.time()}))\"")
    ex = make(objective=timed, parallel=2, exclusive_objective=True)
    base = git("rev-parse", "HEAD", cwd=repo)
    futures = [ex.submit(Job(i, base)) for i in (12, 13)]
    m1, m2 = (f.result(timeout=120).verdict.measurements[0].metrics for f in futures)
    first, second = sorted([m1, m2], key=lambda m: m["start"])
    assert first["end"] <= second["start"]


def test_cancel_kills_running_commands(make: Make, repo: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    # Two slots: with one, `local` verifies inline and `submit` would return only at the end.
    ex = make(objective=f"sleep 60 & echo $! > {pidfile}; wait", parallel=2)
    fut = ex.submit(Job(14, git("rev-parse", "HEAD", cwd=repo)))
    deadline = time.time() + 60
    while not pidfile.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert pidfile.exists()
    pid = int(pidfile.read_text())
    ex.cancel()
    deadline = time.time() + 20
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    del fut


def test_the_sandbox_applies_on_every_executor(make: Make, repo: Path, tmp_path: Path) -> None:
    require_tool("bwrap")
    outside = tmp_path / "outside.txt"
    ex = make(objective=f"echo escaped > {outside}; echo score: 1", sandbox=True)
    run(ex, Job(15, git("rev-parse", "HEAD", cwd=repo)))
    assert not outside.exists()
    # The same command unjailed does write there: the check above is not vacuous.
    run(make(objective=f"echo escaped > {outside}; echo score: 1"),
        Job(16, git("rev-parse", "HEAD", cwd=repo)))
    assert outside.exists()


def test_local_slots_get_their_own_gpu(repo: Path, hone_dir: Path) -> None:
    config = parse_config({
        "objective": {"run": "sleep 0.5; echo gpu: $CUDA_VISIBLE_DEVICES; "
                               "echo slot: $HONE_SLOT; echo score: 1"},
        "executor": {"parallel": 2, "gpus": [5, 7]}})  # sandbox as configured: "auto"
    with make_executor(config, repo, hone_dir, hone_dir / "logs") as ex:
        base = git("rev-parse", "HEAD", cwd=repo)
        outs = [f.result() for f in [ex.submit(Job(i, base)) for i in (1, 2)]]
    metrics = [o.verdict.measurements[0].metrics for o in outs]
    assert {m["slot"]: m["gpu"] for m in metrics} == {0.0: 5.0, 1.0: 7.0}


@pytest.mark.slow
def test_ray_retries_a_lost_worker(ray_session: None, repo: Path, hone_dir: Path,
                                  tmp_path: Path) -> None:
    marker = tmp_path / "killed-once"
    # The first run kills the Ray worker that runs it (its parent); Ray runs the task again.
    # If the kill did not land, the objective fails (exit 1) and so does the test.
    objective = (f"if [ ! -e {marker} ]; then touch {marker}; kill -9 $PPID; sleep 5; exit 1; "
                 "fi; echo score: 42")
    config = parse_config({"objective": {"run": objective},  # unjailed: $PPID is the worker
                           "executor": {"kind": "ray", "max_retries": 2},
                           "sandbox": {"enabled": False}})
    with make_executor(config, repo, hone_dir, hone_dir / "logs") as ex:
        out = ex.submit(Job(1, git("rev-parse", "HEAD", cwd=repo))).result(timeout=300)
    assert marker.exists()
    assert out.verdict.failure is None and out.verdict.measurements[0].score == 42


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split()[2] != "Z"

