"""`exclusive_objective`'s machine-wide lock: timing-sensitive objectives take it exclusively,
objectives that may overlap each other take it shared."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from contextlib import AbstractContextManager
from pathlib import Path

from hone.verify import meanwhile


def sharing(exclusive: AbstractContextManager[object] | None
             ) -> AbstractContextManager[object] | None:
    """The lock a `shared` job takes: `exclusive_objective`'s, shared (None: no lock)."""
    return exclusive.sharing() if isinstance(exclusive, NodeLock) else exclusive


def objective_lock() -> NodeLock:
    """`exclusive_objective`'s lock: one per machine (and user), so the objectives of every
    slot, run and repository there take turns, Ray workers' included. `HONE_LOCK_DIR` moves it
    (e.g. to a folder users share)."""
    folder = os.environ.get("HONE_LOCK_DIR") or os.path.join(tempfile.gettempdir(),
                                                              f"hone-{os.getuid()}")
    return NodeLock(Path(folder) / "objective.lock")


class NodeLock:
    """`exclusive_objective` across processes of one machine: a file lock (`flock`, each
    holder on its own descriptor, so threads of one process take turns too). A
    timing-sensitive objective takes it exclusively; objectives that may overlap each other
    (the seeds of a deterministic objective run at once, see `Job.shared`) share it, so they
    still never overlap an exclusive holder, of this run or of another. While it is held
    exclusively, hone's own work that waits for a measurement (verify/meanwhile.py) does not
    start either: the objective has the machine to itself."""

    def __init__(self, path: Path, shared: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.shared = path, shared
        self._held = threading.local()

    def sharing(self) -> NodeLock:
        """The same lock, taken shared."""
        return NodeLock(self.path, shared=True)

    def __enter__(self) -> NodeLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._held.fds = [*getattr(self._held, "fds", []), fd]
        if not self.shared:
            meanwhile.hold_off()
        return self

    def __exit__(self, *exc: object) -> None:
        fds: list[int] = self._held.fds
        os.close(fds.pop())  # closing the descriptor releases its lock
        if not self.shared:
            meanwhile.go_on()
