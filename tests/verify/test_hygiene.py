"""Interpreter hygiene: shadowing modules and committed bytecode are refused; every command runs
without the user site and writes bytecode outside the worktree; a forged second metric record
fails the run at stage `metrics`."""

from __future__ import annotations

import os
import py_compile
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hone.config.load import parse_config
from hone.verify.hygiene import hygiene_failures, module_name, python_env, shadowing
from hone.verify.verifier import StageFailure, Verifier
from tests.conftest import require_tool


def verifier(tmp_path: Path, **sections: Any) -> Verifier:
    config = parse_config({"objective": {"run": "echo score: 1"}, **sections})
    return Verifier(config, tmp_path / "logs")


@pytest.mark.parametrize("path, name", [
    ("json.py", "json"), ("deep/er/time/__init__.py", "time"), ("x/random.pyc", "random"),
    ("math.cpython-311-x86_64-linux-gnu.so", "math"), ("calc.py", "calc"),
    ("data/json.txt", None), ("__pycache__/json.cpython-311.pyc", None)])
def test_module_name(path: str, name: str | None) -> None:
    assert module_name(path) == name


def test_new_files_that_shadow_a_module_are_refused(tmp_path: Path) -> None:
    reasons = hygiene_failures(tmp_path, ["json.py", "sub/time/__init__.py", "pytest.py",
                                          "calc.py", "fast_path.py", "pkg/__main__.py"])
    assert reasons == ["json.py shadows the standard-library module 'json'",
                       "sub/time/__init__.py shadows the standard-library module 'time'",
                       "pytest.py shadows the installed module 'pytest'"]


def test_a_shadowing_name_already_at_the_baseline_is_the_projects_layout() -> None:
    assert shadowing(["random.py"], baseline_paths={"random.py"}) == []
    assert shadowing(["random.py"]) != []


def test_committed_bytecode_and_binaries_are_refused_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "calc.py").write_text("X = 1\n")
    (tmp_path / "__pycache__").mkdir()
    pyc = tmp_path / "__pycache__" / "calc.cpython-311.pyc"
    py_compile.compile(str(tmp_path / "calc.py"), cfile=str(pyc))
    (tmp_path / "model.bin").write_bytes(b"\x00\x01weights")
    (tmp_path / "table.txt").write_text("1 2 3\n")
    changed = ["calc.py", "__pycache__/calc.cpython-311.pyc", "model.bin", "table.txt"]
    assert hygiene_failures(tmp_path, changed) == [
        "__pycache__/calc.cpython-311.pyc is committed bytecode, which runs instead of the "
        "source",
        "model.bin is a binary file (allow it with a pattern if it is data)"]
    assert hygiene_failures(tmp_path, changed, allow=["*.bin", "__pycache__/"]) == []


def run_python(tmp_path: Path, v: Verifier, code: str) -> str:
    (tmp_path / "probe.py").write_text(code)
    res = v._run(f"{sys.executable} probe.py", tmp_path, 1, "probe", 60)
    assert res.returncode == 0, res.tail()
    return res.stdout_tail


@pytest.mark.parametrize("sandbox", [False, True])
def test_commands_run_without_user_site_and_write_bytecode_elsewhere(
        tmp_path: Path, sandbox: bool) -> None:
    if sandbox:
        require_tool("bwrap")
    v = verifier(tmp_path, sandbox={"enabled": sandbox})
    (tmp_path / "helper.py").write_text("VALUE = 3\n")
    out = run_python(tmp_path, v, "import os, sys, helper\n"
                     "print(sys.flags.no_user_site, os.environ['PYTHONPYCACHEPREFIX'])\n")
    no_user_site, prefix = out.split()
    assert no_user_site == "1"
    assert not Path(prefix).resolve().is_relative_to(tmp_path.resolve())
    assert not (tmp_path / "__pycache__").exists()  # helper.py's bytecode went elsewhere


def test_a_planted_pycache_is_not_read(tmp_path: Path) -> None:
    # The .pyc of a different source, placed where Python would look without the prefix.
    v = verifier(tmp_path, sandbox={"enabled": False})
    (tmp_path / "helper.py").write_text("VALUE = 'forged'\n")
    py_compile.compile(str(tmp_path / "helper.py"),
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    (tmp_path / "helper.py").write_text("VALUE = 'source'\n")
    assert run_python(tmp_path, v, "import helper\nprint(helper.VALUE)\n").strip() == "source"
    # The same planted file fools a plain interpreter: the defence is the prefix.
    plain = subprocess.run([sys.executable, "-c", "import helper; print(helper.VALUE)"],
                           cwd=tmp_path, capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items()
                                if k not in python_env("")})
    assert plain.stdout.strip() == "forged"


def test_a_second_metric_record_fails_at_stage_metrics(tmp_path: Path) -> None:
    v = verifier(tmp_path, objective={"run": "echo '{\"score\": 1}'; echo '{\"score\": 99}'"})
    verdict = v.verify(tmp_path, 1)
    assert isinstance(verdict.failure, StageFailure)
    assert verdict.failure.stage == "metrics"
    assert "2 different JSON metric records" in verdict.failure.reason


def test_a_huge_integer_fails_at_stage_metrics(tmp_path: Path) -> None:
    v = verifier(tmp_path, objective={"run": "echo score: " + "7" * 401})
    failure = v.verify(tmp_path, 1).failure
    assert failure is not None and failure.stage == "metrics"
    assert "does not fit a float" in failure.reason


def test_a_record_pushed_out_of_the_tail_is_still_seen(tmp_path: Path) -> None:
    # 200 KiB of output between the harness's record and a forged one: past the 64 KiB tail.
    (tmp_path / "obj.py").write_text(
        "print('{\"score\": 1}')\nprint('x' * 200000)\nprint('{\"score\": 9}')\n")
    v = verifier(tmp_path, objective={"run": f"{sys.executable} obj.py"})
    failure = v.verify(tmp_path, 1).failure
    assert failure is not None and failure.stage == "metrics"


def test_in_the_jail_bytecode_is_written_but_never_left_for_the_next_command(
        tmp_path: Path) -> None:
    require_tool("bwrap")
    v = verifier(tmp_path, sandbox={"enabled": True})
    (tmp_path / "helper.py").write_text("VALUE = 3\n")
    (tmp_path / "probe.py").write_text(
        "import importlib.util, os, sys\n"
        "sys.path.insert(0, os.getcwd())\n"
        "cached = importlib.util.cache_from_source(os.path.abspath('helper.py'))\n"
        "before = os.path.exists(cached)\n"
        "import helper\n"
        "print(before, os.path.exists(cached), os.environ['PYTHONPYCACHEPREFIX'])\n")
    seen = []
    for attempt in (1, 1, 2):
        res = v._run(f"{sys.executable} probe.py", tmp_path, attempt, "probe", 60)
        assert res.returncode == 0, res.tail()
        before, after, prefix = res.stdout_tail.split()
        seen.append((before, after))
        assert not Path(prefix).is_relative_to(tmp_path)  # never in the worktree
    # Written from inside the jail, and gone before the next command, of the same attempt or
    # another: a .pyc one command plants is never read by the next.
    assert seen == [("False", "True")] * 3
