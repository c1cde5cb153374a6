"""End to end through the CLI: duplicates, merging two lineages, population/islands resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hone.config.load import load_config
from hone.records import Status
from hone.store import SQLiteStore
from hone.strategies import make_strategy
from hone.strategies.plan import plan_attempt
from tests.conftest import Hone, MakeRepo, git, run_hone

TWO_KNOBS = {
    "a.py": "A = 1  # hone: tune\n",
    "b.py": "B = 1  # hone: tune\n",
    "score.py": "from a import A\nfrom b import B\nprint(f'score: {A + B}')\n",
}


@pytest.fixture
def two_knobs(make_repo: MakeRepo, hone: Hone, tmp_path: Path) -> Path:
    root = make_repo(TWO_KNOBS)
    # The objective counts its own runs in a file outside the repository.
    out = tmp_path / "out"  # not tmp_path itself: a folder holding the repository is refused
    out.mkdir()
    objective = f"echo x >> {out}/runs.log && python3 score.py"
    assert hone("init", "--objective", objective, cwd=root).returncode == 0
    # The jailed objective may write only its worktree and the paths named here.
    with (root / "hone.toml").open("a") as fh:
        fh.write(f'\n[sandbox]\nrw_paths = ["{out}"]\n')
    return root


def ask_edit_tell(hone: Hone, root: Path, edits: dict[str, tuple[str, str]], hypothesis: str,
                  parent: int | None = None) -> dict[str, object]:
    args = ["ask", "--json"] + (["--parent", str(parent)] if parent is not None else [])
    asked = json.loads(hone(*args, cwd=root).stdout)
    for rel, (old, new) in edits.items():
        path = Path(asked["workdir"]) / rel
        path.write_text(path.read_text().replace(old, new))
    told = hone("tell", str(asked["id"]), "--hypothesis", hypothesis, "--json", cwd=root)
    assert told.returncode == 0, told.stderr
    return json.loads(told.stdout)  # type: ignore[no-any-return]


def runs(tmp_path: Path) -> int:
    return len((tmp_path / "out" / "runs.log").read_text().splitlines())


@pytest.mark.slow
def test_a_repeated_change_is_a_duplicate_and_the_next_brief_says_so(
        two_knobs: Path, hone: Hone, tmp_path: Path) -> None:
    root = two_knobs
    first = ask_edit_tell(hone, root, {"a.py": ("A = 1", "A = 4")}, "raise A")
    assert first["status"] == "kept"
    measured = runs(tmp_path)
    # The same edit, spelled with other whitespace, from the same parent.
    again = ask_edit_tell(hone, root, {"a.py": ("A = 1", "A  =  4")}, "raise A once more",
                          parent=0)
    assert again["status"] == "duplicate" and "#1" in str(again["reason"])
    assert runs(tmp_path) == measured  # the objective did not run
    # The code of the baseline itself, reached from the champion, is a duplicate too.
    back = ask_edit_tell(hone, root, {"a.py": ("A = 4", "A = 1")}, "lower A")
    assert back["status"] == "duplicate" and "#0" in str(back["reason"])
    asked = json.loads(hone("ask", "--json", cwd=root).stdout)
    brief = Path(asked["brief"]).read_text()
    row = next(line for line in brief.splitlines() if line.startswith(f"- #{again['id']} "))
    assert "duplicate: raise A once more; why: not evaluated: the same change as #1" in row
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    assert [a["status"] for a in status["attempts"]] == [
        "baseline", "kept", "duplicate", "duplicate", "running"]


@pytest.mark.slow
def test_two_lineages_merge_into_one_attempt_with_both_parents(
        two_knobs: Path, hone: Hone) -> None:
    root = two_knobs
    a = ask_edit_tell(hone, root, {"a.py": ("A = 1", "A = 5")}, "raise A", parent=0)
    b = ask_edit_tell(hone, root, {"b.py": ("B = 1", "B = 4")}, "raise B", parent=0)
    assert (a["status"], a["score"], b["status"], b["score"]) == ("kept", 6.0, "discarded", 5.0)
    res = hone("run", "--strategy", "population", "--attempts", "3", cwd=root)
    assert res.returncode == 0, res.stderr
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    merges = [x for x in status["attempts"] if x["parent2"] is not None]
    assert len(merges) == 1
    m = merges[0]
    assert (m["parent"], m["parent2"]) == (a["id"], b["id"])
    assert m["score"] == 9.0 and m["status"] == "kept"  # A = 5 and B = 4 together
    by_id = {x["id"]: x for x in status["attempts"]}
    assert git("rev-parse", f"{m['commit']}^1", cwd=root) == by_id[a["id"]]["commit"]
    assert git("rev-parse", f"{m['commit']}^2", cwd=root) == by_id[b["id"]]["commit"]
    assert status["champion"]["id"] == m["id"]


@pytest.mark.slow
def test_conflicting_merge_is_not_evaluated(two_knobs: Path, hone: Hone, tmp_path: Path
                                            ) -> None:
    root = two_knobs
    ask_edit_tell(hone, root, {"a.py": ("A = 1", "A = 5")}, "raise A a lot", parent=0)
    ask_edit_tell(hone, root, {"a.py": ("A = 1", "A = 3")}, "raise A a little", parent=0)
    measured = runs(tmp_path)
    (root / "hone.toml").write_text((root / "hone.toml").read_text() + "\n[search]\n"
                                    "strategy = \"population\"\n")
    assert hone("run", "--attempts", "3", cwd=root).returncode == 0
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    merge = status["attempts"][3]
    assert (merge["status"], merge["stage"]) == ("failed", "merge")
    assert "conflict in a.py" in merge["reason"]
    assert len(status["attempts"]) == 4  # the budget of 3 attempts ended with the merge
    # which did not run the objective: only the final confirmation did, once per side.
    assert runs(tmp_path) == measured + 2


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["population", "islands"])
def test_strategy_resumes_after_kill_9_as_if_never_stopped(two_knobs: Path, strategy: str
                                                           ) -> None:
    root = two_knobs
    (root / "hone.toml").write_text(
        (root / "hone.toml").read_text().replace("python3 score.py", "sleep 0.3; python3 score.py")
        + f'\n[search]\nstrategy = "{strategy}"\nislands = 2\nmigrate_every = 3\n'
          "population = 3\nexploit = 0.5\nmerge_every = 2\n")
    proc = subprocess.Popen([sys.executable, "-m", "hone", "run", "--attempts", "50"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "#4 " in line:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    res = run_hone("run", "--attempts", "12", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "resuming run 'main'" in res.stdout

    store = SQLiteStore(root / ".git" / "hone" / "hone.db")
    history = store.list_attempts("main")
    assert [a.id for a in history] == list(range(13))
    assert all(a.status is not Status.RUNNING for a in history)
    # Replaying the journal gives every recorded choice: nothing lived outside it.
    config = load_config(root)[1]
    chooser = make_strategy(strategy, config)
    for k in range(1, 13):
        before = history[:k]
        kept = [a for a in before if a.status in (Status.KEPT, Status.BASELINE)]
        plan = plan_attempt(chooser, config, before, kept[-1], k)
        assert (plan.parent.id, plan.parent2.id if plan.parent2 else None) == \
            (history[k].parent, history[k].parent2), k
        if strategy == "islands":
            assert history[k].hints.island == (k - 1) % 2


def test_ask_follows_the_configured_strategy(two_knobs: Path, hone: Hone) -> None:
    root = two_knobs
    (root / "hone.toml").write_text((root / "hone.toml").read_text() + '\n[search]\n'
                                    'strategy = "islands"\nislands = 2\n'
                                    'categories = ["micro_opt", "structural"]\n')
    asked = json.loads(hone("ask", "--json", cwd=root).stdout)
    assert "category `structural`" in Path(asked["brief"]).read_text()
    shown = json.loads(hone("show", str(asked["id"]), "--json", cwd=root).stdout)
    assert shown["extra"]["island"] == 0 and shown["extra"]["category"] == "structural"
