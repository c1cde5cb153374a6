"""The jail's limits on one command, applied without a preexec hook and without RLIMIT_CPU.

bwrap is started with `--info-fd` and `--block-fd`: it reports the pid of its sandbox child and
waits. `Supervisor.started` then moves both processes into the command's cgroup (aggregate memory
and process caps, CPU accounting), sets the per-process rlimits on them with prlimit(2) and lets
the command go. Every descendant inherits both, and no fork of the Python parent runs Python code
(a preexec_fn forbids vfork: 2-15 ms per command depending on hone's size). CPU time and the
worktree's writes are watched from outside (`check`), so timers inside read as they do outside.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hone.errors import HoneError
from hone.verify import cgroups

MIB = 1024 * 1024
MIN_FREE_BYTES = 512 * MIB  # a command that leaves less free on the worktree's disk is killed


class JailStartError(HoneError):
    """The jail could not be set up around a command (cgroup or rlimit refused)."""


@dataclass(frozen=True)
class Plan:
    """The limits of one command. 0 lifts a limit."""

    memory_bytes: int = 0
    cpu_seconds: int = 0
    file_size_bytes: int = 0
    processes: int = 0
    disk_bytes: int = 0  # what the worktree may grow by (a watchdog on free space); 0: none
    tmp_bytes: int = 0  # the size of the private /tmp (a capped tmpfs, as root)


class Supervisor:
    """Starts, watches and kills one jailed command; `process.run_command` drives it."""

    def __init__(self, plan: Plan, group: cgroups.Group | None, workdir: Path) -> None:
        self.plan, self.group, self.workdir = plan, group, workdir
        self._block_r, self._block_w = os.pipe()
        self._info_r, self._info_w = os.pipe()
        self.pass_fds: tuple[int, ...] = (self._block_r, self._info_w)
        self._free_at_start = _free_bytes(workdir)
        self._open = {self._block_r, self._block_w, self._info_r, self._info_w}
        self._pid = 0
        self.child = 0  # bwrap's sandbox child (the jail's first process), once `ready`
        self._born_inside = False

    @property
    def block_fd(self) -> int:
        """The fd number the sandbox child reads before it execs the command."""
        return self._block_r

    def bwrap_flags(self) -> list[str]:
        return ["--block-fd", str(self._block_r), "--info-fd", str(self._info_w)]

    @contextlib.contextmanager
    def spawning(self) -> Iterator[None]:
        """Around the spawn of bwrap: where it can (cgroup v1), the spawning thread stands in
        the command's cgroup, so that bwrap is born there and no process has to be moved."""
        group = self.group
        self._born_inside = group is not None and group.enter_thread()
        try:
            yield
        finally:
            if group is not None and self._born_inside:
                group.leave_thread()

    def started(self, pid: int) -> None:
        """Called right after bwrap started: limit its sandbox child, then let it run."""
        self.ready(pid)
        self.release()

    def ready(self, pid: int) -> None:
        """Limit bwrap (`pid`) and its sandbox child, which then waits, its jail built, until
        `release`. Where bwrap was not born in the cgroup, it is moved first, then its child:
        the first move after a pause waits for an RCU grace period, which then overlaps bwrap
        building the jail instead of adding to it."""
        self._close(self._block_r, self._info_w)  # the child's ends: EOF once bwrap is done
        self._pid = pid
        group = None if self._born_inside else self.group
        try:
            if group is not None:
                group.enter(pid)
            child = _read_child_pid(self._info_r)
            if child:
                if group is not None:
                    group.enter(child)
                self._rlimits(child)
        except OSError as exc:
            raise JailStartError(f"cannot set the jail's limits: {exc.strerror or exc}") from exc
        self.child = child

    def release(self) -> None:
        """Let the command go: the sandbox child execs it."""
        with contextlib.suppress(BrokenPipeError):  # bwrap failed before its child: no one waits
            os.write(self._block_w, b"g")

    def _rlimits(self, pid: int) -> None:
        plan, group = self.plan, self.group
        if plan.file_size_bytes:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (plan.file_size_bytes,) * 2)
        if plan.memory_bytes and not (group and group.has_memory):
            resource.prlimit(pid, resource.RLIMIT_AS, (plan.memory_bytes,) * 2)
        if plan.processes and os.geteuid() != 0:
            resource.prlimit(pid, resource.RLIMIT_NPROC, (plan.processes,) * 2)

    def check(self) -> str:
        """'' while within limits; else why the command must be killed now."""
        plan = self.plan
        if plan.cpu_seconds and self._pid:
            used = (self.group.cpu_seconds() if self.group is not None
                    else tree_cpu_seconds(self._pid))
            if used > plan.cpu_seconds:
                return f"CPU time limit exceeded ({used:.0f} s > {plan.cpu_seconds} s)"
        return self._check_disk()

    def _check_disk(self) -> str:
        start = self._free_at_start
        now = _free_bytes(self.workdir)
        if start is None or now is None:
            return ""
        if self.plan.disk_bytes and start - now > self.plan.disk_bytes:
            return f"disk quota exceeded (more than {self.plan.disk_bytes // MIB} MiB written)"
        # Always: a command must not fill the disk (hone's journal and logs live there too).
        if now < MIN_FREE_BYTES <= start:
            return f"disk nearly full (less than {MIN_FREE_BYTES // MIB} MiB left)"
        return ""

    def outcome(self) -> str:
        """After the command ended: what the jail's limits did to it ('' when nothing)."""
        if self.group is not None and self.group.oom_kills() > 0:
            return (f"memory limit ({self.plan.memory_bytes // MIB} MiB, all processes "
                    "together) reached: the kernel killed a process")
        return ""

    def cpu_seconds(self) -> float | None:
        """The CPU time of every process of the command (its cgroup's); None without one."""
        return self.group.cpu_seconds() if self.group is not None else None

    def kill(self) -> None:
        if self.group is not None:
            self.group.kill()

    def close(self) -> None:
        self._close(*list(self._open))

    def _close(self, *fds: int) -> None:
        # Each fd exactly once: a second close could hit the same number reused by another
        # thread's pipe (parallel slots launch concurrently).
        for fd in fds:
            if fd in self._open:
                self._open.discard(fd)
                with contextlib.suppress(OSError):
                    os.close(fd)


def _read_child_pid(fd: int, timeout: float = 30.0) -> int:
    """The `child-pid` bwrap writes to its info fd (0 when it exited before cloning)."""
    data = b""
    while select.select([fd], [], [], timeout)[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
        if b"}" in data:
            break
    with contextlib.suppress(ValueError):
        return int(json.loads(data.decode()).get("child-pid", 0))
    return 0


def tree_cpu_seconds(root: int) -> float:
    """CPU time of process `root` and its live descendants (each with its reaped children),
    read from /proc: the CPU watchdog where no cgroup accounts for the command."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        ticks[pid] = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += ticks.get(pid, 0)
        stack += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


def _free_bytes(path: Path) -> int | None:
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize
