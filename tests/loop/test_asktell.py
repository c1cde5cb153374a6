"""ask/tell end to end through the CLI, per the contract's JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo, git

pytestmark = pytest.mark.slow  # each test makes several real verified attempts


@pytest.fixture
def repo(make_repo: MakeRepo, hone: Hone) -> Path:
    root = make_repo(KNOB_PROJECT)
    res = hone("init", "--objective", "python3 score.py", "--gate", "python3 test_knob.py",
               "--editable", "knob.py", "--goal", "Raise the score.", cwd=root)
    assert res.returncode == 0, res.stderr
    return root


def ask(hone: Hone, root: Path, *args: str) -> dict[str, Any]:
    res = hone("ask", "--json", *args, cwd=root)
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def tell(hone: Hone, root: Path, attempt_id: int, hypothesis: str) -> dict[str, Any]:
    res = hone("tell", str(attempt_id), "--hypothesis", hypothesis, "--json", cwd=root)
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_ask_edit_tell_keeps_a_better_change(repo: Path, hone: Hone) -> None:
    before = {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()}
    asked = ask(hone, repo)
    assert set(asked) == {"schema_version", "id", "parent", "workdir", "brief"}
    assert (asked["id"], asked["parent"]) == (1, 0)  # the baseline was measured first
    workdir = Path(asked["workdir"])
    assert git("rev-parse", "HEAD", cwd=workdir) == git("rev-parse", "HEAD", cwd=repo)
    brief = Path(asked["brief"]).read_text()
    assert "Raise the score." in brief and "- knob.py" in brief
    assert "test_knob.py" not in brief.split("# Files you may edit")[1].split("#")[0]
    assert str(workdir) in brief

    (workdir / "knob.py").write_text("KNOB = 9  # hone: tune\n")
    told = tell(hone, repo, 1, "a bigger knob")
    assert told == {"schema_version": 2, "id": 1, "status": "kept", "score": 9.0,
                    "champion_score": 9.0, "reason": told["reason"],
                    # the score is the only metric: nothing more to compare
                    "metrics": {}, "cases": {}, "lost_on": [], "gained_on": []}
    assert told["reason"]
    status = json.loads(hone("status", "--json", cwd=repo).stdout)
    assert status["champion"] == {"id": 1, "score": 9.0}
    one = status["attempts"][1]
    assert one["hypothesis"] == "a bigger knob" and one["commit"]
    assert git("rev-parse", "refs/hone/main/best", cwd=repo) == one["commit"]
    assert git("rev-parse", f"{one['commit']}^", cwd=repo) == status["attempts"][0]["commit"]
    assert not workdir.exists()  # the ask worktree is gone once told
    assert {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()} == before

    # The next ask starts from the new champion, and its brief shows the history.
    second = ask(hone, repo)
    assert (second["id"], second["parent"]) == (2, 1)
    assert (Path(second["workdir"]) / "knob.py").read_text().startswith("KNOB = 9")
    brief = Path(second["brief"]).read_text()
    assert ("- #1 (from #0) kept at 9 (+200.00%): a bigger knob; why: "
            "deterministic: better by +200.00%") in brief
    headings = [line for line in brief.splitlines() if line.startswith("# ")]
    assert headings == ["# Goal", "# Objective", "# Files you may edit",
                        "# Protected (never edit; an edit there is rejected)",
                        "# Attempts so far (oldest first): status at score (change against "
                        "the parent): what it tried; why it ended",
                        "# What to do"]
    (Path(second["workdir"]) / "knob.py").write_text("KNOB = 4  # hone: tune\n")
    told = tell(hone, repo, 2, "smaller")
    assert (told["status"], told["score"], told["champion_score"]) == ("discarded", 4.0, 9.0)


def test_failures_are_told_with_their_reason(repo: Path, hone: Hone) -> None:
    asked = ask(hone, repo)
    (Path(asked["workdir"]) / "knob.py").write_text("KNOB = 'x'  # hone: tune\n")
    told = tell(hone, repo, asked["id"], "a string knob")
    assert told["status"] == "failed" and told["score"] is None
    assert told["reason"] == "gate:gate1 exited with code 1"

    asked = ask(hone, repo)
    (Path(asked["workdir"]) / "score.py").write_text("print('score: 1000')\n")
    told = tell(hone, repo, asked["id"], "edit the scorer")
    assert told["status"] == "rejected"
    assert told["reason"] == "touched protected path score.py"  # the objective's own file

    asked = ask(hone, repo)
    told = tell(hone, repo, asked["id"], "nothing")
    assert told["status"] == "failed" and told["reason"] == "the proposal changed nothing"

    # The brief of the next ask says why those failed.
    brief = Path(ask(hone, repo)["brief"]).read_text()
    assert "#1 at stage `gate:gate1`: gate:gate1 exited with code 1" in brief
    assert "touched protected path score.py" in brief


def test_tell_refuses_what_it_cannot_tell(repo: Path, hone: Hone) -> None:
    asked = ask(hone, repo)
    (Path(asked["workdir"]) / "knob.py").write_text("KNOB = 5  # hone: tune\n")
    tell(hone, repo, asked["id"], "five")
    again = hone("tell", str(asked["id"]), "--json", cwd=repo)
    assert again.returncode == 2 and "already told (kept)" in again.stderr
    assert hone("tell", "0", cwd=repo).returncode == 2  # the baseline was not asked
    missing = hone("tell", "99", cwd=repo)
    assert missing.returncode == 1 and "has no attempt #99" in missing.stderr
    bad_parent = hone("ask", "--parent", "42", cwd=repo)
    assert bad_parent.returncode == 1 and "no attempt #42" in bad_parent.stderr


def test_an_open_ask_survives_a_run_and_ids_do_not_collide(repo: Path, hone: Hone) -> None:
    asked = ask(hone, repo)
    res = hone("run", "--attempts", "3", cwd=repo)
    assert res.returncode == 0, res.stderr
    (Path(asked["workdir"]) / "knob.py").write_text("KNOB = 15  # hone: tune\n")
    told = tell(hone, repo, asked["id"], "fifteen")
    assert told["id"] == 1 and told["status"] in ("kept", "discarded")
    ids = [a["id"] for a in json.loads(hone("status", "--json", cwd=repo).stdout)["attempts"]]
    assert ids == list(range(5))


def test_ask_from_an_explicit_parent(repo: Path, hone: Hone) -> None:
    first = ask(hone, repo)
    (Path(first["workdir"]) / "knob.py").write_text("KNOB = 7  # hone: tune\n")
    tell(hone, repo, first["id"], "seven")
    from_baseline = ask(hone, repo, "--parent", "0")
    assert from_baseline["parent"] == 0
    assert (Path(from_baseline["workdir"]) / "knob.py").read_text().startswith("KNOB = 3")


def test_pending_asks_of_two_runs_have_their_own_worktrees(repo: Path, hone: Hone) -> None:
    first = ask(hone, repo, "--run", "one")
    second = ask(hone, repo, "--run", "two")
    assert first["id"] == second["id"] == 1
    assert first["workdir"] != second["workdir"]
    (Path(first["workdir"]) / "knob.py").write_text("KNOB = 9  # hone: tune\n")
    (Path(second["workdir"]) / "knob.py").write_text("KNOB = 4  # hone: tune\n")
    res = hone("tell", "1", "--run", "one", "--hypothesis", "nine", "--json", cwd=repo)
    assert json.loads(res.stdout)["score"] == 9, res.stderr
    res = hone("tell", "1", "--run", "two", "--hypothesis", "four", "--json", cwd=repo)
    assert json.loads(res.stdout)["score"] == 4, res.stderr
