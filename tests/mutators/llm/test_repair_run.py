"""The repair turn end to end: `hone run --mutator llm` against the scripted loopback server.

A candidate that breaks (a syntax error the gate reports, edits that do not apply) is followed
by one repair: its prompt quotes the error, its parent is the failed attempt (its commit, when
there is one), it is marked `repair_of`, and it is kept when it fixes the bug. A repair that
fails is not repaired again; `[llm] repair = false` turns the turn off.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hone.cli import main
from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.report.data import overview
from tests.conftest import KNOB_PROJECT, MakeRepo, git
from tests.mutators.llm.scripted import run_llm
from tests.support.llm_server import Request

CONFIG = """\
[run]
goal = "Make the score as high as possible."

[objective]
run = "python3 score.py"

[[gates]]
name = "types"
run = "python3 test_knob.py"

[files]
editable = ["knob.py"]
protect = ["score.py", "test_knob.py"]

[llm]
base_url = "{url}"
timeout = 30
max_retries = 0
lessons = 0
"""


def change(old: str, new: str, hypothesis: str) -> str:
    return (f"Hypothesis: {hypothesis}\n\nknob.py\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n"
            ">>>>>>> REPLACE\n")


BROKEN = "KNOB = 8 +  # hone: tune"  # a syntax error: the gate's import fails


class Model:
    """Answers the scripted replies in order and keeps every prompt."""

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.prompts = list(replies), []  # type: ignore[var-annotated]

    def __call__(self, request: Request) -> str:
        self.prompts.append(request.prompt)
        return self.replies.pop(0) if self.replies else "no more ideas"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_broken_candidates_get_one_repair_each(make_repo: MakeRepo,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    model = Model([
        change("KNOB = 3  # hone: tune", BROKEN, "raise the knob to 8"),     # 1 gate fails
        change(BROKEN, "KNOB = 8  # hone: tune", "raise the knob to 8, "
               "without the stray plus"),                                  # 2 repairs 1: kept
        change("KNOB = 8  # hone: tune", "KNOB = 9 +  # hone: tune", "9"),  # 3 gate fails
        change("KNOB = 9 +  # hone: tune", "KNOB = (9  # hone: tune", "9"),  # 4 repair fails
        change("KNOB = 8  # hone: tune", "KNOB = 10  # hone: tune", "10"),  # 5 from the champion
        change("KNOB = 80  # hone: tune", "KNOB = 11  # hone: tune", "11"),  # 6 does not apply
        change("KNOB = 10  # hone: tune", "KNOB = 11  # hone: tune", "11"),  # 7 repairs 6: kept
    ])
    root = run_llm(make_repo, monkeypatch, KNOB_PROJECT, CONFIG, model, 7)
    status = _json(capsys, "status", "-C", str(root))
    got = {a["id"]: (a["parent"], a["status"], a["stage"], a["repair_of"])
           for a in status["attempts"]}
    assert got == {0: (None, "baseline", "", None),
                   1: (0, "failed", "gate:types", None),
                   2: (1, "kept", "", 1),
                   3: (2, "failed", "gate:types", None),
                   4: (3, "failed", "gate:types", 3),
                   5: (2, "kept", "", None),      # a repair that failed is not repaired
                   6: (5, "failed", "edit", None),
                   7: (5, "kept", "", 6)}         # nothing was committed: from #6's parent
    assert status["champion"] == {"id": 7, "score": 11}
    assert status["repairs"] == {"made": 3, "passed": 2, "kept": 2}

    # The repair's prompt quotes the error and starts from the broken code.
    repair = model.prompts[1]
    assert "# Repair of attempt #1" in repair
    assert "SyntaxError: invalid syntax" in repair
    assert BROKEN in repair and "Your change starts from attempt #1" in repair
    assert "Repair of" not in model.prompts[0] and "Repair of" not in model.prompts[4]
    assert "# Repair of attempt #6" in model.prompts[6]
    assert "SEARCH block for knob.py does not match the file" in model.prompts[6]
    assert "Its edits did not apply" in model.prompts[6]

    # One commit per attempt: the repair's commit sits on the failed one's.
    commits = {a["id"]: a["commit"] for a in status["attempts"]}
    assert git("rev-parse", f"{commits[2]}^", cwd=root).strip() == commits[1]
    assert git("rev-parse", f"{commits[7]}^", cwd=root).strip() == commits[5]

    shown = _json(capsys, "show", "2", "-C", str(root))
    assert shown["repair_of"] == 1 and "repair of #1" in shown["flags"]
    assert _json(capsys, "show", "1", "-C", str(root))["repaired_by"] == 2
    capsys.readouterr()
    assert main(["status", "-C", str(root)]) == 0
    assert "3 repairs (2 passed, 2 kept)" in capsys.readouterr().out
    assert main(["show", "1", "-C", str(root)]) == 0
    assert "repaired by #2" in capsys.readouterr().out
    report = overview(RunView(Workspace.open(root), "main"))
    assert report["summary"]["repairs"] == {"made": 3, "passed": 2, "kept": 2}
    assert [a["repair_of"] for a in report["attempts"]] == [None, None, 1, None, 3, None,
                                                             None, 6]


def test_repair_off(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:
    model = Model([change("KNOB = 3  # hone: tune", BROKEN, "raise the knob to 8"),
                   change("KNOB = 3  # hone: tune", "KNOB = 8  # hone: tune", "8")])
    root = run_llm(make_repo, monkeypatch, KNOB_PROJECT, CONFIG + "repair = false\n", model, 2)
    status = _json(capsys, "status", "-C", str(root))
    assert [(a["parent"], a["status"], a["repair_of"]) for a in status["attempts"][1:]] == [
        (0, "failed", None), (0, "kept", None)]
    assert status["repairs"] == {"made": 0, "passed": 0, "kept": 0}
    assert "Repair of" not in model.prompts[1]


@pytest.mark.slow
def test_parallel_slots_repair_the_attempt_depth_before(make_repo: MakeRepo,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """With `--parallel 2` (4 attempts in flight), attempts 1-4 see only the baseline and
    break alike; attempt k + 4 is the repair of attempt k, whatever order the slots answer in
    (the model answers by what the prompt shows, not by call order)."""
    def model(request: Request) -> str:
        if "# Repair of attempt #" in request.prompt:
            return change(BROKEN, "KNOB = 8  # hone: tune", "raise the knob, without the plus")
        return change("KNOB = 3  # hone: tune", BROKEN, "raise the knob to 8")

    root = run_llm(make_repo, monkeypatch, KNOB_PROJECT, CONFIG, model, 8, "--parallel", "2")
    attempts = _json(capsys, "status", "-C", str(root))["attempts"]
    assert [(a["parent"], a["status"], a["repair_of"]) for a in attempts[1:5]] == [
        (0, "failed", None)] * 4
    assert [(a["parent"], a["repair_of"]) for a in attempts[5:]] == [
        (1, 1), (2, 2), (3, 3), (4, 4)]
    assert attempts[5]["status"] == "kept"  # the later ones tie with it: not better
