"""A read-only view of one run: what status, show, best, report and ui read.

It starts no git process and builds no verifier to read a run: the journal says everything but
an attempt's diff, which is computed on demand.
"""

from __future__ import annotations

from pathlib import Path

from hone.errors import HoneError
from hone.loop.failed_baseline import missing_baseline
from hone.loop.workspace import Workspace
from hone.records import Attempt
from hone.store.base import RunInfo


class RunView:
    """One run of a workspace, as the journal records it."""

    def __init__(self, ws: Workspace, run: str) -> None:
        self.ws, self.run = ws, run
        self.store = ws.store

    @property
    def logs_dir(self) -> Path:
        """Where every command's log of this run is written (`<attempt id:05d>/<name>`)."""
        return self.ws.logs_dir(self.run)

    def info(self) -> RunInfo:
        info = self.store.get_run(self.run)
        if info is None:
            raise HoneError(f"no run named {self.run!r}; start it with `hone run`")
        return info

    def history(self) -> list[Attempt]:
        return self.store.list_attempts(self.run)

    def get(self, attempt_id: int) -> Attempt:
        attempt = self.store.get_attempt(self.run, attempt_id)
        if attempt is None:
            failed = missing_baseline(self.ws, self.run) if attempt_id == 0 else None
            raise HoneError(failed or f"run {self.run!r} has no attempt #{attempt_id}")
        return attempt

    def champion(self) -> Attempt:
        return self.get(self.info().champion)

    def diff_from_parent(self, attempt: Attempt) -> str:
        """The attempt's change against its (first) parent; '' when either has no commit."""
        parent = self.store.get_attempt(self.run, attempt.parent) \
            if attempt.parent is not None else None
        if attempt.commit and parent and parent.commit:
            return self.ws.repo.diff(parent.commit, attempt.commit)
        return ""
