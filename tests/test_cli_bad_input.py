"""Bad input gets a clear answer: one line on stderr, no traceback, the right exit code.

Each case of issue 2's "Bad input" list, through the real `hone` command in a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo, git, sigint_default


def assert_error(res: subprocess.CompletedProcess[str], code: int, needle: str,
                 context_lines: bool = False) -> None:
    """`hone: error: ...` naming `needle` on the first stderr line, exit `code`.

    With `context_lines`, further lines are allowed but must be indented log context.
    """
    assert res.returncode == code, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert lines and lines[0].startswith("hone: error: "), res.stderr
    assert needle in lines[0], res.stderr
    if context_lines:
        assert all(line.startswith("  | ") for line in lines[1:]), res.stderr
    else:
        assert len(lines) == 1, res.stderr


def write_config(root: Path, text: str) -> None:
    """Write hone.toml and commit it, as a user would."""
    (root / "hone.toml").write_text(text)
    git("add", "hone.toml", cwd=root)
    git("commit", "-qm", "config", cwd=root)


KNOB_CONFIG = '[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'


def test_not_a_git_repository(tmp_path: Path, hone: Hone) -> None:
    for args in (["status"], ["run"], ["init", "--objective", "true"]):
        assert_error(hone(*args, cwd=tmp_path), 2, "not a git repository")


def test_no_commits(tmp_path: Path, hone: Hone) -> None:
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "hone.toml").write_text(KNOB_CONFIG)
    assert_error(hone("run", cwd=tmp_path), 2, "has no commits yet")


def test_no_config(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    for args in (["run"], ["status"], ["ask"]):
        assert_error(hone(*args, cwd=root), 2, "run `hone init --objective CMD` first")


def test_unknown_key_on_run(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo({**KNOB_PROJECT, "hone.toml": KNOB_CONFIG + "protected = ['x']\n"})
    assert_error(hone("run", "--attempts", "1", cwd=root), 2, "unknown key 'files.protected'")


def test_bad_flag_value_is_a_usage_error(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo({**KNOB_PROJECT, "hone.toml": KNOB_CONFIG})
    assert_error(hone("run", "--mutator", "magic", cwd=root), 2, "mutator")
    assert_error(hone("run", "--attempts", "-1", cwd=root), 2, "budget.attempts")
    assert_error(hone("run", "--bogus", cwd=root), 2, "--bogus")
    assert_error(hone("status", "--json", "--csv", cwd=root), 2, "choose one of --json")


def test_objective_prints_no_metric(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo({**KNOB_PROJECT, "hone.toml": KNOB_CONFIG.replace(
        "python3 score.py", "echo all good")})
    res = hone("run", "--attempts", "1", cwd=root)
    assert_error(res, 1, "no metric 'score' in output", context_lines=True)
    assert "the baseline fails" in res.stderr and "  | all good" in res.stderr
    # Nothing of the failed run is kept: fixing the config starts afresh.
    write_config(root, KNOB_CONFIG)
    res = hone("run", "--attempts", "1", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "resuming" not in res.stdout


def test_score_names_an_unknown_metric(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    write_config(root, KNOB_CONFIG.replace('python3 score.py"',
                                           'python3 score.py"\nscore = "score * speed"'))
    res = hone("run", "--attempts", "1", cwd=root)
    assert_error(res, 2, "objective.score 'score * speed'")
    assert "no metric 'speed'" in res.stderr and "found: score" in res.stderr


def test_score_expression_that_is_not_arithmetic(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    write_config(root, KNOB_CONFIG.replace(
        'python3 score.py"', 'python3 score.py"\nscore = "__import__(\'os\').getpid()"'))
    assert_error(hone("run", "--attempts", "1", cwd=root), 2, "score expression")


def test_baseline_fails_its_gate_with_the_log_tail(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    write_config(root, KNOB_CONFIG + '[[gates]]\nname = "tests"\n'
                 'run = "echo 3 tests ran; echo 1 failed: test_knob >&2; exit 3"\n')
    res = hone("run", "--attempts", "5", cwd=root)
    assert_error(res, 1, "the baseline fails at stage gate:tests", context_lines=True)
    assert "exited with code 3" in res.stderr
    assert "  | 1 failed: test_knob" in res.stderr and "  | 3 tests ran" in res.stderr
    assert "#1" not in res.stdout  # aborted: no attempt was made


def test_editable_globs_match_nothing(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    res = hone("init", "--objective", "python3 score.py", "--editable", "src/**/*.rs", cwd=root)
    assert_error(res, 2, "--editable src/**/*.rs matches no tracked file")
    assert not (root / "hone.toml").exists()
    write_config(root, KNOB_CONFIG.replace('["knob.py"]', '["src/**/*.rs"]'))
    assert_error(hone("run", "--attempts", "1", cwd=root), 2,
                 "files.editable ['src/**/*.rs'] matches no tracked file")


def test_everything_protected(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    write_config(root, KNOB_CONFIG.replace('editable = ["knob.py"]', 'protect = ["*.py"]'))
    assert_error(hone("run", "--attempts", "1", cwd=root), 2, "no tracked file is editable")


def test_second_run_is_refused_while_one_is_active(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    write_config(root, KNOB_CONFIG.replace("python3 score.py", "sleep 60; python3 score.py"))
    first = subprocess.Popen([sys.executable, "-m", "hone", "run", "--attempts", "3"], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=sigint_default)
    try:
        assert first.stdout is not None
        for line in first.stdout:  # the lock is held once the baseline is being measured
            if "measuring the baseline" in line:
                break
        second = hone("run", "--attempts", "3", cwd=root)
        assert_error(second, 1, "run 'main' is in use by `hone run` (pid")
        # ask/tell take the same lock (other runs may go: tests/test_sharing.py).
        assert_error(hone("ask", cwd=root), 1, "in use by `hone run`")
        # Reading is always allowed.
        assert hone("status", "--json", cwd=root).returncode == 0
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert first.returncode == 130


def test_disk_full_while_writing_a_log_fails_the_attempt_only(make_repo: MakeRepo,
                                                              hone: Hone) -> None:
    """A real ENOSPC: attempt 1's stdout log is /dev/full, whose every write fails so."""
    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full is Linux-only")
    root = make_repo(KNOB_PROJECT)
    write_config(root, KNOB_CONFIG)
    logs = root / ".hone" / "logs" / "main" / "00001"
    logs.mkdir(parents=True)
    (logs / "objective_seed1.out").symlink_to("/dev/full")
    res = hone("run", "--attempts", "3", cwd=root)
    assert res.returncode == 0, res.stderr
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    first, *rest = status["attempts"][1:]
    assert first["status"] == "failed" and first["stage"] == "log"
    assert first["reason"] == "disk full while writing log objective_seed1.out"
    assert len(rest) == 2 and all(a["status"] in ("kept", "discarded") for a in rest)


def test_version_prints_and_exits_zero(tmp_path: Path, hone: Hone) -> None:
    from hone import __version__

    res = hone("--version", cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.strip() == f"hone {__version__}"
