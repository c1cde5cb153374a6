"""Decisions that survive noise, end to end through ask/tell on an objective hone never saw.

The objective reads a value from an editable file and prints it with 5% gaussian noise. The
noise is seeded from a counter kept outside the repository, so each run differs from the last
yet the whole test replays identically.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from hone.loop.asktell import ask, tell
from hone.loop.engine import Engine
from hone.loop.session import open_engine
from hone.loop.workspace import Workspace
from tests.conftest import Hone, MakeRepo

NOISY_OBJECTIVE = '''\
import pathlib, random, sys
counter = pathlib.Path(sys.argv[1])
n = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(n + 1))
value = float(pathlib.Path("value.txt").read_text().split()[0])
print(f"score: {value * (1 + 0.05 * random.Random(n * 7919 + 13).gauss(0, 1))}")
'''


@pytest.fixture
def noisy_repo(make_repo: MakeRepo, hone: Hone, tmp_path: Path) -> Path:
    root = make_repo({"value.txt": "100\n", "objective.py": NOISY_OBJECTIVE})
    state = tmp_path / "state"
    state.mkdir()
    res = hone("init", "--objective", f"python3 -S objective.py {state / 'counter'}",
               "--editable", "value.txt", cwd=root)
    assert res.returncode == 0, res.stderr
    # The counter lives outside the worktree: the sandbox (when there is one) must let it write.
    with (root / "hone.toml").open("a") as f:
        f.write(f'\n[sandbox]\nrw_paths = ["{state}"]\n')
    return root


def _propose(engine: Engine, change: str, hypothesis: str) -> str:
    asked = ask(engine)
    path = Path(asked.workdir) / "value.txt"
    value = float(path.read_text().split()[0])
    new = value * 1.15 if change == "better" else value
    # A no-op still changes the file (a comment), so that it is a real commit to decide on.
    path.write_text(f"{new!r}\n# {hypothesis}\n")
    return tell(engine, asked.id, hypothesis).attempt.status.value


@pytest.mark.slow
def test_noise_is_not_kept_real_gains_are_and_the_gain_is_confirmed(
        noisy_repo: Path, hone: Hone) -> None:
    root = noisy_repo
    with open_engine(Workspace.open(root), "main") as engine:
        _noise_then_gains(engine, root, hone)


def _noise_then_gains(engine: Engine, root: Path, hone: Hone) -> None:
    nulls = [_propose(engine, "same", f"no-op {i}") for i in range(20)]
    gains = [_propose(engine, "better", f"+15% {i}") for i in range(10)]
    assert nulls.count("kept") <= 2, nulls
    assert gains.count("kept") >= 8, gains

    status = json.loads(hone("status", "--json", cwd=root).stdout)
    baseline = status["attempts"][0]
    assert status["noise"]["runs"] == 5 and not status["noise"]["deterministic"]
    assert 0.01 < status["noise"]["cv"] < 0.12
    for a in status["attempts"][1:]:
        d = a["decision"]
        assert {"rule", "runs", "estimate", "interval", "p_value"} <= set(d)
        assert a["reason"] == d["rule"]
    # Sequential: some decisions stop after the first look, others need more runs.
    runs = [a["decision"]["runs"] for a in status["attempts"][1:]]
    assert min(runs) == 2 and max(runs) > 2

    # No winner's curse: the champion's score pools every measurement it has.
    champion = json.loads(hone("show", str(status["champion"]["id"]), "--json",
                               cwd=root).stdout)
    scores = [m["score"] for m in champion["measurements"] if m["kind"] == "objective"]
    assert len(scores) >= 2 and champion["score"] == pytest.approx(statistics.median(scores))
    text = hone("show", str(status["attempts"][1]["id"]), cwd=root).stdout
    flat = " ".join(text.split())  # the terminal's width wraps lines anywhere
    assert "decision:" in flat and "p = " in flat

    # The noise floor was reported when the run started (ask measured the baseline).
    assert baseline["score"] is not None
    shown = hone("show", "0", cwd=root).stdout
    assert "noise floor: 5 runs, CV" in shown and "warning:" in shown

    res = hone("best", "--confirm", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "confirmed over 5 fresh interleaved run(s) each" in res.stdout
    conf = json.loads(hone("status", "--json", cwd=root).stdout)["confirmation"]
    true_gain = 1.15 ** gains.count("kept") - 1
    assert conf["low"] < true_gain < conf["high"] or abs(conf["improvement"] / true_gain - 1) < 0.1


@pytest.mark.slow
def test_deterministic_objective_is_measured_once_per_attempt(
        make_repo: MakeRepo, hone: Hone) -> None:
    from tests.conftest import KNOB_PROJECT

    root = make_repo(KNOB_PROJECT)
    assert hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    res = hone("run", "--attempts", "4", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "no spread: deterministic objective, measured once per attempt" in res.stdout
    assert "confirmed over 1 fresh interleaved run(s) each" in res.stdout
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    assert status["noise"]["deterministic"]
    decided = [a for a in status["attempts"] if a["status"] in ("baseline", "kept", "discarded")]
    assert len(decided) >= 3
    for a in decided:
        view = json.loads(hone("show", str(a["id"]), "--json", cwd=root).stdout)
        objective = [m for m in view["measurements"] if m["kind"] == "objective"]
        # The baseline: its one seed, then one repeat that shows no spread.
        assert len(objective) == (2 if a["id"] == 0 else 1)
        if a["id"]:
            assert a["decision"]["deterministic"] and a["decision"]["runs"] == 1


@pytest.mark.slow
def test_noisy_baseline_warns_with_a_plan(noisy_repo: Path, hone: Hone) -> None:
    res = hone("run", "--attempts", "0", cwd=noisy_repo)
    assert res.returncode == 0, res.stderr
    assert "noise floor: 5 runs, CV" in res.stdout
    assert "warning: noise (CV" in res.stdout and "Suggested plan" in res.stdout
    assert "the champion is the baseline, nothing to confirm" in res.stdout
