"""`[notify] command`: the user's own command, run when a run stops, holds an attempt or finds a
new champion (e.g. to send a message). Not jailed (it is the user's, like the config itself);
bounded by `[notify] timeout`; a failure is said on stderr and never stops the run."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path

from hone.config.model import NotifySection
from hone.loop.engine import EventHandler
from hone.records import Attempt, Event, Status


class Notice(enum.StrEnum):
    """What `HONE_EVENT` says."""

    STOPPED = "stopped"
    HELD = "held"
    CHAMPION = "champion"


class Notifier:
    """An event handler: passes every event on to `inner`, and runs the command (in `cwd`,
    its output in `logs/notify.out|err`) on a new champion and on a held attempt; `send` for
    the run's end. Its environment adds HONE_EVENT, HONE_RUN, HONE_ATTEMPT and HONE_SCORE
    (empty when the attempt has none)."""

    def __init__(self, section: NotifySection, run: str, cwd: Path, logs: Path,
                 inner: EventHandler | None = None) -> None:
        self.section, self.run, self.cwd, self.logs, self.inner = section, run, cwd, logs, inner

    def __call__(self, event: Event, attempt: Attempt) -> None:
        if self.inner is not None:
            self.inner(event, attempt)
        if event is Event.CHAMPION:
            self.send(Notice.CHAMPION, attempt)
        elif event is Event.DECIDED and attempt.status is Status.HELD:
            self.send(Notice.HELD, attempt)

    def send(self, notice: Notice, attempt: Attempt | None) -> None:
        """Run the command for `notice` (nothing when no command is configured)."""
        if not self.section.command:
            return
        from hone.verify.process import run_command

        score = attempt.score if attempt is not None else None
        env = {**os.environ, "HONE_EVENT": notice.value, "HONE_RUN": self.run,
               "HONE_ATTEMPT": str(attempt.id) if attempt is not None else "",
               "HONE_SCORE": repr(score) if score is not None else ""}
        result = run_command(["/bin/sh", "-c", self.section.command], self.cwd,
                             self.logs / "notify", self.section.timeout, env)
        if result.ok:
            return
        why = (f"timed out after {self.section.timeout:g} s" if result.timed_out
               else f"exited {result.returncode}")
        last = result.tail(1)
        sys.stderr.write(f"hone: notify ({notice.value}) {why}"
                         + (f": {last}" if last else "") + f" (log: {result.stderr_path})\n")
