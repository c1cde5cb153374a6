"""Changes are noticed: a config change between two starts of a run (refused when it changes
what is measured, else applied, recorded and announced), a moved branch, a dirty tree,
`hone run --rebase`, and a baseline that fails. Driven in-process through `hone.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hone.cli import main
from hone.loop.notice import version_of
from hone.loop.workspace import Workspace
from tests.conftest import KNOB_PROJECT, MakeRepo, git

CONFIG = ('[objective]\nrun = "python3 score.py"\n\n[files]\neditable = ["knob.py"]\n\n'
          '[acceptance]\nnoise_runs = 2\n\n[sandbox]\nenabled = false\n')


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def project(make_repo: MakeRepo, config: str = CONFIG) -> Path:
    return make_repo({**KNOB_PROJECT, "hone.toml": config})


def edit_config(root: Path, old: str, new: str) -> None:
    path = root / "hone.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def run(capsys: pytest.CaptureFixture[str], root: Path, attempts: int,
        *extra: str) -> tuple[int, str, str]:
    return hone(capsys, "run", "--attempts", str(attempts), "-C", str(root), *extra)


def test_a_change_of_what_is_measured_is_refused_in_one_line(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo)
    assert run(capsys, root, 1)[0] == 0
    edit_config(root, 'run = "python3 score.py"', 'run = "python3 score.py --fast"')
    code, _, err = run(capsys, root, 2)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "objective.run" in lines[0] and "--rebase" in lines[0]
    # ask opens the engine too, and is refused alike
    code, _, err = hone(capsys, "ask", "--json", "-C", str(root))
    assert code == 2 and "objective.run" in err
    ws = Workspace.open(root)
    assert ws.store.config_versions("main") == []  # nothing recorded


def test_an_acceptance_change_is_applied_announced_and_recorded(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo)
    assert run(capsys, root, 2)[0] == 0
    edit_config(root, "noise_runs = 2", "noise_runs = 2\nmin_effect = 0.05")
    code, _, err = run(capsys, root, 4)
    assert code == 0, err
    said = [line for line in err.splitlines() if "config changed" in line]
    assert len(said) == 1 and "acceptance.min_effect 0.01 -> 0.05" in said[0]
    assert "budget.attempts 2 -> 4" in said[0] and "from attempt #3" in said[0]
    ws = Workspace.open(root)
    versions = ws.store.config_versions("main")
    assert [(v.version, v.since_attempt) for v in versions] == [(2, 3)]
    assert versions[0].config["acceptance"]["min_effect"] == 0.05
    assert "acceptance.min_effect" in versions[0].changed
    assert [version_of(ws, "main", i) for i in range(5)] == [1, 1, 1, 2, 2]
    code, out, _ = hone(capsys, "show", "3", "--json", "-C", str(root))
    assert code == 0 and json.loads(out)["config_version"] == 2
    # the same config again is no change: nothing announced, nothing recorded
    code, _, err = run(capsys, root, 4)
    assert code == 0 and "config changed" not in err
    assert len(ws.store.config_versions("main")) == 1


def test_a_moved_branch_and_a_dirty_tree_are_announced(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo)
    (root / "notes.txt").write_text("a\n")
    git("add", "notes.txt", cwd=root)
    git("commit", "-qm", "notes", cwd=root)
    base = git("rev-parse", "HEAD", cwd=root)
    (root / "notes.txt").write_text("b\n")  # uncommitted
    code, out, _ = run(capsys, root, 1)
    assert code == 0
    assert f"hone measures the committed HEAD ({base[:10]}), not them" in out
    assert "branch moved" not in out
    git("commit", "-qam", "more notes", cwd=root)
    head = git("rev-parse", "HEAD", cwd=root)
    code, out, _ = run(capsys, root, 2)
    assert code == 0
    moved = [line for line in out.splitlines() if "branch moved" in line]
    assert len(moved) == 1 and base[:10] in moved[0] and head[:10] in moved[0]
    assert "--rebase" in moved[0] and "uncommitted" not in out


def test_rebase_starts_a_new_run_whose_brief_carries_the_old_ideas(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo)
    assert run(capsys, root, 3)[0] == 0
    ws = Workspace.open(root)
    old = [a for a in ws.store.list_attempts("main") if a.id != 0]
    assert len(old) == 3 and all(a.hypothesis for a in old)
    (root / "notes.txt").write_text("a\n")
    git("add", "notes.txt", cwd=root)
    git("commit", "-qm", "notes", cwd=root)
    code, out, err = run(capsys, root, 1, "--rebase")
    assert code == 0, err
    head = git("rev-parse", "HEAD", cwd=root)
    assert f"starting run 'main-2' from HEAD {head[:10]}, rebased from run 'main'" in out
    info = ws.store.get_run("main-2")
    assert info is not None and info.baseline_commit == head
    brief = (ws.dir / "briefs" / "main-2" / "00001.md").read_text()
    assert "# Tried in run 'main'" in brief
    for a in old:
        assert " ".join(a.hypothesis.split())[:60] in brief
    # again: main-3; `--run` naming no run names the new one (rebased from `[run] name`)
    code, out, _ = run(capsys, root, 0, "--rebase")
    assert code == 0 and "starting run 'main-3'" in out
    code, out, _ = run(capsys, root, 0, "--rebase", "--run", "fresh")
    assert code == 0 and "starting run 'fresh'" in out and "from run 'main'" in out


def test_a_silent_objective_fails_the_baseline_with_its_output_and_log(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo, CONFIG.replace("python3 score.py", "python3 knob.py"))
    code, _, err = run(capsys, root, 1)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == ("hone: error: the baseline fails at stage objective: "
                        "no metric 'score' in output")
    assert "  | output: (none)" in lines
    log = ".hone/logs/main/00000/objective_seed1.out"
    assert f"  | log: {log}" in lines and (root / log).is_file()
    code, _, err = hone(capsys, "show", "0", "-C", str(root))
    assert code == 1
    assert "run 'main' has no attempt #0: its baseline failed" in err
    assert f"  | log: {log}" in err and "no metric 'score' in output" in err
    # a run that never failed still says plainly that it has no such attempt
    code, _, err = hone(capsys, "show", "0", "--run", "other", "-C", str(root))
    assert code == 1 and "has no attempt #0" in err and "baseline failed" not in err
