"""The verifier: gates in order and fail-fast, then the objective once per seed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hone.config.load import parse_config
from hone.records import Measurement
from hone.verify.verifier import StageFailure, Verifier


def verifier(tmp_path: Path, **sections: Any) -> Verifier:
    config = parse_config({"objective": {"run": "echo score: 1"}, **sections})
    return Verifier(config, tmp_path / "logs")


def test_seed_placeholder_and_env(tmp_path: Path) -> None:
    v = verifier(tmp_path, objective={
        "run": 'echo "score: {seed}"; echo "env: $HONE_SEED"; echo "attempt: $HONE_ATTEMPT"',
        "seeds": [3, 7]})
    verdict = v.verify(tmp_path, 5)
    assert verdict.passed
    assert [(m.seed, m.score, m.metrics["env"], m.metrics["attempt"])
            for m in verdict.measurements] == [(3, 3.0, 3.0, 5.0), (7, 7.0, 7.0, 5.0)]
    assert verdict.score == 5.0  # the median
    logs = sorted(p.name for p in (tmp_path / "logs" / "00005").iterdir())
    assert logs == ["objective_seed3.err", "objective_seed3.out",
                    "objective_seed7.err", "objective_seed7.out"]


def test_repeats_and_score_expression(tmp_path: Path) -> None:
    v = verifier(tmp_path, objective={
        "run": 'echo "{\\"ops\\": $((HONE_SEED * 10)), \\"s\\": 2}"', "repeats": 3,
        "score": "ops / s"})
    verdict = v.verify(tmp_path, 1)
    assert [m.score for m in verdict.measurements] == [5.0, 10.0, 15.0]


def test_gates_run_in_order_and_stop_at_the_first_failure(tmp_path: Path) -> None:
    trail = tmp_path / "trail"
    v = verifier(tmp_path, gates=[
        {"name": "build", "run": f"echo build >> {trail}"},
        {"name": "tests", "run": f"echo tests >> {trail}; echo 2 failed; exit 1"},
        {"name": "lint", "run": f"echo lint >> {trail}"},
    ], objective={"run": f"echo objective >> {trail}; echo score: 1"})
    verdict = v.verify(tmp_path, 1)
    assert trail.read_text().split() == ["build", "tests"]
    assert verdict.failure == StageFailure("gate:tests", "gate:tests exited with code 1",
                                           "2 failed")
    assert verdict.measurements == []


def test_passing_gates_then_objective(tmp_path: Path) -> None:
    v = verifier(tmp_path, gates=[{"run": "true"}, {"run": "test -d ."}])
    verdict = v.verify(tmp_path, 1)
    assert verdict.passed
    (m,) = verdict.measurements
    assert m == Measurement(1, 1, 1.0, {"score": 1.0}, m.seconds, cpu_seconds=m.cpu_seconds)
    assert m.cpu_seconds > 0  # hone timed the process itself
    assert 0 < m.seconds < 30
    assert (tmp_path / "logs" / "00001" / "gate_gate2.out").exists()


def test_gate_timeout_is_its_own_stage(tmp_path: Path) -> None:
    v = verifier(tmp_path, gates=[{"name": "slow", "run": "echo started; sleep 30",
                                   "timeout": 0.5}])
    f = v.verify(tmp_path, 1).failure
    assert f is not None and f.stage == "timeout"
    assert f.reason == "gate:slow timed out after 0.5s" and f.log_tail == "started"


def test_objective_failures(tmp_path: Path) -> None:
    cases = {
        "echo boom >&2; exit 2": ("objective", "objective exited with code 2", "boom"),
        "echo nothing here": ("objective", "no metric 'score' in output", "nothing here"),
        "echo speed: 3": ("objective", "no metric 'score' in output (found: speed)",
                          "speed: 3"),
        "echo score: nan": ("objective", "score is not finite (nan)", "score: nan"),
    }
    for cmd, expected in cases.items():
        f = verifier(tmp_path, objective={"run": cmd}).verify(tmp_path, 1).failure
        assert f is not None
        assert (f.stage, f.reason, f.log_tail) == expected, cmd
    f = verifier(tmp_path, objective={"run": "sleep 30", "timeout": 0.3}).verify(
        tmp_path, 1).failure
    assert f is not None and (f.stage, f.reason) == ("timeout", "objective timed out after 0.3s")


def test_a_failing_seed_keeps_the_earlier_measurements(tmp_path: Path) -> None:
    v = verifier(tmp_path, objective={"run": "test {seed} -lt 3 && echo score: {seed}",
                                      "repeats": 4})
    verdict = v.verify(tmp_path, 1)
    assert verdict.failure is not None and verdict.failure.stage == "objective"
    assert [m.seed for m in verdict.measurements] == [1, 2]


def test_unknown_metric_is_flagged_only_when_metrics_were_printed(tmp_path: Path) -> None:
    f = verifier(tmp_path, objective={"run": "echo speed: 3", "score": "score * speed"}
                 ).verify(tmp_path, 1).failure
    assert f is not None and f.unknown_metric == "score"
    f = verifier(tmp_path, objective={"run": "echo hi"}).verify(tmp_path, 1).failure
    assert f is not None and f.unknown_metric == ""


def test_tail_lines_bounds_the_failure_tail(tmp_path: Path) -> None:
    v = verifier(tmp_path, objective={"run": "seq 1 100; exit 1"}, logs={"tail_lines": 3})
    f = v.verify(tmp_path, 1).failure
    assert f is not None and f.log_tail == "98\n99\n100"


def test_a_new_tree_is_measured_with_its_own_code_not_cached_bytecode(tmp_path: Path) -> None:
    """Python trusts a .pyc whose source has the same size and modification second; the
    verifier's bytecode cache must not let a worktree checked out at another commit within the
    same second run its previous code (two verifiers: executors build one per job)."""
    work = tmp_path / "work"
    work.mkdir()
    knob = work / "knob.py"
    knob.write_text("KNOB = 10\n")
    (work / "bench.py").write_text(
        "import os, sys\nsys.path.insert(0, os.getcwd())\nfrom knob import KNOB\n"
        "print(f'score: {KNOB}')\n")
    sections = {"objective": {"run": "python3 bench.py"}, "sandbox": {"enabled": False}}
    first = verifier(tmp_path, **sections).verify(work, 1)
    assert [m.score for m in first.measurements] == [10.0]
    stamp = knob.stat()
    knob.write_text("KNOB = 30\n")  # same size
    os.utime(knob, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same modification time
    second = verifier(tmp_path, **sections).verify(work, 2)
    assert [m.score for m in second.measurements] == [30.0]


def _guarded(tmp_path: Path, sections: dict[str, Any]) -> tuple[Verifier, Path]:
    """A verifier with a guard over a one-commit repository (the worktree is its checkout)."""
    from hone.vcs.paths import PathRules
    from hone.verify.guard import Guard
    from tests.conftest import git

    work = tmp_path / "work"
    work.mkdir()
    (work / "knob.txt").write_text("1\n")
    (work / "bench.sh").write_text("echo protected\n")
    git("init", "-q", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-qm", "base", cwd=work)
    base = git("rev-parse", "HEAD", cwd=work)
    config = parse_config(sections)
    guard = Guard.snapshot(work, base, PathRules([], ["bench.sh"]), [])
    return Verifier(config, tmp_path / "logs", guard=guard), work


def test_each_command_starts_from_the_committed_tree_plus_declared_outputs(
        tmp_path: Path) -> None:
    """What a gate writes is gone before the next stage (a tracked file it rewrote, keeping
    size and time, is restored) except its declared outputs; what one objective run leaves
    is gone before the next seed."""
    gate = ("mkdir -p build && echo built > build/sim && echo cache > answers && "
            "cp -p knob.txt .ref && echo 9 > knob.txt && touch -r .ref knob.txt")
    objective = ('echo "score: $(cat knob.txt)"; echo "built: $(cat build/sim | wc -l)"; '
                 'echo "cached: $(ls answers 2>/dev/null | wc -l)"; '
                 'echo "memo: $(ls memo 2>/dev/null | wc -l)"; touch memo')
    v, work = _guarded(tmp_path, {
        "gates": [{"name": "build", "run": gate, "outputs": ["build/**"]}],
        "objective": {"run": objective, "seeds": [1, 2]}, "sandbox": {"enabled": False}})
    verdict = v.verify(work, 1)
    assert verdict.passed, verdict.failure
    assert [(m.score, m.metrics["built"], m.metrics["cached"], m.metrics["memo"])
            for m in verdict.measurements] == [(1.0, 1.0, 0.0, 0.0), (1.0, 1.0, 0.0, 0.0)]
