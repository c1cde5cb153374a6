"""Work that waits for a measurement to start, so that it runs while the loop's thread waits.

The serial loop's one thread alternates: it works (decides, proposes, commits), then waits
while the objective runs. Python runs one thread at a time, so work done in another thread
while the loop's thread works delays the loop as much as work done in line; done while a
command is measured, it takes the time the loop's thread spends waiting. `later(task)`
queues such work (a reflection on lessons, verify/prestart.py's next jail). It starts once a
measured command runs (`measuring()`, which verify/process.py enters when it lets a command
go), or at once when someone waits for it (`Later.result`): nothing ever waits for a
measurement that may not come. Under `exclusive_objective` (`hold_off`) it waits for that.

One daemon thread runs the tasks in the order given. While one runs, the interpreter
switches threads every `SWITCH_SECONDS` (Python's default is 5 ms), so the loop's thread,
woken by its command's end, takes over within that, and the command's measured wall time
stays honest.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")
SWITCH_SECONDS = 0.0005

_cond = threading.Condition()
_queue: deque[Later[Any]] = deque()
_measuring = 0
_held_off = 0
_worker: threading.Thread | None = None


class Later(Generic[T]):
    """A task queued by `later`: `result()` waits for it (starting it now if no measurement
    has yet) and returns its value or raises its exception; `cancel()` drops it unstarted."""

    def __init__(self, task: Callable[[], T]) -> None:
        self._task = task
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        self.urgent = False

    def done(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> bool:
        """Drop the task if it has not started; whether it was dropped (`result` then
        returns None)."""
        with _cond:
            if self not in _queue:
                return False
            _queue.remove(self)
        self._done.set()
        return True

    def result(self) -> T:
        if not self._done.is_set():
            with _cond:
                self.urgent = True
                _cond.notify_all()
            self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def _run(self) -> None:
        """Run the task, keeping its value or exception; `_work` then says it is done."""
        try:
            self._value = self._task()
        except BaseException as error:  # handed to whoever waits for it
            self._error = error


def later(task: Callable[[], T]) -> Later[T]:
    """Queue `task` to run once a command is measured, or when its result is asked for."""
    global _worker
    item: Later[T] = Later(task)
    with _cond:
        _queue.append(item)
        if _worker is None:
            _worker = threading.Thread(target=_work, daemon=True, name="hone-meanwhile")
            _worker.start()
        _cond.notify_all()
    return item


@contextlib.contextmanager
def measuring() -> Iterator[None]:
    """Entered while a command is measured: queued work may run now."""
    global _measuring
    with _cond:
        _measuring += 1
        if _queue:
            _cond.notify_all()
    try:
        yield
    finally:
        with _cond:
            _measuring -= 1


def hold_off() -> None:
    """Start no queued work during measurements until `go_on` (`exclusive_objective`'s lock:
    the objective has the machine to itself); work asked for still runs."""
    global _held_off
    with _cond:
        _held_off += 1


def go_on() -> None:
    global _held_off
    with _cond:
        _held_off -= 1
        _cond.notify_all()


def _due() -> bool:
    return bool(_queue) and ((_measuring > 0 and not _held_off)
                             or any(item.urgent for item in _queue))


def _forked() -> None:
    """In a child forked from hone: no worker thread came along, nor anything it held."""
    global _cond, _queue, _measuring, _held_off, _worker
    _cond, _queue, _measuring, _held_off, _worker = threading.Condition(), deque(), 0, 0, None


os.register_at_fork(after_in_child=_forked)


def _work() -> None:
    while True:
        with _cond:
            _cond.wait_for(_due)
            item = _queue.popleft()
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, SWITCH_SECONDS))
        try:
            item._run()
        finally:
            sys.setswitchinterval(switch)
            item._done.set()
