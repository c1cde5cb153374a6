"""Corroboration in the loop: a claimed speed-up whose process spent far more CPU time than its
parent's is held for review with a specific finding; an honest one is kept. In-process through
`hone.cli.main` on a real repository (ask/tell as the proposer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from tests.conftest import MakeRepo

# The objective prints the rate the candidate claims; only the process's own time can tell a
# change that moved work before the timer from one that did not.
PROJECT = {
    "fast.py": "def kernel():\n    return 100\n",
    "score.py": "from fast import kernel\nprint(f'ops_per_sec: {kernel()}')\n",
}
HONEST = "def kernel():\n    return 200\n"
MOVED = ("_ANSWER = sum(i * i for i in range(3_000_000))  # the work, before the timer\n\n\n"
         "def kernel():\n    return 400\n")


def data(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict[str, Any]:
    capsys.readouterr()
    code = main([*args, "--json", "-C", str(root)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return dict(json.loads(out.out))


def propose(capsys: pytest.CaptureFixture[str], root: Path, text: str) -> dict[str, Any]:
    asked = data(capsys, root, "ask")
    (Path(str(asked["workdir"])) / "fast.py").write_text(text)
    return data(capsys, root, "tell", str(asked["id"]), "--hypothesis", text.splitlines()[0])


def test_moved_work_is_held_and_an_honest_gain_kept(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(PROJECT)
    capsys.readouterr()
    assert main(["init", "--objective", "python3 score.py", "--score", "ops_per_sec",
                 "--editable", "fast.py", "-C", str(root)]) == 0
    said = capsys.readouterr().out
    assert "measures = 'rate' (guessed from the score 'ops_per_sec'" in said
    assert 'measures = "rate"' in (root / "hone.toml").read_text()

    honest = propose(capsys, root, HONEST)
    assert honest["status"] == "kept", honest
    moved = propose(capsys, root, MOVED)
    assert moved["status"] == "held", moved
    assert "uncorroborated: claimed +100% rate, but the process's own CPU time is" \
        in str(moved["reason"])
    show = data(capsys, root, "show", str(moved["id"]))
    assert any(f.startswith("uncorroborated: ") for f in show["flags"])
    assert data(capsys, root, "status")["champion"]["id"] == honest["id"]


def test_an_outsized_gain_is_reverified_against_fresh_runs_of_the_champion(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The machine's speed (a file outside the repository) halves after the baseline was
    # measured: the re-verification compares against the champion run again now, not against
    # its recorded score.
    speed = tmp_path / "speed"
    speed.write_text("1.0")
    root = make_repo({
        "knob.py": "KNOB = 3\n",
        "score.py": f"from knob import KNOB\nfrom pathlib import Path\n"
                    f"factor = float(Path({str(speed)!r}).read_text())\n"
                    "print('score:', KNOB * factor)\n",
        "hone.toml": "[objective]\nrun = \"python3 score.py\"\n[files]\n"
                     "editable = [\"knob.py\"]\n[sandbox]\nenabled = false\n"})
    asked = data(capsys, root, "ask")  # measures the baseline: 3.0
    assert data(capsys, root, "status")["champion"]["score"] == 3.0
    speed.write_text("0.5")
    (Path(str(asked["workdir"])) / "knob.py").write_text("KNOB = 100\n")
    told = data(capsys, root, "tell", str(asked["id"]), "--hypothesis", "KNOB = 100")
    assert told["status"] == "held", told  # beyond implausible_factor: a person looks
    reverified = data(capsys, root, "show", str(asked["id"]))["extra"]["reverified"]
    assert reverified["reference_runs"] == 1 and reverified["reference_score"] == 1.5
    assert reverified["passed"] and reverified["clean_gain"] == pytest.approx(50 / 1.5 - 1)
