"""The holdout in a run, driven in-process through `hone.cli.main` on real repositories: it runs
where the objective runs (same worktree, seeds and variables, its own files the only
difference), and an overfit champion found at the end of a run is held for review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from tests.conftest import KNOB_PROJECT, MakeRepo, git

# What the candidate's code could look at to tell the holdout from the objective, on stderr.
PROBE = '''import json, os, socket, sys


def report():
    files = sorted(os.path.relpath(os.path.join(top, name), ".")
                   for top, _, names in os.walk(".") for name in names if name != ".git")
    print(json.dumps({
        "cwd": os.getcwd(), "module": os.path.dirname(os.path.abspath(__file__)),
        "host": socket.gethostname(), "files": files, "logs": "HONE_LOGS" in os.environ,
        "env": {k: v for k, v in os.environ.items()
                if k.startswith("HONE_") and k != "HONE_LOGS"}}), file=sys.stderr)
'''


# Fewer baseline runs than the default: these objectives are deterministic.
FAST = "[acceptance]\nnoise_runs = 2\nvariants = 0\n"


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def data(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict[str, Any]:
    code, out, err = hone(capsys, *args, "--json", "-C", str(root))
    assert code == 0, err
    return dict(json.loads(out))


def tell_knob(capsys: pytest.CaptureFixture[str], root: Path, value: int) -> dict[str, Any]:
    asked = data(capsys, root, "ask")
    (Path(str(asked["workdir"])) / "knob.py").write_text(f"KNOB = {value}  # hone: tune\n")
    return data(capsys, root, "tell", str(asked["id"]), "--hypothesis", f"knob {value}")


def seen(root: Path, attempt: int, log: str) -> dict[str, Any]:
    """What the probe saw in one run of `attempt` (its stderr log `log`.err)."""
    logs = root / ".hone" / "logs" / "main" / f"{attempt:05d}"
    assert (logs / f"{log}.err").is_file(), sorted(p.name for p in logs.iterdir())
    line = (logs / f"{log}.err").read_text().strip().splitlines()[-1]
    return dict(json.loads(line))


def test_the_holdout_sees_what_the_objective_sees_but_its_own_files(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({
        **KNOB_PROJECT, "probe.py": PROBE,
        "score.py": "import probe\nfrom knob import KNOB\nprobe.report()\n"
                    "print(f'score: {KNOB}')\n",
        "checks/holdout_eval.py": "import sys\nsys.path.insert(0, '.')\nimport probe\n"
                                  "probe.report()\nprint('score: 1')\n",
        "hone.toml": FAST + '[objective]\nrun = "python3 score.py"\n'
                     '[files]\neditable = ["knob.py"]\n'
                     '[holdout]\nrun = "python3 checks/holdout_eval.py"\nrepeats = 2\n'})
    assert tell_knob(capsys, root, 5)["status"] == "kept"  # vetted: the holdout ran on #1
    objective = seen(root, 1, "objective_seed1")
    for name in ("holdout_seed1", "holdout_seed1_n1"):  # seed 1 twice, as the objective's
        held = seen(root, 1, name)
        assert held["cwd"] == objective["cwd"] and held["module"] == objective["module"]
        assert "hold" not in str(Path(held["cwd"]).relative_to(root)).lower()
        assert held["host"] == objective["host"] and held["logs"] == objective["logs"]
        assert held["env"] == objective["env"] and held["env"]["HONE_SEED"] == "1"
        # The holdout's own file is the one difference; the config that names it is hidden.
        assert set(held["files"]) - set(objective["files"]) == {"checks/holdout_eval.py"}
        assert set(objective["files"]) <= set(held["files"])
        assert "hone.toml" not in held["files"]


def test_an_overfit_champion_at_the_end_of_a_run_is_held(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The holdout holds at 10 while the attempts are vetted; then it drops (as a holdout on
    # a drifting machine, or one the champion overfits, would): the final check finds it.
    drift = tmp_path / "drift"
    root = make_repo({
        **KNOB_PROJECT,
        "holdout_eval.py": "import os, sys\n"
                           "print('score:', 0 if os.path.exists(sys.argv[1]) else 10)\n",
        "hone.toml": FAST + '[objective]\nrun = "python3 score.py"\n'
                     '[files]\neditable = ["knob.py"]\n'
                     f'[holdout]\nrun = "python3 holdout_eval.py {drift}"\nrepeats = 2\n'
                     '[sandbox]\nenabled = false\n'})
    assert tell_knob(capsys, root, 4)["status"] == "kept"
    assert tell_knob(capsys, root, 6)["status"] == "kept"
    drift.write_text("")
    code, out, err = hone(capsys, "run", "--attempts", "0", "-C", str(root))
    assert code == 0, err
    assert "-> OVERFIT" in out and "#2 held for review; champion back to #1" in out
    status = data(capsys, root, "status")
    assert status["champion"]["id"] == 1
    rows = {a["id"]: a for a in status["attempts"]}
    assert rows[2]["status"] == "held" and rows[2]["overfit"]
    assert git("rev-parse", "refs/hone/main/best", cwd=root) == rows[1]["commit"]
    show = data(capsys, root, "show", "2")
    assert show["extra"]["holdout_final"]["worse"] is True
    assert data(capsys, root, "best")["held"] == [2]
    # A person decides: approved, it is champion again (6 beats 4).
    code, out, err = hone(capsys, "approve", "2", "-C", str(root))
    assert code == 0, err
    assert data(capsys, root, "status")["champion"]["id"] == 2


# A noisy holdout that does not depend on the code: the next value of a fixed sequence each
# run (a counter outside the worktree, so the test is the same every time), whose runs drop
# and rise against each other as noise does.
NOISE = (0.31, 0.82, 0.17, 0.64, 0.55, 0.09, 0.93, 0.42, 0.27, 0.71, 0.48, 0.86, 0.13, 0.6)
NOISY_HOLDOUT = ("from pathlib import Path\ncounter = Path({counter!r})\n"
                 "n = int(counter.read_text()) if counter.exists() else 0\n"
                 "counter.write_text(str(n + 1))\nprint('score:', {noise!r}[n % {size}])\n")


def test_a_noisy_holdout_measured_once_flags_nothing(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # `repeats = 1` on a holdout that is noise: a drop seen on one run gets more runs on both
    # sides, and runs that rise and fall around the same level never make a verdict of worse.
    # (How often pure noise is called worse: tests/verify/test_holdout.py, over many draws.)
    eval_py = NOISY_HOLDOUT.format(counter=str(tmp_path / "holdout-runs"), noise=NOISE,
                                   size=len(NOISE))
    root = make_repo({
        **KNOB_PROJECT,
        "holdout_eval.py": eval_py,
        "hone.toml": FAST + '[objective]\nrun = "python3 score.py"\n'
                     '[files]\neditable = ["knob.py"]\n[sandbox]\nenabled = false\n'
                     '[holdout]\nrun = "python3 holdout_eval.py"\nrepeats = 1\n'})
    for knob in (4, 5, 6):
        told = tell_knob(capsys, root, knob)
        assert told["status"] == "kept", told
    code, out, err = hone(capsys, "run", "--attempts", "0", "-C", str(root))
    assert code == 0, err
    assert "OVERFIT" not in out
    status = data(capsys, root, "status")
    assert status["champion"]["id"] == 3 and not status["champion_overfit"]
