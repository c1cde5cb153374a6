"""A command's output copied from its pipes to log files: the head of each up to a cap, and
always the last 64 KiB. The thread that waits for the command copies it (`Pump`), between its
waits (verify/process.py): no thread per stream, and nothing to wait for once the command
ended but the bytes still in the pipes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import time
from pathlib import Path
from typing import IO

TAIL_BYTES = 64 * 1024
CHUNK = 65536


class CappedLog:
    """One stream's log file: the head up to `max_bytes`, a rolling tail, a note of what was
    dropped in between."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path, self.max_bytes = path, max_bytes
        self.tail = bytearray()
        self.written = 0
        self.dropped = 0
        self.error = ""
        self._out: IO[bytes] | None = None
        try:
            self._out = open(path, "wb")  # noqa: SIM115 - closed in close()
        except OSError as exc:
            self.error = describe_os_error(exc, path)

    def feed(self, chunk: bytes) -> None:
        self.tail += chunk
        if len(self.tail) > TAIL_BYTES:
            del self.tail[: len(self.tail) - TAIL_BYTES]
        room = self.max_bytes - self.written
        if self._out is not None and not self.error and room > 0:
            try:
                self._out.write(chunk[:room])
                self._out.flush()
            except OSError as exc:
                self.error = describe_os_error(exc, self.path)
            self.written += min(room, len(chunk))
        self.dropped += max(0, len(chunk) - max(room, 0))

    def close(self) -> str:
        """Close the file (with the dropped bytes' note and the tail); the tail as text."""
        out, self._out = self._out, None
        if out is not None:
            try:
                if self.dropped and not self.error:
                    note = f"\n[hone: {self.dropped} bytes dropped; last {TAIL_BYTES} follow]\n"
                    out.write(note.encode() + bytes(self.tail))
                out.close()
            except OSError as exc:
                self.error = self.error or describe_os_error(exc, self.path)
        return self.tail.decode("utf-8", errors="replace")


class Pump:
    """Copies a command's pipes into their logs whenever the waiting thread's poll says they
    can be read (`register`, then `read` for each such fd), and what is left once it ended
    (`drain`)."""

    def __init__(self, pipes: dict[IO[bytes], CappedLog]) -> None:
        self._pipes = pipes
        self._logs = {pipe.fileno(): log for pipe, log in pipes.items()}
        for fd in self._logs:
            os.set_blocking(fd, False)

    def register(self, poller: select.poll) -> None:
        for fd in self._logs:
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def owns(self, fd: int) -> bool:
        return fd in self._logs

    def read(self, fd: int, poller: select.poll) -> None:
        """Copy what pipe `fd` holds; at its end (every writer gone) stop watching it."""
        log = self._logs[fd]
        for _ in range(16):  # at most 1 MiB per wake-up: the command's exit is watched too
            try:
                chunk = os.read(fd, CHUNK)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                poller.unregister(fd)
                del self._logs[fd]
                return
            log.feed(chunk)

    def drain(self, seconds: float) -> None:
        """Copy what is left until every pipe ends, for at most `seconds` (a process that
        escaped the kill may hold a pipe open), then close them."""
        deadline = time.monotonic() + seconds
        poller = select.poll()
        self.register(poller)
        while self._logs:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for fd, _event in poller.poll(left * 1000):
                if fd in self._logs:
                    self.read(fd, poller)
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.close()


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"disk full while writing log {path.name}"
    return f"cannot write log {path.name}: {exc.strerror or exc}"
