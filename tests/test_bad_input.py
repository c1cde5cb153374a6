"""Every input validated at the edge (issue 16): bad input is one line on stderr and exit 2,
never a traceback; a candidate's bad output is a failed attempt and the run goes on.

Driven in-process through `hone.cli.main`.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hone.cli import main
from hone.config.names import run_name_problem
from tests.conftest import KNOB_PROJECT, MakeRepo, git

CONFIG = '[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_usage_error(result: tuple[int, str, str], needle: str) -> None:
    code, _, err = result
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hone: error: "), err
    assert needle in lines[0], err


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    return make_repo({**KNOB_PROJECT, "hone.toml": CONFIG})


def set_config(root: Path, extra: str) -> None:
    (root / "hone.toml").write_text(CONFIG + extra)
    git("commit", "-qam", "config", cwd=root)


BAD_NAMES = ["a..b", "x.lock", "../../pwned", "a/b", "/a", "a/", "@", "a@{1}", "a~1", "a^",
             "a:b", "a?", "a*", "a[b", "a\\b", "a\x01b", "a b", "trailing.", "-dash", ""]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_run_names_are_refused(name: str) -> None:
    assert run_name_problem(name)


@pytest.mark.parametrize("name", ["main", "exp-2", "a.b", "v1.2_fast", "x" * 100])
def test_good_run_names_pass(name: str) -> None:
    assert run_name_problem(name) is None


@pytest.mark.parametrize("name", ["a..b", "x.lock", "../../pwned", "@"])
def test_bad_run_name_on_the_command_line(repo: Path, capsys: pytest.CaptureFixture[str],
                                          name: str) -> None:
    for command in ("status", "run", "ask", "mcp"):
        assert_usage_error(hone(capsys, command, "--run", name, "-C", str(repo)), "--run")
    assert not (repo.parent / "pwned").exists()


@pytest.mark.parametrize("name", ["a..b", "x.lock", "../../pwned"])
def test_bad_run_name_in_the_config(repo: Path, capsys: pytest.CaptureFixture[str],
                                    name: str) -> None:
    set_config(repo, f"[run]\nname = {json.dumps(name)}\n")
    assert_usage_error(hone(capsys, "run", "-C", str(repo)), "run.name")


@pytest.mark.parametrize("extra, needle", [
    ("timeout = inf\n", "objective.timeout"),
    ("timeout = nan\n", "objective.timeout"),
    ("timeout = 1e300\n", "objective.timeout"),
    ("repeats = 100000000\n", "objective.repeats"),
    ("seeds = [18446744073709551616]\n", "objective.seeds"),
    ("seeds = [-1]\n", "objective.seeds"),
    ("[sandbox]\nmemory_mb = 99999999999999999999\n", "sandbox.memory_mb"),
    ("[sandbox]\nrw_paths = [\"/\"]\n", "sandbox.rw_paths"),
    ("[sandbox]\nro_paths = [\"/../\"]\n", "sandbox.ro_paths"),
    ("[agent]\nrw_paths = [\"/\"]\n", "agent.rw_paths"),
    ("[sandbox]\nrw_paths = [\"REPO\"]\n", "sandbox.rw_paths"),
    ("[sandbox]\nrw_paths = [\"PARENT\"]\n", "sandbox.rw_paths"),
    ("[sandbox]\nro_paths = [\".\"]\n", "sandbox.ro_paths"),
    ("[budget]\nhours = inf\n", "budget.hours"),
])
def test_numbers_and_paths_in_the_config_are_bounded(
        repo: Path, capsys: pytest.CaptureFixture[str], extra: str, needle: str) -> None:
    extra = extra.replace("PARENT", str(repo.parent)).replace("REPO", str(repo))
    # A key without a section header belongs to [objective].
    text = CONFIG.replace("[files]", extra + "[files]") if not extra.startswith("[") else \
        CONFIG + extra
    (repo / "hone.toml").write_text(text)
    git("commit", "-qam", "config", cwd=repo)
    assert_usage_error(hone(capsys, "run", "-C", str(repo)), needle)


def test_a_path_inside_the_repository_may_be_shown(repo: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from hone.config.load import load_config

    set_config(repo, '[sandbox]\nro_paths = ["data", "/usr"]\n')
    assert load_config(repo)[1].sandbox.ro_paths == ["data", "/usr"]


def test_deeply_nested_toml_is_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_config(repo, "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert_usage_error(hone(capsys, "status", "-C", str(repo)), "hone.toml")


@pytest.mark.parametrize("args, needle", [
    (["show", "99999999999999999999"], "ID"),
    (["show", "-1"], ""),
    (["tell", "99999999999999999999"], "ID"),
    (["diff", "0", "99999999999999999999"], "B"),
    (["simplify", "--attempts", "-1"], "--attempts"),
    (["status", "--last", "-1"], "--last"),
    (["ask", "--parent", "99999999999999999999"], "--parent"),
    (["run", "--attempts", "99999999999999999999"], "attempts"),
    (["run", "--hours", "inf"], "hours"),
])
def test_numbers_on_the_command_line_are_bounded(
        repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    assert_usage_error(hone(capsys, *args, "-C", str(repo)), needle)


def test_a_metric_too_large_for_a_float_fails_the_attempt(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "score.py").write_text(
        "import json\nfrom knob import KNOB\nprint(json.dumps({'score': KNOB}))\n")
    git("commit", "-qam", "json score", cwd=repo)
    asked = json.loads(hone(capsys, "ask", "--json", "-C", str(repo))[1])
    (Path(asked["workdir"]) / "knob.py").write_text("KNOB = 10 ** 400  # hone: tune\n")
    code, out, err = hone(capsys, "tell", str(asked["id"]), "--json", "-C", str(repo))
    assert code == 0, err
    told = json.loads(out)
    assert told["status"] == "failed", told
    code, out, err = hone(capsys, "show", str(asked["id"]), "--json", "-C", str(repo))
    assert "metrics" in out and "does not fit a float" in out, out
    # The run goes on: the next attempt is reserved as usual.
    code, out, err = hone(capsys, "ask", "--json", "-C", str(repo))
    assert code == 0, err
    assert json.loads(out)["id"] == asked["id"] + 1


def _get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_ui_checks_the_host_and_bounds_ids(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hone.cli_common import open_view
    from hone.report.server import make_server

    assert hone(capsys, "ask", "-C", str(repo))[0] == 0  # a run with its baseline
    server = make_server(open_view(repo, None), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/api/overview")[0] == 200
        for host in ("localhost", f"localhost:{port}", f"[::1]:{port}", f"127.0.0.1:{port}"):
            assert _get(f"{base}/api/overview", host)[0] == 200, host
        for host in ("evil.example", f"evil.example:{port}", "localhost:1", "127.0.0.1.evil"):
            assert _get(f"{base}/api/overview", host)[0] == 403, host
        assert _get(f"{base}/api/attempt/0")[0] == 200
        code, body = _get(f"{base}/api/attempt/99999999999999999999")
        assert code == 404 and "Traceback" not in body
        assert _get(f"{base}/api/attempt/999999999")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
