"""Run one shell command with a timeout, its whole process tree killed at the end, output capped.

The command runs in a new session (process group); when it exits or times out the whole group is
killed, so background grandchildren never outlive it. stdout and stderr go to separate log files
that keep their first `max_bytes` and always their last 64 KiB. A jail's `Supervisor` (see
verify/limits.py) is driven here: started after the spawn, polled for its limits, killed with the
command. Every command is timed by hone itself, outside anything it runs: wall seconds, and the
CPU seconds of the process and the descendants it waited for (`os.wait4`'s rusage), which the
corroboration of a claimed speed-up reads (verify/corroborate.py).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from hone.verify import meanwhile
from hone.verify.caplog import TAIL_BYTES as TAIL_BYTES
from hone.verify.caplog import CappedLog, Pump, describe_os_error

CHECK_SECONDS = 0.25  # how often a supervisor's limits are polled while a command runs
DRAIN_SECONDS = 5.0  # how long output is still read once the command ended and was killed


@runtime_checkable
class Supervisor(Protocol):
    """What a jail does around one command (verify/limits.py implements it).

    `pass_fds` are inherited by the command; `spawning()` is entered around the spawn (it may
    place the spawning thread where the child must be born); `started(pid)` runs right after
    the spawn, before
    the jail lets the command go (it may raise a HoneError: the command is then killed);
    `check()` is polled while it runs and returns '' or why it must be killed now; `outcome()`
    says after the end what a limit did to it ('' when nothing); `cpu_seconds()` the CPU time
    of every process the jail held (its cgroup's), None when it cannot say; `kill()` ends every
    process the jail holds, also those that left the process group.
    """

    pass_fds: tuple[int, ...]

    def spawning(self) -> contextlib.AbstractContextManager[None]: ...

    def started(self, pid: int) -> None: ...

    def check(self) -> str: ...

    def outcome(self) -> str: ...

    def cpu_seconds(self) -> float | None: ...

    def kill(self) -> None: ...


@dataclass(frozen=True)
class CommandResult:
    """What one command did. `returncode` is None when it timed out. `seconds`: wall time
    from spawn to reaping; `cpu_seconds`: user + system CPU time of the process and of the
    descendants it waited for (0.0 when the kernel could not say)."""

    returncode: int | None
    seconds: float
    stdout_tail: str
    stderr_tail: str
    stdout_path: Path
    stderr_path: Path
    timed_out: bool = False
    log_error: str = ""
    killed: str = ""  # why a limit killed it ("CPU time limit exceeded ..."), '' otherwise
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.log_error

    def tail(self, lines: int = 30) -> str:
        """The last lines of stderr then stdout, for failure reports."""
        text = (self.stderr_tail.rstrip() + "\n" + self.stdout_tail.rstrip()).strip()
        return "\n".join(text.splitlines()[-lines:])


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


def _wait(proc: subprocess.Popen[bytes], timeout: float, check: Callable[[], str] | None,
          pump: Pump) -> str:
    """Wait for `proc` to exit, without reaping it, copying its output meanwhile (`pump`): ''
    when it exited, "timeout", or the reason `check` (polled every CHECK_SECONDS) gave to stop.

    Popen.wait(timeout) polls with sleeps of up to 50 ms, which every measurement would pay;
    a pidfd (Linux 5.3+) wakes us the moment the process exits.
    """
    deadline = time.monotonic() + timeout
    step = CHECK_SECONDS if check is not None else timeout
    checked = time.monotonic()
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        fd = -1
    try:
        poller = select.poll()
        if fd >= 0:
            poller.register(fd, select.POLLIN)
        pump.register(poller)
        while True:
            now = time.monotonic()
            if now >= deadline:
                return "timeout"
            wait = max(0.0, min(deadline, checked + step) - now)
            if _exited(proc, poller, fd, pump, wait):
                return ""
            if check is not None and time.monotonic() >= checked + step:
                checked = time.monotonic()
                reason = check()
                if reason:
                    return reason
    finally:
        if fd >= 0:
            os.close(fd)


def _exited(proc: subprocess.Popen[bytes], poller: select.poll, pidfd: int, pump: Pump,
            wait: float) -> bool:
    """Poll up to `wait` seconds, copying the output that came; whether `proc` exited."""
    if pidfd < 0:  # no pidfd: look without reaping (`_reap` reads the rusage), then nap
        wait = min(wait, 0.05)
    exited = False
    for fd, _event in poller.poll(wait * 1000):
        if fd == pidfd:
            exited = True
        elif pump.owns(fd):
            pump.read(fd, poller)
    if pidfd < 0:
        exited = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    return exited


def run_command(
    argv: Sequence[str],
    cwd: Path,
    log_stem: Path,
    timeout: float,
    env: dict[str, str] | None = None,
    max_bytes: int = 2_000_000,
    preexec: Callable[[], None] | Supervisor | None = None,
) -> CommandResult:
    """Run `argv` in `cwd`; logs go to `<log_stem>.out` and `<log_stem>.err`.

    `preexec` is a jail's Supervisor (what `sandbox.launch` gives) or a plain function run in
    the child before exec (slow: it rules out vfork). A program that cannot be started (not
    found, not executable) is a failed command with exit code 127, not an exception.
    """
    jail = preexec if isinstance(preexec, Supervisor) else _NoJail()
    plain = preexec if callable(preexec) else None
    start = time.monotonic()
    try:
        proc = _spawn(argv, cwd, env, jail, plain)
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        log_stem.parent.mkdir(parents=True, exist_ok=True)
        out_path, err_path = _log_paths(log_stem)
        return _not_started(argv, exc, out_path, err_path, time.monotonic() - start)
    return attend(proc, jail, log_stem, timeout, max_bytes, lambda: jail.started(proc.pid),
                  start)


def spawn_held(argv: Sequence[str], cwd: Path, env: dict[str, str],
               jail: Supervisor) -> subprocess.Popen[bytes]:
    """Start `argv` (bwrap with `--block-fd`, which builds the jail and waits until `attend`
    lets it go); until then it is a process `kill_running` ends. Raises OSError when it cannot
    start. bwrap is born outside the jail's cgroup and moved in by `Supervisor.ready`, which
    runs in a thread beside the proposer: moving the spawning thread in and out would cost
    the caller more."""
    proc = _spawn(argv, cwd, env, jail, None, inside=False)
    with _running_lock:
        _running.add(proc.pid)
    return proc


def end(proc: subprocess.Popen[bytes], jail: Supervisor) -> None:
    """Kill a process `spawn_held` started (its group and its jail) and reap it."""
    kill_group(proc.pid)
    jail.kill()
    _reap(proc, jail)
    with _running_lock:
        _running.discard(proc.pid)


def attend(proc: subprocess.Popen[bytes], jail: Supervisor, log_stem: Path, timeout: float,
           max_bytes: int, go: Callable[[], None], start: float | None = None
           ) -> CommandResult:
    """Copy `proc`'s output to the logs, let it go (`go`), wait for it within `timeout` and
    the jail's limits, then kill its group and reap it. `start`: when its time began (None:
    when it was let go)."""
    log_stem.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = _log_paths(log_stem)
    assert proc.stdout is not None and proc.stderr is not None
    with _running_lock:
        _running.add(proc.pid)
    out, err = CappedLog(out_path, max_bytes), CappedLog(err_path, max_bytes)
    pump = Pump({proc.stdout: out, proc.stderr: err})
    stopped, ended = "", False
    began = start
    try:
        go()
        began = time.monotonic() if began is None else began
        with meanwhile.measuring():
            stopped = _wait(proc, timeout, None if isinstance(jail, _NoJail) else jail.check,
                            pump)
        ended = True
    finally:
        # Always kill the group (and the jail's cgroup): background grandchildren must not
        # outlive the command, and an interrupt (Ctrl-C) must not leave orphans behind.
        kill_group(proc.pid)
        jail.kill()
        cpu = _reap(proc, jail)
        with _running_lock:
            _running.discard(proc.pid)
        seconds = time.monotonic() - (began if began is not None else time.monotonic())
        pump.drain(DRAIN_SECONDS if ended else 0.0)  # interrupted: the logs are closed as is
        stdout_tail, stderr_tail = out.close(), err.close()
    killed = "" if stopped in ("", "timeout") else stopped
    if not killed and proc.returncode != 0:
        killed = jail.outcome()
    return CommandResult(
        returncode=None if stopped == "timeout" else proc.returncode,
        seconds=seconds,
        stdout_tail=stdout_tail,
        stderr_tail=stderr_tail + (f"\nhone: killed: {killed}\n" if killed else ""),
        stdout_path=out_path,
        stderr_path=err_path,
        timed_out=stopped == "timeout",
        log_error=out.error or err.error,
        killed=killed,
        cpu_seconds=cpu,
    )


def _log_paths(log_stem: Path) -> tuple[Path, Path]:
    return (log_stem.with_name(log_stem.name + ".out"),
            log_stem.with_name(log_stem.name + ".err"))


def _reap(proc: subprocess.Popen[bytes], jail: Supervisor) -> float:
    """Wait for `proc` (already ended or killed) and return its CPU seconds, user + system,
    its waited-for descendants included: `os.wait4`'s rusage, which `Popen.wait` drops. In a
    jail the command is bwrap's grandchild, which bwrap does not wait for: the jail's cgroup,
    which counts every process of the command, says instead when it can."""
    jailed = jail.cpu_seconds()
    if jailed:
        proc.wait()
        return jailed
    if proc.returncode is None:
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:  # reaped elsewhere: no rusage to read
            proc.wait()
            return 0.0
        proc.returncode = os.waitstatus_to_exitcode(status)
        return float(usage.ru_utime + usage.ru_stime)
    return 0.0


def _spawn(argv: Sequence[str], cwd: Path, env: dict[str, str] | None,
           jail: Supervisor, plain: Callable[[], None] | None,
           inside: bool = True) -> subprocess.Popen[bytes]:
    with jail.spawning() if inside else contextlib.nullcontext():
        return subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=plain,
            pass_fds=jail.pass_fds,
        )


class _NoJail:
    """The Supervisor of a command that runs without a jail: it does nothing."""

    pass_fds: tuple[int, ...] = ()

    def spawning(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def started(self, pid: int) -> None:
        pass

    def check(self) -> str:
        return ""

    def outcome(self) -> str:
        return ""

    def cpu_seconds(self) -> float | None:
        return None

    def kill(self) -> None:
        pass


def _not_started(argv: Sequence[str], exc: OSError, out_path: Path, err_path: Path,
                 seconds: float) -> CommandResult:
    message = f"hone: cannot run {argv[0]}: {exc.strerror or exc}\n"
    error = ""
    try:
        out_path.write_bytes(b"")
        err_path.write_text(message)
    except OSError as write_exc:
        error = describe_os_error(write_exc, err_path)
    return CommandResult(127, seconds, "", message, out_path, err_path, log_error=error)
