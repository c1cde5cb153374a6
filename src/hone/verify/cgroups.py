"""Per-command cgroups for the jail: aggregate memory and process caps, CPU-time accounting, kill.

One `Group` holds one command's processes in every hierarchy that has a controller hone needs
(cgroup v1: one directory per controller; v2: one directory). Groups are nested under hone's own
cgroup, so whatever limits hone runs under still apply, and are pooled: a finished command's
group is emptied and reused by the next command with the same limits, so a launch costs no mkdir
or rmdir (and never waits for a dying pid namespace to leave its group).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("memory", "pids", "cpuacct")


@dataclass(frozen=True)
class Limits:
    """What a group enforces; 0 lifts a limit."""

    memory_bytes: int
    processes: int


class Group:
    """One command's cgroup directories, keyed by controller (v2: the same directory for all)."""

    def __init__(self, dirs: dict[str, Path], limits: Limits) -> None:
        self.dirs, self.limits = dirs, limits
        self.cpu_start = 0
        self.oom_start = 0

    def reset(self) -> None:
        """Start counting CPU time and OOM kills from now (the group is handed out)."""
        self.cpu_start, self.oom_start = _cpu_ns(self.dirs), self._oom_count()

    @property
    def has_memory(self) -> bool:
        return "memory" in self.dirs

    @property
    def has_pids(self) -> bool:
        return "pids" in self.dirs

    def enter(self, pid: int) -> None:
        """Move process `pid` (and so all its future children) into every directory.

        Moving another process takes the kernel's global threadgroup lock, whose first taker
        after a pause waits for an RCU grace period (milliseconds on a loaded machine).
        """
        for d in set(self.dirs.values()):
            (d / "cgroup.procs").write_text(str(pid))

    def enter_thread(self) -> bool:
        """Move the calling thread alone into the group, so that the child it spawns next is
        born inside; False (nothing moved) where that is not possible (cgroup v2).

        cgroup v1 moves the calling thread ("0" written to `tasks`) without the global lock:
        no grace period to wait for, unlike `enter`.
        """
        dirs = sorted(set(self.dirs.values()))
        if not all((d / "tasks").exists() for d in dirs):
            return False
        moved: list[Path] = []
        try:
            for d in dirs:
                (d / "tasks").write_text("0")
                moved.append(d)
        except OSError:
            self._leave(moved)
            return False
        return True

    def leave_thread(self) -> None:
        """Move the calling thread back where it was before `enter_thread`."""
        self._leave(sorted(set(self.dirs.values())))

    @staticmethod
    def _leave(dirs: list[Path]) -> None:
        for d in dirs:
            (d.parent / "tasks").write_text("0")

    def pids(self) -> list[int]:
        """The processes in the group (never hone itself, whose spawning thread may be in)."""
        # Every hierarchy holds the same processes: one listing is enough.
        d = self.dirs.get("pids") or next(iter(self.dirs.values()))
        try:
            found = {int(p) for p in (d / "cgroup.procs").read_text().split()}
        except OSError:
            return []
        found.discard(os.getpid())
        return sorted(found)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) its processes used since the group was handed out."""
        return (_cpu_ns(self.dirs) - self.cpu_start) / 1e9

    def oom_kills(self) -> int:
        """Processes the kernel killed for the group's memory limit since it was handed out."""
        return self._oom_count() - self.oom_start

    def _oom_count(self) -> int:
        d = self.dirs.get("memory")
        if d is None:
            return 0
        for name in ("memory.events", "memory.oom_control"):  # v2, v1
            with contextlib.suppress(OSError, ValueError):
                for line in (d / name).read_text().splitlines():
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        return 0

    def kill(self) -> None:
        """SIGKILL every process in the group, also those that left the process group."""
        d = self.dirs.get("pids") or next(iter(self.dirs.values()))
        if (d / "cgroup.kill").exists():  # v2, Linux 5.14+: atomic, no pid reuse race
            with contextlib.suppress(OSError):
                (d / "cgroup.kill").write_text("1")
                return
        for _ in range(3):  # a fork racing the first sweep is caught by the next
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def _cpu_ns(dirs: dict[str, Path]) -> int:
    d = dirs.get("cpuacct")
    if d is None:
        return 0
    with contextlib.suppress(OSError, ValueError):
        if (d / "cpuacct.usage").exists():
            return int((d / "cpuacct.usage").read_text())
        for line in (d / "cpu.stat").read_text().splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) * 1000
    return 0


@functools.cache
def _bases() -> dict[str, Path]:
    """Where hone may create child groups, per controller: under its own cgroup, writable."""
    if os.geteuid() != 0:
        return {}
    own = _own_cgroups()
    bases: dict[str, Path] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split(" - ", 1)
        if len(fields) != 2:
            continue
        mount_point = Path(fields[0].split()[4])
        fstype, _, options = fields[1].split()[:3]
        if fstype == "cgroup":
            for ctl in CONTROLLERS:
                if ctl in options.split(",") and ctl not in bases:
                    bases[ctl] = mount_point / own.get(ctl, "").lstrip("/")
        elif fstype == "cgroup2":
            base = mount_point / own.get("", "").lstrip("/")
            for ctl in _v2_enable(base):
                bases.setdefault(ctl, base)
    return {ctl: b for ctl, b in bases.items() if os.access(b, os.W_OK)}


def _own_cgroups() -> dict[str, str]:
    own: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(",") if names else [""]:
            own[name] = path
    return own


def _v2_enable(base: Path) -> list[str]:
    """The v2 controllers usable in children of `base` (enabling memory and pids if it may)."""
    try:
        available = (base / "cgroup.controllers").read_text().split()
        enabled = (base / "cgroup.subtree_control").read_text().split()
    except OSError:
        return []
    for ctl in ("memory", "pids"):
        if ctl in available and ctl not in enabled:
            # Refused (EBUSY) when hone's own group holds processes and is not the root: the
            # "no internal processes" rule. Then that limit falls back to an rlimit.
            with contextlib.suppress(OSError):
                (base / "cgroup.subtree_control").write_text(f"+{ctl}")
                enabled.append(ctl)
    # cpu.stat exists in every v2 group, controller or not: CPU accounting always works.
    return [c for c in enabled if c in ("memory", "pids")] + ["cpuacct"]


class Pool:
    """Idle groups by limits; `take` hands one out, `give` empties it and keeps it for reuse."""

    def __init__(self) -> None:
        self._idle: dict[Limits, list[Group]] = {}
        self._all: list[Group] = []
        self._lock = threading.Lock()
        self._count = 0
        self._swept = False

    def take(self, limits: Limits) -> Group | None:
        """A group with `limits`, or None where no cgroup is writable."""
        with self._lock:
            for group in self._idle.get(limits, []):
                if not group.pids():
                    self._idle[limits].remove(group)
                    group.reset()
                    return group
            made = self._make(limits)
            if made is not None:
                self._all.append(made)
            return made

    def give(self, group: Group) -> None:
        """Return a group after its command ended; anything still inside is killed."""
        group.kill()
        with self._lock:
            self._idle.setdefault(group.limits, []).append(group)

    def _make(self, limits: Limits) -> Group | None:
        bases = _bases()
        if not bases:
            return None
        if not self._swept:
            self._swept = True
            for base in set(bases.values()):
                sweep(base)
                atexit.register(self.remove_all)
        self._count += 1
        name = f"hone-{os.getpid()}-{self._count}"
        dirs: dict[str, Path] = {}
        try:
            for ctl, base in bases.items():
                d = base / name
                if not d.exists():
                    d.mkdir()
                dirs[ctl] = d
            _write_limits(dirs, limits)
        except OSError:
            for d in set(dirs.values()):
                with contextlib.suppress(OSError):
                    d.rmdir()
            return None
        group = Group(dirs, limits)
        group.reset()
        return group

    def remove_all(self) -> None:
        """Kill and remove every group this pool made (at exit)."""
        with self._lock:
            groups, self._all, self._idle = self._all, [], {}
        for group in groups:
            group.kill()
            for d in set(group.dirs.values()):
                with contextlib.suppress(OSError):
                    d.rmdir()


def _write_limits(dirs: dict[str, Path], limits: Limits) -> None:
    mem = dirs.get("memory")
    if mem is not None:
        value = str(limits.memory_bytes) if limits.memory_bytes else "max"
        if (mem / "memory.max").exists():
            (mem / "memory.max").write_text(value)
            with contextlib.suppress(OSError):  # no swap to dodge the limit through
                (mem / "memory.swap.max").write_text("0")
        else:
            value = str(limits.memory_bytes) if limits.memory_bytes else "-1"
            (mem / "memory.limit_in_bytes").write_text(value)
            with contextlib.suppress(OSError):  # memory plus swap, where swap is accounted
                (mem / "memory.memsw.limit_in_bytes").write_text(value)
    pids = dirs.get("pids")
    if pids is not None:
        (pids / "pids.max").write_text(str(limits.processes) if limits.processes else "max")


def sweep(base: Path) -> None:
    """Remove groups left by a hone process that was killed before it cleaned up."""
    for stale in base.glob("hone-*"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            with contextlib.suppress(OSError):
                stale.rmdir()


POOL = Pool()
