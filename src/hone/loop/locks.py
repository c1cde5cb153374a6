"""Which hone process works on which run: one lock per run under `.hone/locks/`.

Each run has its own worktrees (`Workspace.run_dir`), so several runs of one repository go at
once; one run is worked on by one process at a time (`hone run`, `ask`, `tell`, the MCP tools).
The lock's holder file names the process (pid, command) for messages and `hone stop`; the stop
file is how `hone stop` asks the holder to stop after the attempts in flight.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from filelock import FileLock, Timeout

from hone.errors import RunLocked


def file_name(run: str) -> str:
    """`run` as one file name: run names follow git's ref rules and may hold `/`; quoting
    keeps `a/b` and `a` (and `a%2Fb`) apart."""
    return quote(run, safe="")


@dataclass(frozen=True)
class Holder:
    """The process that holds a run's lock: its pid and what it runs (`run`, `ask`, ...)."""

    pid: int
    command: str

    def describe(self) -> str:
        return f"`hone {self.command}` (pid {self.pid})" if self.command else f"pid {self.pid}"


class RunLocks:
    """The run locks of one repository, in `folder` (`.hone/locks`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, run: str, suffix: str) -> Path:
        return self.folder / f"{file_name(run)}.{suffix}"

    def acquire(self, run: str, command: str = "") -> FileLock:
        """Take `run`'s lock (exclusive, non-blocking, released even by `kill -9`) for
        `command`; RunLocked, naming the holder, when another process has it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path(run, "lock")), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            other = self.holder(run)
            who = other.describe() if other else "another hone process"
            raise RunLocked(
                f"run {run!r} is in use by {who}: one process at a time works on a run (they "
                "would share its worktrees and attempts in flight); use another run (--run "
                f"NAME) or wait, or ask it to stop with `hone stop --run {run}`") from None
        self.path(run, "holder").write_text(
            json.dumps({"pid": os.getpid(), "command": command}) + "\n", encoding="utf-8")
        return lock

    def holder(self, run: str) -> Holder | None:
        """Who holds (or last held) `run`'s lock; None when unknown."""
        try:
            data = json.loads(self.path(run, "holder").read_text(encoding="utf-8"))
            return Holder(int(data["pid"]), str(data.get("command", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def going(self, run: str) -> bool:
        """Whether a hone process holds `run`'s lock now."""
        return held(self.path(run, "lock"))

    # -- hone stop ---------------------------------------------------------------------------
    def request_stop(self, run: str) -> bool:
        """Ask the process working on `run` to stop after its attempts in flight; False when
        no process works on it."""
        if not self.going(run):
            return False
        self.path(run, "stop").write_text(f"{os.getpid()}\n", encoding="utf-8")
        return True

    def stop_file(self, run: str) -> Path:
        """The file whose presence asks `run`'s process to stop (see `request_stop`)."""
        return self.path(run, "stop")

    def clear_stop(self, run: str) -> None:
        """Forget a stop request (one left over from an earlier process must not stop the
        next); call it while holding the run's lock."""
        self.path(run, "stop").unlink(missing_ok=True)


def held(path: Path) -> bool:
    """Whether another process holds the file lock at `path` (taken and released at once when
    free, so a reader never blocks a writer for longer than that)."""
    if not path.is_file():
        return False
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False
