"""Runs that share a repository: two runs at once, ask/tell beside a run, `hone stop`,
`[notify] command`, and exclusive_objective's machine-wide lock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from hone.cli import main
from hone.errors import RunLocked
from hone.loop.budget import Budget, budget_spent
from hone.loop.workspace import Workspace
from tests.conftest import KNOB_PROJECT, MakeRepo, git, sigint_default

Capsys = pytest.CaptureFixture[str]


def hone(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# KNOB_PROJECT without its cap: the classic mutator never runs out of better knobs, so a run
# with a large attempt budget goes until it is stopped.
PROJECT = {**KNOB_PROJECT, "score.py": "from knob import KNOB\nprint(f'score: {KNOB}')\n"}


@pytest.fixture
def root(make_repo: MakeRepo, capsys: Capsys) -> Path:
    path = make_repo(PROJECT)
    assert hone(capsys, "init", "--objective", "python3 score.py", "-C", str(path))[0] == 0
    return path


def add_config(root: Path, text: str) -> None:
    with (root / "hone.toml").open("a", encoding="utf-8") as f:
        f.write("\n" + text)


def status(capsys: Capsys, root: Path, run: str) -> dict[str, object]:
    code, out, err = hone(capsys, "status", "--json", "--run", run, "-C", str(root))
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_each_run_has_its_own_lock_and_worktrees(root: Path) -> None:
    ws = Workspace.open(root)
    with ws.lock("a", "run"):
        with ws.lock("a/b"), ws.lock("b"):  # other runs are free, `a/b` is not `a`
            pass
        with pytest.raises(RunLocked, match=r"run 'a' is in use by `hone run` \(pid \d+\)"):
            ws.lock("a", "ask")
        assert ws.locks.going("a") and not ws.locks.going("b")
    assert not ws.locks.going("a")
    dirs = {ws.run_dir(r) for r in ("a", "a/b", "a%2Fb", "b")}
    assert len(dirs) == 4 and all(d.parent == ws.dir / "runs" for d in dirs)
    assert ws.worktrees("a").base != ws.worktrees("b").base


def test_stop_asks_only_a_going_run(root: Path, capsys: Capsys) -> None:
    code, _, err = hone(capsys, "stop", "-C", str(root))
    assert code == 1 and "run 'main' is not going" in err
    ws = Workspace.open(root)
    budget = Budget(attempts=100, stop_file=ws.locks.stop_file("main"))
    assert budget_spent([], budget, None) == ""
    with ws.lock("main", "run"):
        code, out, _ = hone(capsys, "stop", "-C", str(root))
        assert code == 0 and "asked run 'main' to stop" in out and "`hone run`" in out
        assert budget_spent([], budget, None) == "asked to stop (hone stop)"
        code, _, err = hone(capsys, "stop", "--run", "other", "-C", str(root))
        assert code == 1 and "run 'other' is not going" in err


def _events(log: Path) -> list[dict[str, str]]:
    """The environment of each notify call, in order."""
    blocks = log.read_text(encoding="utf-8").split("---\n")
    return [dict(line.split("=", 1) for line in b.splitlines()) for b in blocks if b.strip()]


def test_notify_runs_on_champion_held_and_stop(root: Path, capsys: Capsys,
                                               tmp_path: Path) -> None:
    log = tmp_path / "events.txt"
    command = f"env | grep -E '^HONE_(EVENT|RUN|ATTEMPT|SCORE)=' | sort >> {log}; " \
              f"echo --- >> {log}"
    add_config(root, f'[notify]\ncommand = "{command}"\n')
    asked = json.loads(hone(capsys, "ask", "--json", "-C", str(root))[1])
    (Path(asked["workdir"]) / "knob.py").write_text("KNOB = 5  # hone: tune\n")
    code, out, err = hone(capsys, "tell", str(asked["id"]), "--json", "-C", str(root))
    assert code == 0 and json.loads(out)["status"] == "kept", err
    assert _events(log) == [{"HONE_EVENT": "champion", "HONE_RUN": "main",
                             "HONE_ATTEMPT": str(asked["id"]), "HONE_SCORE": "5.0"}]
    code, _, err = hone(capsys, "run", "--attempts", "2", "-C", str(root))
    assert code == 0, err
    champion = status(capsys, root, "main")["champion"]
    assert isinstance(champion, dict)
    last = _events(log)[-1]
    assert last["HONE_EVENT"] == "stopped" and last["HONE_ATTEMPT"] == str(champion["id"])

    from hone.loop.notify import Notifier
    from hone.records import Attempt, Event, Status

    ws = Workspace.open(root)
    held = Attempt("main", 9, 1, None, Status.HELD, score=2.5)
    Notifier(ws.config.notify, "main", root, tmp_path / "logs")(Event.DECIDED, held)
    assert _events(log)[-1] == {"HONE_EVENT": "held", "HONE_RUN": "main",
                                "HONE_ATTEMPT": "9", "HONE_SCORE": "2.5"}
    # A failing command is said, not fatal.
    (root / "hone.toml").write_text((root / "hone.toml").read_text().replace(
        command, "echo nope >&2; exit 3"))
    code, _, err = hone(capsys, "run", "--attempts", "2", "-C", str(root))
    assert code == 0 and "hone: notify (stopped) exited 3: nope" in err


def test_exclusive_objective_takes_the_machine_lock_with_one_slot(
        root: Path, capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HONE_LOCK_DIR", str(tmp_path / "locks"))
    add_config(root, "[executor]\nexclusive_objective = true\n")
    assert hone(capsys, "run", "--attempts", "1", "-C", str(root))[0] == 0
    path = tmp_path / "locks" / "objective.lock"
    assert path.is_file()  # the inline executor took it: other runs' objectives wait
    from hone.executors.base import objective_lock

    with objective_lock(), pytest.raises(Timeout):
        FileLock(str(path), timeout=0).acquire()


def _wait_for_attempt(capsys: Capsys, root: Path, run: str, proc: subprocess.Popen[str]
                      ) -> None:
    """Until `run` has a decided attempt besides the baseline (the journal, polled)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if (root / ".git" / "hone" / "hone.db").exists():
            code, out, _ = hone(capsys, "status", "--json", "--run", run, "-C", str(root))
            if code == 0 and any(a["id"] != 0 and a["status"] != "running"
                                 for a in json.loads(out)["attempts"]):
                return
        time.sleep(0.5)
    pytest.fail(f"run {run!r} made no attempt")


def _assert_measured_own_code(capsys: Capsys, root: Path, run: str) -> int:
    """Every measured attempt of `run` scored what its own commit's knob gives (another run's
    worktree would give another); how many were checked."""
    checked = 0
    attempts = status(capsys, root, run)["attempts"]
    assert isinstance(attempts, list)
    for a in attempts:
        if a["score"] is None or not a["commit"]:
            continue
        knob = re.search(r"KNOB = (\S+)", git("show", f"{a['commit']}:knob.py", cwd=root))
        assert knob is not None
        assert a["score"] == pytest.approx(float(knob.group(1))), (run, a)
        checked += 1
    return checked


@pytest.mark.slow
def test_two_runs_at_once_ask_tell_beside_a_run_and_stop(root: Path, capsys: Capsys) -> None:
    first = subprocess.Popen(
        [sys.executable, "-m", "hone", "run", "--run", "a", "--attempts", "100000",
         "--mutator", "classic"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=sigint_default)
    try:
        _wait_for_attempt(capsys, root, "a", first)
        # Run `a` ends only when stopped: run `b` goes, start to end, while it goes.
        code, _, err = hone(capsys, "run", "--run", "b", "--attempts", "3", "--mutator",
                            "classic", "-C", str(root))
        assert code == 0, err
        asked = json.loads(hone(capsys, "ask", "--json", "--run", "b", "-C", str(root))[1])
        (Path(asked["workdir"]) / "knob.py").write_text("KNOB = 17  # hone: tune\n")
        code, out, err = hone(capsys, "tell", str(asked["id"]), "--run", "b", "--json",
                              "-C", str(root))
        assert code == 0 and json.loads(out)["score"] == 17, err
        assert first.poll() is None
        code, _, err = hone(capsys, "ask", "--run", "a", "-C", str(root))
        assert code == 1 and "run 'a' is in use by `hone run`" in err
        code, out, _ = hone(capsys, "runs", "--json", "-C", str(root))
        assert {r["name"]: r["state"] for r in json.loads(out)["runs"]} == {
            "a": "going", "b": "stopped"}
        code, _, err = hone(capsys, "stop", "-C", str(root))  # the default run, `main`
        assert code == 1 and "run 'main' is not going (going: a; name one with --run)" in err
        code, out, _ = hone(capsys, "stop", "--run", "a", "-C", str(root))
        assert code == 0 and "asked run 'a' to stop" in out
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err
    assert "stopped: asked to stop (hone stop)" in out
    assert "champion vs baseline" in out  # confirmed at the end, as on a spent budget
    code, _, err = hone(capsys, "stop", "--run", "a", "-C", str(root))
    assert code == 1 and "run 'a' is not going" in err
    assert _assert_measured_own_code(capsys, root, "a") >= 2  # the baseline and one more
    assert _assert_measured_own_code(capsys, root, "b") >= 2
    for run in ("a", "b"):
        assert (root / ".hone" / "runs" / run / "worktrees" / "baseline").is_dir()


def _get_json(url: str) -> dict[str, object]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as resp:
        data: dict[str, object] = json.loads(resp.read())
        return data


@contextmanager
def _dashboard(root: Path, capsys: Capsys) -> Iterator[str]:
    """`hone ui` for run `a` of a repository with runs `a` and `b`: its base URL."""
    import threading

    from hone.cli_common import open_view
    from hone.report.server import make_server

    for run in ("a", "b"):  # two runs with their baselines
        assert hone(capsys, "ask", "--run", run, "-C", str(root))[0] == 0
    server = make_server(open_view(root, "a"), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_ui_switches_runs(root: Path, capsys: Capsys) -> None:
    import urllib.request

    with _dashboard(root, capsys) as base:
        assert _get_json(f"{base}/api/runs") == {
            "default": "a", "runs": [{"name": "a", "state": "stopped"},
                                     {"name": "b", "state": "stopped"}]}
        assert _get_json(f"{base}/api/overview")["run"] == "a"
        assert _get_json(f"{base}/api/overview?run=b")["run"] == "b"
        assert _get_json(f"{base}/api/attempt/1?run=b")["id"] == 1
        with urllib.request.urlopen(f"{base}/?run=b", timeout=30) as resp:
            page = resp.read().decode()
        assert "<title>hone · b</title>" in page and 'id="run-switch"' in page


@pytest.mark.slow
def test_ui_run_selector_in_a_browser(root: Path, capsys: Capsys) -> None:
    from tests.report.browser import browser_page

    with _dashboard(root, capsys) as base, browser_page() as (page, errors):
        page.goto(base + "/")
        page.wait_for_selector("#run-switch:not([hidden]) option[value='b']", state="attached")
        page.wait_for_function("document.getElementById('run-name').textContent === 'a'")
        page.select_option("#run-switch", "b")
        page.wait_for_url("**/?run=b")
        page.wait_for_function("document.getElementById('run-name').textContent === 'b'")
        assert page.input_value("#run-switch") == "b"
        page.wait_for_selector("#attempts tbody tr[data-id='1']")
        assert errors == []
