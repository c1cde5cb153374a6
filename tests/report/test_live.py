"""The live terminal view: state from events for one or many slots, and `hone run` on a TTY."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys

from rich.console import Console

from hone.direction import Direction
from hone.records import Attempt, Cost, Placement, Status
from hone.report.live import Limits, LiveView
from tests.conftest import KNOB_PROJECT, MakeRepo, run_hone


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def drawn(view: LiveView) -> str:
    buf = io.StringIO()
    Console(file=buf, width=140, color_system=None).print(view.render())
    return buf.getvalue()


def running(i: int, slot: str | None = None) -> Attempt:
    return Attempt("r", i, 0, None, Status.RUNNING, hypothesis=f"idea {i}",
                   placement=Placement(slot) if slot else None)


def test_the_view_follows_several_slots_and_the_champion() -> None:
    clock, log = Clock(), io.StringIO()
    view = LiveView(Limits(attempts=10, hours=1.0, usd=5.0), Direction.MIN,
                    console=Console(file=log, width=140, color_system=None), clock=clock)
    base = Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0)
    view("baseline-start", base)
    assert "measuring baseline" in drawn(view)
    view("baseline", base)
    for i, slot in ((1, "slot-0"), (2, "slot-1"), (3, "slot-2")):
        view("start", running(i), slot=slot)  # slot as a keyword
    clock.now += 30
    view("verify", running(2, "slot-1"))  # slot in the attempt's placement
    out = drawn(view)
    assert re.search(r"slot-0\s+#1\s+proposing\s+30s", out)
    assert re.search(r"slot-1\s+#2\s+verifying\s+30s", out)
    assert re.search(r"slot-2\s+#3\s+proposing", out)

    kept = Attempt("r", 2, 0, "c2", Status.KEPT, score=8.0, hypothesis="idea 2",
                   placement=Placement("slot-1"), cost=Cost(usd=0.5))
    view("decided", kept)
    view("champion", kept)
    view("start", running(4), slot="slot-1")
    failed = Attempt("r", 1, 0, "c1", Status.FAILED, stage="gate:tests", hypothesis="idea 1")
    view("decided", failed)  # no slot given: the slot holding #1 is freed
    out = drawn(view)
    assert "slot-0" not in out
    assert re.search(r"slot-1\s+#4\s+proposing", out)
    # Lower is better here: 10 -> 8 is a 20% gain.
    assert "champion #2 score 8" in out and "gain +20.00%" in out
    assert re.search(r"2\s+kept\s+8\s+\+20\.00%\s+idea 2", out)
    assert re.search(r"1\s+failed\s+—\s+idea 1 \[gate:tests\]", out)
    assert "1 failed  1 kept" in out
    assert "2 of 10" in out and "$0.50 of $5.00" in out
    # Two attempts in 30 s, eight to go: 120 s; the dollars would last 270 s, the hour 3570 s.
    assert view.eta() == 120.0 and "ETA 2.0m" in out
    assert "new champion #2" in log.getvalue()


def test_a_resumed_run_counts_its_earlier_attempts() -> None:
    history = [Attempt("r", 0, None, "c0", Status.BASELINE, score=3.0),
               Attempt("r", 1, 0, "c1", Status.KEPT, score=5.0, hypothesis="a"),
               Attempt("r", 2, 1, "c2", Status.DISCARDED, score=4.0, hypothesis="b")]
    view = LiveView(Limits(attempts=4), Direction.MAX, history,
                    console=Console(file=io.StringIO()), clock=Clock())
    out = drawn(view)
    assert "2 of 4" in out
    assert "champion #1 score 5" in out and "gain +66.67%" in out
    assert re.search(r"2\s+discarded\s+4\s+-20\.00%\s+b", out)
    assert view.eta() is None  # nothing decided in this invocation yet


def test_hone_run_on_a_terminal_draws_the_live_view(make_repo: MakeRepo) -> None:
    root = make_repo(KNOB_PROJECT)
    assert run_hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    main, child = pty.openpty()
    # stderr to a file, not a pipe nobody reads until the end: a full pipe would block hone.
    errors = root.parent / "run-stderr.txt"
    with errors.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "hone", "run", "--attempts", "4"],
                                cwd=root, stdout=child, stderr=err, stdin=subprocess.DEVNULL,
                                env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=120) == 0, errors.read_text(errors="replace")[-2000:]
    out = b"".join(chunks).decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "attempts" in text and "4 of 4" in text
    assert "champion #" in text and "gain +" in text
    assert "vs parent" in text
    assert "stopped: attempt budget reached (4/4)" in text


def test_hone_run_into_a_pipe_prints_one_line_per_event(make_repo: MakeRepo) -> None:
    root = make_repo(KNOB_PROJECT)
    assert run_hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    res = run_hone("run", "--attempts", "3", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "\x1b[" not in res.stdout
    statuses = r"#\d+ +(kept|discarded|failed|rejected|duplicate)"
    decided = [line for line in res.stdout.splitlines() if re.search(statuses, line)]
    assert len(decided) == 3


def test_attempts_in_flight_without_named_slots_get_a_row_each() -> None:
    clock, log = Clock(), io.StringIO()
    view = LiveView(Limits(), Direction.MAX,
                    console=Console(file=log, width=140, color_system=None), clock=clock)
    view("baseline", Attempt("r", 0, None, "c0", Status.BASELINE, score=1.0))
    for i in (1, 2, 3):
        view("start", running(i))  # the loop names no slot
    clock.now += 5
    view("verify", Attempt("r", 2, 0, "c2", Status.RUNNING, hypothesis="idea 2",
                           placement=Placement("1")))  # an executor's slot, named later
    out = drawn(view)
    assert re.search(r"—\s+#1\s+proposing\s+5s", out)
    assert re.search(r"\b1\s+#2\s+verifying\s+5s", out)  # one row, the time kept
    assert re.search(r"—\s+#3\s+proposing", out)
    assert len(re.findall(r"#2\s+(proposing|verifying)", out)) == 1
    # A hypothesis with brackets is shown as written, not parsed as Rich markup.
    odd = Attempt("r", 3, 0, "c3", Status.KEPT, score=2.0, hypothesis="use a[i] [/b] [bold]x")
    view("decided", odd)
    view("champion", odd)
    assert "use a[i] [/b] [bold]x" in drawn(view)
    assert "use a[i] [/b] [bold]x" in log.getvalue()
