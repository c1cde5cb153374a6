"""`status` at 80 columns and in a pipe, `runs`, `diff`, `gc`, a broken config, and the small
command-line fixes, driven in-process through `hone.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hone.cli import main
from tests.conftest import KNOB_PROJECT, MakeRepo

CLI = tuple[Path, "pytest.CaptureFixture[str]"]


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def repo(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a run of three told attempts: kept, discarded, and one pending ask."""
    monkeypatch.setenv("COLUMNS", "80")
    root = make_repo(KNOB_PROJECT)
    assert hone(capsys, "init", "--objective", "python3 score.py", "-C", str(root))[0] == 0
    for knob, hypothesis in ((5, "raise the knob to five " * 6), (4, "lower it again")):
        asked = json.loads(hone(capsys, "ask", "--json", "-C", str(root))[1])
        (Path(asked["workdir"]) / "knob.py").write_text(f"KNOB = {knob}  # hone: tune\n")
        code, _, err = hone(capsys, "tell", str(asked["id"]), "--hypothesis", hypothesis,
                            "-C", str(root))
        assert code == 0, err
    hone(capsys, "ask", "-C", str(root))  # #3 stays pending
    return root


def test_status_at_80_columns_is_one_line_per_attempt(repo: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = hone(capsys, "status", "-C", str(repo))
    lines = out.splitlines()
    assert code == 0
    assert all(len(line) <= 80 for line in lines), out
    assert len(lines) == 2 + 1 + 4  # title, counts, header, #0..#3
    assert "None" not in out
    assert "raise the knob to five raise" in lines[4] and lines[4].endswith("…")


def test_status_columns_filters_and_last(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = hone(capsys, "status", "--columns", "id,score", "--status", "kept,discarded",
               "-C", str(repo))[1]
    assert [line.split() for line in out.splitlines()[2:]] == [
        ["id", "score"], ["*1", "5"], ["2", "4"]]
    out = hone(capsys, "status", "--last", "1", "--json", "-C", str(repo))[1]
    assert [a["id"] for a in json.loads(out)["attempts"]] == [3]
    code, _, err = hone(capsys, "status", "--columns", "id,scor", "-C", str(repo))
    assert code == 2 and "did you mean `score`" in err


def test_best_json_gain_is_a_number(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    best = json.loads(hone(capsys, "best", "--json", "-C", str(repo))[1])
    assert best["gain"] == pytest.approx(2 / 3) and best["schema_version"] == 2
    out = hone(capsys, "best", "-C", str(repo))[1]
    assert "score 5 " in out and "(+66.67% over baseline)" in out


def test_runs_lists_each_run(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = hone(capsys, "runs", "-C", str(repo))[1]
    assert out.splitlines()[1].split()[:2] == ["main", "stopped"]
    runs = json.loads(hone(capsys, "runs", "--json", "-C", str(repo))[1])["runs"]
    assert runs[0]["champion"] == {"id": 1, "score": 5.0} and runs[0]["attempts"] == 3
    assert runs[0]["gain"] == pytest.approx(2 / 3)


def test_diff_of_two_attempts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = hone(capsys, "diff", "1", "2", "-C", str(repo))[1]
    assert "-KNOB = 5" in out and "+KNOB = 4" in out
    assert "knob.py | 2 +-" in hone(capsys, "diff", "0", "2", "--stat", "-C", str(repo))[1]


def test_gc_keeps_the_pending_ask_and_removes_the_rest(repo: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    trees = repo / ".hone" / "runs" / "main" / "worktrees"
    old = repo / ".hone" / "worktrees"  # where hones before per-run worktrees kept them
    (repo / ".hone" / "logs" / "gone-run").mkdir(parents=True)
    (repo / ".hone" / "runs" / "gone-run" / "worktrees" / "baseline").mkdir(parents=True)
    for folder in (trees / "ask-1", old / "ask-main-1"):  # as a crash left a told attempt's
        folder.mkdir(parents=True)
        (folder / "big").write_bytes(b"x" * 5000)
    out = hone(capsys, "gc", "--dry-run", "-C", str(repo))[1]
    assert "would remove .hone/runs/main/worktrees/ask-1 (5.0 kB): attempt #1" in out
    assert "would remove .hone/worktrees/ask-main-1 (5.0 kB): attempt #1" in out
    assert "would remove .hone/runs/gone-run (0 B): worktrees of run 'gone-run'" in out
    assert (trees / "ask-1").exists()
    code, out, _ = hone(capsys, "gc", "-C", str(repo))
    assert code == 0 and "removed" in out
    assert sorted(p.name for p in trees.iterdir()) == ["ask-3"]
    assert not any(old.iterdir())
    assert sorted(p.name for p in (repo / ".hone" / "runs").iterdir()) == ["main"]
    assert not (repo / ".hone" / "logs" / "gone-run").exists()
    assert hone(capsys, "gc", "-C", str(repo))[1].strip() == "nothing to remove"


def test_read_only_commands_survive_a_config_typo(repo: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    toml = repo / "hone.toml"
    toml.write_text(toml.read_text().replace("timeout", "timout", 1))
    code, _, err = hone(capsys, "run", "-C", str(repo))
    assert code == 2 and "did you mean `objective.timeout`?" in err
    report = str(repo / "report.html")
    for args in (["status"], ["show", "1"], ["best"], ["runs"], ["diff", "0", "1"],
                 ["report", "-o", report]):
        code, out, err = hone(capsys, *args, "-C", str(repo))
        assert code == 0, (args, err)
        assert "warning: hone.toml: unknown key" in err and out


def test_ask_names_a_run_that_is_not_the_default(repo: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = hone(capsys, "ask", "--run", "other", "-C", str(repo))[1]
    assert "then: hone tell 1 --run other --hypothesis" in out
    assert "--run" not in hone(capsys, "ask", "-C", str(repo))[1]


def test_debug_after_the_command_and_squash_with_a_space(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Exception, match="no attempt #99"):
        hone(capsys, "show", "99", "--debug", "-C", str(repo))
    code, out, err = hone(capsys, "best", "--branch", "tuned", "--squash", "one",
                          "-C", str(repo))
    assert code == 0, err
    assert "branch tuned" in out and "1 commit(s)" in out


def test_flags_show_in_the_table_and_the_report(repo: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from hone.cli_common import open_view
    from hone.flags import flags
    from hone.records import VettingRecord
    from hone.report.data import overview
    from hone.store import SQLiteStore

    store = SQLiteStore(repo / ".git" / "hone" / "hone.db")
    one = store.get_attempt("main", 1)
    assert one is not None
    finding = {"check": "constants", "path": "knob.py", "line": 1, "reason": "magic number"}
    holdout = {"score": 4.0, "vs_baseline": {"reference_id": 0, "score": 4.0, "reference": 5.0,
                                             "margin": 0.1, "worse": True}}
    store.put_attempt(replace(one, vetting=VettingRecord(
        audit=[finding], overfit=True, holdout=holdout,
        reverified={"claimed_gain": 0.67, "clean_gain": 0.66, "passed": True})))
    out = hone(capsys, "status", "--columns", "id,flags", "-C", str(repo))[1]
    assert "overfit,audit:1" in out.splitlines()[4]
    row = overview(open_view(repo, None))["attempts"][1]
    flagged = store.get_attempt("main", 1)
    assert flagged is not None and row["flags"] == flags(flagged)
    assert row["flags"][0] == "overfit: the holdout got worse"
    assert row["reverified"]["passed"] and row["holdout_check"]["score"] == 4.0

    # In the page: the flag in the table, the vetting in the attempt's detail.
    from tests.report.browser import browser_page

    report = repo / "report.html"
    assert hone(capsys, "report", "-o", str(report), "-C", str(repo))[0] == 0
    with browser_page() as (page, errors):
        page.goto(report.as_uri())
        page.locator("#attempts tbody tr[data-id='1']").click()
        page.wait_for_selector("#detail .flag-line")
        assert "overfit" in page.inner_text("#attempts tbody tr[data-id='1'] td.flags")
        detail = page.inner_text("#detail")
        assert "passed · claimed +67.00%, clean +66.00%" in detail
        assert "4 · baseline #0 5 (worse: overfit?)" in detail
        assert not errors, errors


def test_runs_says_which_run_is_going(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hone.loop.workspace import Workspace

    ws = Workspace.open(repo)
    with ws.lock("main"):
        runs = json.loads(hone(capsys, "runs", "--json", "-C", str(repo))[1])["runs"]
        assert runs[0]["state"] == "going"
        out = hone(capsys, "gc", "--dry-run", "-C", str(repo))[1]
        assert "a run is going" in out and "worktrees/baseline" not in out
    assert "worktrees/baseline" in hone(capsys, "gc", "--dry-run", "-C", str(repo))[1]
    runs = json.loads(hone(capsys, "runs", "--json", "-C", str(repo))[1])["runs"]
    assert runs[0]["state"] == "stopped"
