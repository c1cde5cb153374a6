"""Ref writes taken off the loop's path: done in order, on one worker thread.

Pointing a ref that exists at another commit renames a new file over it, and ext4 writes a
file renamed over another out at once: about a millisecond here, the same for git's own
`update-ref`. The loop moves the run's best ref after every keep. The journal, written first,
is what a resumed run trusts (`loop/recover.py` puts back a ref that a crash left behind), so
the ref may follow a moment later, while the loop goes on; `flush` waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["RefQueue"]


class RefQueue:
    """`write(ref, sha)` calls run in the order they were put, one at a time. A failed write
    is raised by the next `put` or `flush`. Writes still queued when the process exits
    normally (or with an exception) are finished first: the thread is joined at exit."""

    def __init__(self, write: Callable[[str, str], None]) -> None:
        self._write = write
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        self._lock = threading.Lock()

    def put(self, ref: str, sha: str) -> None:
        """Queue `write(ref, sha)`; raise the failure of an earlier write, if one failed."""
        self._settle(block=False)
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hone-refs")
            self._pending.append(self._pool.submit(self._write, ref, sha))

    def flush(self) -> None:
        """Wait for every queued write; raise the first that failed."""
        self._settle(block=True)

    def _settle(self, block: bool) -> None:
        """Forget the finished writes (with `block`: every write, once it is finished) and
        raise the first of them that failed."""
        with self._lock:
            finished = [f for f in self._pending if block or f.done()]
            self._pending = [f for f in self._pending if f not in finished]
        for future in finished:
            error = future.exception()  # waits for a write still running
            if error is not None:
                raise error
