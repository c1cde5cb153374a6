"""A command's output copied from its pipe to a log file: the head up to a cap, and always the
last 64 KiB (verify/process.py starts one per stream)."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import IO

from hone.verify.workers import WORKERS

TAIL_BYTES = 64 * 1024


class CappedLog:
    """Copies a pipe to a file, keeping the head up to a cap and a rolling tail."""

    def __init__(self, pipe: IO[bytes], path: Path, max_bytes: int) -> None:
        self.pipe, self.path, self.max_bytes = pipe, path, max_bytes
        self.tail = bytearray()
        self.written = 0
        self.dropped = 0
        self.error = ""
        self.done = threading.Event()
        WORKERS.run(self._copy)

    def _copy(self) -> None:
        try:
            self._copy_all()
        finally:
            self.done.set()

    def _copy_all(self) -> None:
        out: IO[bytes] | None = None
        try:
            out = open(self.path, "wb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            self.error = describe_os_error(exc, self.path)
        try:
            while chunk := self.pipe.read1(65536):  # type: ignore[attr-defined]
                self.tail += chunk
                if len(self.tail) > TAIL_BYTES:
                    del self.tail[: len(self.tail) - TAIL_BYTES]
                room = self.max_bytes - self.written
                if out is not None and not self.error and room > 0:
                    try:
                        out.write(chunk[:room])
                        out.flush()
                    except OSError as exc:
                        self.error = describe_os_error(exc, self.path)
                    self.written += min(room, len(chunk))
                self.dropped += max(0, len(chunk) - max(room, 0))
        finally:
            if out is not None:
                try:
                    if self.dropped and not self.error:
                        note = f"\n[hone: {self.dropped} bytes dropped; last {TAIL_BYTES} follow]\n"
                        out.write(note.encode() + bytes(self.tail))
                    out.close()
                except OSError as exc:
                    self.error = self.error or describe_os_error(exc, self.path)

    def finish(self, timeout: float = 5.0) -> str:
        self.done.wait(timeout)
        return self.tail.decode("utf-8", errors="replace")


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"disk full while writing log {path.name}"
    return f"cannot write log {path.name}: {exc.strerror or exc}"
