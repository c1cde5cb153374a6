"""A newcomer's first night, end to end, with the `hone` command the README's install line
gives: a clone of a `src/`-layout project whose gate needs `PYTHONPATH=src`, `hone init` (which
says what it protected and why), `hone check`, a run, `ask`/`tell` on a second run while the
first goes, `hone stop`, `hone status` in 80 columns, a typo in the config, `hone gc`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MakeRepo, git, sigint_default
from tests.installed import build_wheel, install_wheel

PY = sys.executable
# The user's own virtual environment, active (on PATH): where their project's pytest lives.
# The jail shows toolchains on PATH again, also when they lie under /tmp (a clone there).
USER_ENV = {**os.environ, "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ['PATH']}"}
PROJECT = {
    "src/mylib/__init__.py": "",
    "src/mylib/core.py": "CHUNK = 3  # hone: tune\n\n\ndef work(x: int) -> int:\n"
                         "    return x * CHUNK\n",
    "tests/test_core.py": "from mylib.core import work\n\n\ndef test_work():\n"
                          "    assert work(0) == 0\n",
    "bench.py": "import sys\n\nsys.path.insert(0, 'src')\nfrom mylib.core import CHUNK\n\n"
                "inputs = [int(x) for x in open('data/inputs.txt').read().split()]\n"
                "print(f'score: {CHUNK * len(inputs)}')\n",
    "data/inputs.txt": "1 2 3\n",
}


Cmd = Callable[..., "subprocess.CompletedProcess[str]"]


def command(bin_dir: Path, cwd: Path) -> Cmd:
    """`hone ARGS` as the installed command, in `cwd`."""
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_dir / "hone"), *args], cwd=cwd, capture_output=True,
                              text=True, timeout=300, env={**USER_ENV, **(env or {})})
    return run


def _wait_for_attempts(hone: Cmd, run: str, proc: subprocess.Popen[str], n: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        out = hone("status", "--json", "--run", run)
        if out.returncode == 0 and len(json.loads(out.stdout)["attempts"]) > n:
            return
        time.sleep(0.5)
    pytest.fail(f"run {run!r} made no {n} attempt(s)")


@pytest.mark.slow
def test_a_newcomers_first_night(make_repo: MakeRepo, tmp_path: Path) -> None:
    install_wheel(build_wheel(tmp_path / "dist"), tmp_path / "venv")
    origin = make_repo(PROJECT, name="origin")
    user = tmp_path / "mylib"
    git("clone", "-q", str(origin), str(user), cwd=tmp_path)
    hone = command(tmp_path / "venv" / "bin", user)

    init = hone("init", "--objective", f"{PY} bench.py", "--editable", "src/mylib/**",
                "--gate", f"PYTHONPATH=src {PY} -m pytest -q -p no:cacheprovider")
    assert init.returncode == 0, init.stderr
    said = init.stdout + init.stderr
    # What it protected, and why: the test suite, the objective's script and the data it reads;
    # `src` in the gate's PYTHONPATH protects nothing.
    for path in ("tests/", "bench.py", "data/inputs.txt"):
        assert any(path in line and "(" in line for line in said.splitlines()
                   if line.lstrip().startswith("protect")), said
    assert not any(line.lstrip().startswith("protect src") for line in said.splitlines())
    check = hone("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "gate" in check.stdout and "objective" in check.stdout

    run = subprocess.Popen([str(tmp_path / "venv" / "bin" / "hone"), "run", "--attempts",
                            "100000"], cwd=user, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=USER_ENV,
                           preexec_fn=sigint_default)
    try:
        _wait_for_attempts(hone, "main", run, 2)
        # Beside the going run: a second run, proposed by hand.
        asked = hone("ask", "--json", "--run", "side")
        assert asked.returncode == 0, asked.stderr
        task = json.loads(asked.stdout)
        core = Path(task["workdir"]) / "src" / "mylib" / "core.py"
        core.write_text(core.read_text().replace("CHUNK = 3", "CHUNK = 9"))
        told = hone("tell", str(task["id"]), "--run", "side", "--hypothesis", "bigger chunk",
                    "--json")
        assert told.returncode == 0, told.stderr
        assert json.loads(told.stdout)["status"] == "kept"
        assert run.poll() is None  # the first run still goes
        stop = hone("stop", "--run", "main")
        assert stop.returncode == 0, stop.stderr
        out, err = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, err
    assert "asked to stop" in out

    status = hone("status", env={"COLUMNS": "80"})
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), status.stdout
    attempts = json.loads(hone("status", "--json").stdout)["attempts"]
    rows = [line for line in lines if line.lstrip().split(" ", 1)[0].lstrip("#").isdigit()]
    assert len(rows) == len(attempts) >= 3, status.stdout  # one line per attempt
    assert "None" not in status.stdout

    # A typo in the config: one line with a suggestion; read-only commands still work.
    config = user / "hone.toml"
    good = config.read_text()
    config.write_text(good.replace("\ndirection =", "\ndirecton =", 1))
    typo = hone("run", "--attempts", "1")
    assert typo.returncode == 2 and "direction" in typo.stderr, typo.stderr
    assert len(typo.stderr.strip().splitlines()) == 1
    assert hone("status").returncode == 0
    config.write_text(good)

    dry = hone("gc", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    gc = hone("gc")
    assert gc.returncode == 0, gc.stderr
    assert git("status", "--porcelain", cwd=user).strip() == "?? hone.toml"
