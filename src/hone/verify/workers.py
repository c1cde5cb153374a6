"""Daemon threads kept for short waits that every command needs (copying its output, setting a
jail's limits): starting a thread costs 0.1-0.5 ms on a loaded 2-core machine, three times per
command, on the path between one measurement and the next.

Unlike `concurrent.futures`, whose threads Python joins at exit, these are daemons: a copier
blocked on a pipe that an escaped grandchild still holds never keeps hone from exiting.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable


class Workers:
    """Runs each task given to `run` in a daemon thread: an idle one when there is one, else a
    new one (there are never fewer threads than tasks in progress, so no task waits)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0

    def run(self, task: Callable[[], None]) -> None:
        with self._lock:
            spare = self._idle > 0
            if spare:
                self._idle -= 1
        self._tasks.put(task)
        if not spare:
            threading.Thread(target=self._work, daemon=True, name=self.name).start()

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            with contextlib.suppress(Exception):  # a task reports through its own state
                task()
            with self._lock:
                self._idle += 1


WORKERS = Workers("hone-worker")
