"""The loop's operations as the MCP server hands them out: the library functions the CLI
calls, typed results, and nothing of the holdout (`redact`).

Each call opens the workspace afresh, so a config edit or another hone process's work is seen,
and holds the repository's lock only while it changes the run (ask, tell), as the CLI does.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from hone.direction import fmt_gain
from hone.errors import UsageError
from hone.mcp.redact import redact

if TYPE_CHECKING:
    from hone.loop.engine import Engine
    from hone.loop.view import RunView


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class AskResult(_Result):
    """A reserved attempt: edit files in `workdir`, then `tell` with its `id`."""

    id: int = Field(description="The attempt's id; pass it to `tell`.")
    parent: int = Field(description="The attempt whose code `workdir` holds.")
    workdir: str = Field(description="The only folder to edit.")
    brief_path: str = Field(description="The brief's file (also the resource hone://brief/ID).")
    brief: str = Field(description="The brief: goal, files, history, lessons, what to do.")


class TellResult(_Result):
    """How hone judged an attempt: its status, score and why."""

    id: int
    status: str = Field(description="kept, discarded, failed, rejected, duplicate or held.")
    score: float | None
    champion_id: int
    champion_score: float | None
    stage: str = Field(description="Where it stopped (a gate's name, objective, ...).")
    reason: str
    decision: dict[str, Any] | None = Field(description="The decision's rule and evidence.")
    metrics: dict[str, Any] = Field(
        default_factory=dict, description="Every metric against the parent: median, per seed, "
        "change, and whether it lost or gained for the score (`lost_on`, `gained_on`).")


class BestResult(_Result):
    """The champion: the best kept attempt so far (the baseline at first)."""

    id: int
    score: float | None
    commit: str | None
    hypothesis: str
    baseline_score: float | None
    gain: str = Field(description="The champion's gain over the baseline, e.g. '+20.00%'.")
    direction: str


class ReportResult(_Result):
    path: str = Field(description="The self-contained HTML report, for the user to open.")


class HoneTools:
    """The loop of `run` (default: the config's) in the repository at `directory`."""

    def __init__(self, directory: Path, run: str | None = None) -> None:
        self.directory = directory
        self.run = run
        # One call at a time: a run's lock is per process file handle, so two of this
        # server's own calls would refuse each other.
        self._one = threading.Lock()

    def ask(self, parent: int | None = None) -> AskResult:
        from hone.loop.asktell import ask

        with self._engine() as engine:
            asked = ask(engine, parent)
        text = Path(asked.brief).read_text(encoding="utf-8")
        return AskResult(id=asked.id, parent=asked.parent, workdir=asked.workdir,
                         brief_path=asked.brief, brief=text)

    def tell(self, attempt_id: int, hypothesis: str) -> TellResult:
        from hone.loop.asktell import tell

        with self._engine() as engine:
            told = tell(engine, attempt_id, hypothesis)
        a, champion = told.attempt, told.champion
        return TellResult(id=a.id, status=a.status.value, score=a.score,
                          champion_id=champion.id, champion_score=champion.score,
                          stage=redact(a.stage), reason=a.reason,
                          decision=redact(a.decision.to_json()) if a.decision else None,
                          metrics=told.compared.to_json() if told.compared else {})

    def status(self) -> dict[str, Any]:
        from hone.views import status_view

        with self._view() as view:
            out: dict[str, Any] = redact(status_view(view).to_json())
        return out

    def show(self, attempt_id: int) -> dict[str, Any]:
        from hone.show import show_view

        with self._view() as view:
            out: dict[str, Any] = redact(show_view(view, attempt_id))
        return out

    def best(self) -> BestResult:
        from hone.views import best_view

        with self._view() as view:
            b = best_view(view, None)
        return BestResult(id=b["id"], score=b["score"], commit=b["commit"],
                          hypothesis=b["hypothesis"], baseline_score=b["baseline_score"],
                          gain=fmt_gain(b["gain"]), direction=b["direction"])

    def report(self) -> ReportResult:
        """The user's report, at `.hone/reports/RUN.html` (where `hone report` writes it).
        No other path: the report shows the holdout, and it is not the proposer's to place."""
        from hone.report.render import write_report

        with self._view() as view:
            view.info()  # a one-line error for a run that does not exist
            path = view.ws.dir / "reports" / f"{view.run}.html"
            return ReportResult(path=str(write_report(view, path)))

    def brief(self, attempt_id: int) -> str:
        """The brief written for attempt `attempt_id` by `ask`."""
        with self._view() as view:
            path = view.ws.dir / "briefs" / view.run / f"{attempt_id:05d}.md"
            if not path.is_file():
                raise UsageError(f"run {view.run!r} has no brief for attempt #{attempt_id}")
            return path.read_text(encoding="utf-8")

    def summary(self) -> str:
        """The run in a few lines: champion, gain over the baseline, attempts by status and
        the last ones with their reasons."""
        status = self.status()
        champion = status["champion"]
        attempts = status["attempts"]
        counts = Counter(a["status"] for a in attempts)
        gain = status.get("champion_gain")
        lines = [f"run {status['run']}: champion #{champion['id']} score {champion['score']}"
                 + (f" ({gain:+.2%} over the baseline)" if gain is not None else ""),
                 f"{len(attempts)} attempts: "
                 + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())), "last attempts:"]
        lines += [f"#{a['id']} from #{a['parent']} {a['status']} score {a['score']}: "
                  f"{a['hypothesis']}" + (f" ({a['reason']})" if a["reason"] else "")
                  for a in attempts[-10:]]
        return "\n".join(lines) + "\n"

    @contextmanager
    def _view(self) -> Iterator[RunView]:
        from hone.loop.view import RunView
        from hone.loop.workspace import Workspace

        with self._one:
            ws = Workspace.open(self.directory)
            yield RunView(ws, self.run or ws.config.run.name)

    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        from hone.loop.session import open_engine
        from hone.loop.workspace import Workspace

        with self._one:
            ws = Workspace.open(self.directory)
            name = self.run or ws.config.run.name
            with ws.lock(name), open_engine(ws, name) as engine:
                yield engine
