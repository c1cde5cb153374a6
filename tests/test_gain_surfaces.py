"""Every surface that shows a gain agrees in sign and value, for `max` and for `min` (issue 14):
the brief, the line printer and the live view, `hone status` (table, JSON, CSV, Markdown),
`hone show`, `hone best` (text and JSON), the report's data and the squashed commit messages.

A real run: a git repository, real verified attempts told through `hone ask`/`hone tell`, the
journal read back. The champion improves 20% on the baseline in two kept steps, so the champion
is +20.00% over the baseline and its last step +11.11% (min) or +9.09% (max) over its parent.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from hone.cli_run import LinePrinter
from hone.direction import Direction
from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.records import Event, Status
from hone.report.data import overview
from hone.report.live import Limits, LiveView
from tests.conftest import Hone, MakeRepo, git

pytestmark = pytest.mark.slow  # a dozen hone commands per direction

# direction: (baseline, first kept, champion, champion's gain over its parent, as shown)
CASES = {
    "max": (100, 110, 120, 10 / 110, "+9.09%"),
    "min": (100, 90, 80, 10 / 90, "+11.11%"),
}
OVER_BASE = "+20.00%"  # the champion's gain over the baseline, 0.2, in both directions
WIDE = {"COLUMNS": "250"}  # Rich folds table cells to the terminal's width


def cli(hone: Hone, root: Path, *args: str) -> str:
    res = hone(*args, cwd=root, env=WIDE)
    assert res.returncode == 0, res.stderr
    return res.stdout


def tell_knob(hone: Hone, root: Path, knob: int, hypothesis: str) -> dict[str, Any]:
    asked = json.loads(cli(hone, root, "ask", "--json"))
    (Path(asked["workdir"]) / "knob.py").write_text(f"KNOB = {knob}\n")
    told: dict[str, Any] = json.loads(cli(hone, root, "tell", str(asked["id"]), "--hypothesis",
                                          hypothesis, "--json"))
    return told


@pytest.fixture(params=sorted(CASES))
def run(request: pytest.FixtureRequest, make_repo: MakeRepo, hone: Hone
        ) -> tuple[Path, str]:
    direction = request.param
    base, first, champ, _, _ = CASES[direction]
    root = make_repo({"knob.py": f"KNOB = {base}\n",
                      "score.py": "from knob import KNOB\nprint(f'score: {KNOB}')\n"})
    cli(hone, root, "init", "--objective", "python3 score.py", "--direction", direction,
        "--editable", "knob.py")
    for knob, why in ((first, "first step"), (champ, "second step")):
        told = tell_knob(hone, root, knob, why)
        assert (told["status"], told["score"]) == ("kept", float(knob)), told
    return root, direction


def test_every_surface_shows_the_same_signed_gain(run: tuple[Path, str], hone: Hone) -> None:
    root, direction = run
    base, first, champ, parent_gain, over_parent = CASES[direction]
    over_base, base_gain = OVER_BASE, 0.2

    # The brief of the next attempt: the champion over the baseline, each attempt over its parent.
    asked = json.loads(cli(hone, root, "ask", "--json"))
    brief = Path(asked["brief"]).read_text()
    assert f"champion #2 scores {champ} ({over_base} over baseline)." in brief
    assert f"- #2 (from #1) kept at {champ} ({over_parent}): second step; why: " in brief

    # `hone status`, in every format.
    table = cli(hone, root, "status")
    assert f"champion #2 score {champ} ({over_base} over baseline)" in table
    assert any(over_parent in line and "second step" in line for line in table.splitlines())
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(cli(hone, root, "status",
                                                                      "--csv")))}
    assert rows[2]["delta"] == over_parent and rows[0]["delta"] == ""
    md = [line for line in cli(hone, root, "status", "--md").splitlines()
          if line.startswith("| 2 |")]
    assert md and f"| {over_parent} |" in md[0]
    status = json.loads(cli(hone, root, "status", "--json"))
    assert status["champion"] == {"id": 2, "score": float(champ)}
    assert status["champion_gain"] == pytest.approx(base_gain)
    two = status["attempts"][2]
    assert two["vs_parent"] == pytest.approx(parent_gain)
    assert two["vs_baseline"] == pytest.approx(base_gain)

    # `hone show`.
    shown = cli(hone, root, "show", "2")
    assert f"gain: {over_parent} over parent #1, {over_base} over baseline" in shown
    show = json.loads(cli(hone, root, "show", "2", "--json"))
    assert show["vs_parent"] == pytest.approx(parent_gain)
    assert show["vs_baseline"] == pytest.approx(base_gain)

    # `hone best`, text and JSON.
    assert f"({over_base} over baseline)" in cli(hone, root, "best")
    best = json.loads(cli(hone, root, "best", "--json"))
    assert best["gain"] == best["vs_baseline"] == pytest.approx(base_gain)

    # The squashed history: one commit per kept idea, or one with a summary.
    cli(hone, root, "best", "--branch", "ideas", "--squash")
    bodies = git("log", "--format=%b%x00", "main..ideas", cwd=root).split("\x00")
    assert f"score {first} -> {champ} ({over_parent})" in bodies[0]
    cli(hone, root, "best", "--branch", "one", "--squash=one")
    summary = git("log", "-1", "--format=%B", "one", cwd=root)
    assert summary.startswith(f"hone run main: score {base} -> {champ} ({over_base})")
    assert f"| 2 | second step | {champ} | {over_parent} |" in summary

    # The report's data, the line printer and the live view, read from the same journal.
    ws = Workspace.open(root)
    engine = RunView(ws, "main")
    history = engine.history()
    data = overview(engine)
    assert data["summary"]["gain"] == pytest.approx(base_gain)
    row = next(r for r in data["attempts"] if r["id"] == 2)
    assert row["vs_parent"] == pytest.approx(parent_gain)
    assert row["vs_baseline"] == pytest.approx(base_gain)
    assert data["champion_steps"][-1]["gain"] == pytest.approx(base_gain)

    champion = next(a for a in history if a.id == 2)
    assert champion.status is Status.KEPT
    lines = io.StringIO()
    printer = LinePrinter(Direction(direction), history, stream=lines)
    printer(Event.CHAMPION, champion)
    assert f"* new champion #2 score {champ} {over_base} over baseline" in lines.getvalue()

    log = io.StringIO()
    view = LiveView(Limits(), Direction(direction), history,
                    console=Console(file=log, width=200, color_system=None))
    view(Event.CHAMPION, champion)
    assert f"score {champ} {over_base} over baseline" in log.getvalue()
    drawn = io.StringIO()
    Console(file=drawn, width=200, color_system=None).print(view.render())
    text = drawn.getvalue()
    assert f"gain {over_base}" in text
    assert any(over_parent in line and "second step" in line for line in text.splitlines())
