"""Run one shell command with a timeout, its whole process tree killed at the end, output capped.

The command runs in a new session (process group); when it exits or times out the whole group is
killed, so background grandchildren never outlive it. stdout and stderr go to separate log files
that keep their first `max_bytes` and always their last 64 KiB.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class CommandResult:
    """What one command did. `returncode` is None when it timed out."""

    returncode: int | None
    seconds: float
    stdout_tail: str
    stderr_tail: str
    stdout_path: Path
    stderr_path: Path
    timed_out: bool = False
    log_error: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.log_error

    def tail(self, lines: int = 30) -> str:
        """The last lines of stderr then stdout, for failure reports."""
        text = (self.stderr_tail.rstrip() + "\n" + self.stdout_tail.rstrip()).strip()
        return "\n".join(text.splitlines()[-lines:])


class _CappedLog:
    """Copies a pipe to a file, keeping the head up to a cap and a rolling tail."""

    def __init__(self, pipe: IO[bytes], path: Path, max_bytes: int) -> None:
        self.pipe, self.path, self.max_bytes = pipe, path, max_bytes
        self.tail = bytearray()
        self.written = 0
        self.dropped = 0
        self.error = ""
        self.thread = threading.Thread(target=self._copy, daemon=True)
        self.thread.start()

    def _copy(self) -> None:
        out: IO[bytes] | None = None
        try:
            out = open(self.path, "wb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            self.error = _describe_os_error(exc, self.path)
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
                        self.error = _describe_os_error(exc, self.path)
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
                    self.error = self.error or _describe_os_error(exc, self.path)

    def finish(self, timeout: float = 5.0) -> str:
        self.thread.join(timeout)
        return self.tail.decode("utf-8", errors="replace")


def _describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"disk full while writing log {path.name}"
    return f"cannot write log {path.name}: {exc.strerror or exc}"


# Process groups of the commands running now, in any thread: `kill_running` ends them all
# when hone is interrupted while parallel slots run commands in worker threads.
_running: set[int] = set()
_running_lock = threading.Lock()


def kill_running() -> None:
    """SIGKILL the process group of every command that `run_command` is running now."""
    with _running_lock:
        groups = list(_running)
    for pgid in groups:
        kill_group(pgid)


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group; a group that is already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for `proc` to exit; False when `timeout` passed first.

    Popen.wait(timeout) polls with sleeps of up to 50 ms, which every measurement would pay;
    a pidfd (Linux 5.3+) wakes us the moment the process exits.
    """
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        try:
            proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        deadline = time.monotonic() + timeout
        while not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
            if time.monotonic() >= deadline:
                return False
        proc.wait()
        return True
    finally:
        os.close(fd)


def run_command(
    argv: Sequence[str],
    cwd: Path,
    log_stem: Path,
    timeout: float,
    env: dict[str, str] | None = None,
    max_bytes: int = 2_000_000,
    preexec: Callable[[], None] | None = None,
) -> CommandResult:
    """Run `argv` in `cwd`; logs go to `<log_stem>.out` and `<log_stem>.err`."""
    log_stem.parent.mkdir(parents=True, exist_ok=True)
    out_path = log_stem.with_name(log_stem.name + ".out")
    err_path = log_stem.with_name(log_stem.name + ".err")
    start = time.monotonic()
    proc = subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True, preexec_fn=preexec,
    )
    assert proc.stdout is not None and proc.stderr is not None
    with _running_lock:
        _running.add(proc.pid)
    out = _CappedLog(proc.stdout, out_path, max_bytes)
    err = _CappedLog(proc.stderr, err_path, max_bytes)
    timed_out = False
    try:
        timed_out = not _wait(proc, timeout)
    finally:
        # Always kill the group: background grandchildren must not outlive the command, and
        # an interrupt (Ctrl-C) must not leave orphans behind.
        kill_group(proc.pid)
        proc.wait()
        with _running_lock:
            _running.discard(proc.pid)
    seconds = time.monotonic() - start
    stdout_tail, stderr_tail = out.finish(), err.finish()
    return CommandResult(
        returncode=None if timed_out else proc.returncode,
        seconds=seconds,
        stdout_tail=stdout_tail,
        stderr_tail=stderr_tail,
        stdout_path=out_path,
        stderr_path=err_path,
        timed_out=timed_out,
        log_error=out.error or err.error,
    )
