"""A baseline that fails, said with what it printed and where its logs are.

The run is forgotten (the next `hone run` starts it afresh from HEAD), but its logs stay, and
what the failure said is kept beside them (`.hone/logs/<run>/baseline-failed.txt`) so that
`hone show 0` can say it again instead of "no attempt #0" (a later baseline of that name
replaces it; once a run has an attempt #0, the note is not read).
"""

from __future__ import annotations

import re
from pathlib import Path

from hone.errors import HoneError
from hone.loop.workspace import Workspace
from hone.verify.verifier import StageFailure

TAIL_LINES = 15
_REPEAT = re.compile(r"_n\d+$")  # a noise-floor repeat's log: the first pass tells the story


def baseline_error(ws: Workspace, run: str, failure: StageFailure) -> HoneError:
    """The error a failing baseline raises: stage and reason, the output's last lines, the
    failing stage's log files (relative to the repository); kept for `hone show 0`. The CLI
    prints the lines after the first indented under it."""
    folder = ws.logs_dir(run) / f"{0:05d}"
    tail = failure.log_tail.splitlines()[-TAIL_LINES:]
    lines = [f"the baseline fails at stage {failure.stage}: {failure.reason}",
             "output (last lines):" if tail else "output: (none)",
             *tail,
             *(f"log: {_relative(p, ws.repo.root)}" for p in stage_logs(folder, failure)),
             "`hone check` runs the gates and the objective once on HEAD, as the baseline"]
    text = "\n".join(lines)
    note = failed_note(ws, run)
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(text + "\n", encoding="utf-8")
    return HoneError(text)


def stage_logs(folder: Path, failure: StageFailure) -> list[Path]:
    """The log files of the failing stage's first run (all of the first pass when the stage
    has no log of its own: a failure before any command)."""
    if not folder.is_dir():
        return []
    first = sorted((p for p in folder.iterdir() if not _REPEAT.search(p.stem)),
                   key=lambda p: (p.stem, p.suffix != ".out"))
    stage = failure.stage
    prefix = "gate_" + stage.split(":", 1)[1] if stage.startswith("gate:") else stage
    own = [p for p in first if p.name.startswith(prefix)]
    return own or first


def failed_note(ws: Workspace, run: str) -> Path:
    return ws.logs_dir(run) / "baseline-failed.txt"


def missing_baseline(ws: Workspace, run: str) -> str | None:
    """What `hone show 0` says of a run whose baseline failed (None: no such failure kept)."""
    note = failed_note(ws, run)
    if not note.is_file():
        return None
    return (f"run {run!r} has no attempt #0: its baseline failed, so the run was not "
            "started; what `hone run` said:\n" + note.read_text(encoding="utf-8").rstrip())


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
