"""Jails built ahead of their command, while the loop is still proposing it.

bubblewrap takes 6-10 ms to build a jail (namespaces, mounts) before the command runs, and hone
some more to limit it: on a 40 ms objective, a quarter of the attempt. Started with
`--block-fd`, bwrap builds the jail and waits before it execs the command. `start(call)` does
that for the command the loop expects next in a worktree (the serial loop asks while the
attempt before is measured, verify/meanwhile.py, and again, which keeps that jail, before the
mutator proposes; the jail's limits are set in a thread that mostly waits); `take(call)` hands
the waiting jail to the launcher when the command that comes is that one, and only when the
jail is still the one that would be built now:

* an equal `Call` (command, worktree, logs, environment, sandbox settings, read-only paths);
* the jail's command line, built again from the same inputs at this moment (which masks apply
  depends on the files present: a credential file, a protected file, a host socket), is the
  same;
* the sandbox has finished building (it waits in its read of the block fd), and every path the
  command line binds is, inside the jail, a mount point that shows the very file (device,
  inode) the host has at its source now: a file replaced or moved away and back since would
  show otherwise.

Else the command is launched as usual, so that it never runs in a jail other than the one it
would get without this: a jail built for it is killed, one built for another call waits on
for its own. At most one jail waits per worktree; one that waits is a process
`kill_running` ends and that dies with hone.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from hone.errors import HoneError
from hone.verify import limits, process, sandbox
from hone.verify.call import Call, command_env
from hone.verify.workers import WORKERS

_BIND_FLAGS = frozenset({"--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try",
                         "--dev-bind-try"})
SETTLE_SECONDS = 2.0  # how long `take` waits for a jail still being built


@dataclass
class Held:
    """A jail whose command waits: run it once with `run`, or `discard` it. Its limits are
    set in a thread of their own (`limit`), which mostly waits on bwrap and the kernel."""

    call: Call
    argv: list[str]
    proc: subprocess.Popen[bytes]
    supervisor: limits.Supervisor
    stack: contextlib.ExitStack
    limited: threading.Event = field(default_factory=threading.Event)
    failed: bool = False

    def limit(self) -> None:
        """Limit bwrap and its sandbox child (`Supervisor.ready`); `failed` when it could not."""
        try:
            self.supervisor.ready(self.proc.pid)
        except (OSError, HoneError):
            self.failed = True
        finally:
            self.limited.set()

    def run(self, timeout: float, max_bytes: int) -> process.CommandResult:
        """Let the command go and attend it (its time counts from here), then clean up."""
        try:
            return process.attend(self.proc, self.supervisor, self.call.stem, timeout,
                                  max_bytes, self.supervisor.release)
        finally:
            self.stack.close()

    def discard(self) -> None:
        """Kill the waiting jail and give back what it held."""
        try:
            process.end(self.proc, self.supervisor)
            self.limited.wait(SETTLE_SECONDS)  # its end unblocks `limit`, which uses the fds
        finally:
            self.stack.close()


_held: dict[Path, Held] = {}
_lock = threading.Lock()


def start(call: Call) -> bool:
    """Build `call`'s jail now and hold its command; False when it is not jailed or the jail
    could not be started (the launcher then starts it as usual). A jail built for an equal
    call and still waiting is kept (`take` checks that it is still the one to use)."""
    with _lock:
        held = _held.get(call.workdir)
    if held is not None and held.call == call and held.proc.poll() is None:
        return True
    discard(call.workdir)
    settings = call.settings
    if not settings.prestart or settings.enabled is False:
        return False
    stack = contextlib.ExitStack()
    try:
        if not sandbox.use_bwrap(settings):  # raises when required and missing
            return False
        how = stack.enter_context(sandbox.launch(call.command, call.workdir, call.settings,
                                                 call.env, call.readonly))
        supervisor = how.supervisor
        if supervisor is None:
            stack.close()
            return False
        proc = process.spawn_held(how.argv, call.workdir, command_env(how.env, call.own),
                                  supervisor)
    except (OSError, HoneError):
        stack.close()
        return False
    held = Held(call, how.argv, proc, supervisor, stack)
    WORKERS.run(held.limit)
    with _lock:
        _held[call.workdir] = held
    return True


def take(call: Call) -> Held | None:
    """The jail built for `call`, when it is still the one `call` would get now; else None
    (one built for `call` but no longer right is discarded; one built for another call,
    such as the next attempt's while this one is measured, waits on)."""
    with _lock:
        held = _held.get(call.workdir)
        if held is None or held.call != call:
            return None
        del _held[call.workdir]
    try:
        intact = _intact(held)
    except OSError:
        intact = False
    if not intact:
        held.discard()
        return None
    return held


def discard(workdir: Path) -> None:
    """Kill the jail waiting in `workdir`, if any."""
    with _lock:
        held = _held.pop(workdir, None)
    if held is not None:
        held.discard()


def discard_all() -> None:
    with _lock:
        every = list(_held.values())
        _held.clear()
    for held in every:
        held.discard()


atexit.register(discard_all)


def _intact(held: Held) -> bool:
    """Whether `held`'s jail is built, waiting, and the one its call would get now."""
    if not held.limited.wait(SETTLE_SECONDS) or held.failed:
        return False
    child = held.supervisor.child
    if not child or not _settled(held, child):
        return False
    call = held.call
    fresh = sandbox.jail_argv(sandbox.command_argv(call.command), call.workdir, call.settings,
                              call.readonly, (), sandbox.scrub_env(call.env, call.settings),
                              _tmp_of(held.argv), held.supervisor.bwrap_flags())
    if fresh != held.argv:
        return False
    mounts = _mount_points(child)
    for source, target in _binds(held.argv):
        if target not in mounts:
            return False
        inside, outside = os.stat(f"/proc/{child}/root{target}"), os.stat(source)
        if (inside.st_dev, inside.st_ino) != (outside.st_dev, outside.st_ino):
            return False
    return True


def _settled(held: Held, child: int) -> bool:
    """Wait (up to SETTLE_SECONDS) until the sandbox child blocks in its read of the block
    fd, which bwrap does only once the jail is built; False if it died or never did."""
    deadline = time.monotonic() + SETTLE_SECONDS
    fd = held.supervisor.block_fd
    while held.proc.poll() is None:
        fields = Path(f"/proc/{child}/syscall").read_text().split()
        if len(fields) > 1 and fields[0] == "0" and int(fields[1], 16) == fd:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0005)
    return False


def _tmp_of(argv: list[str]) -> Path | None:
    """The private /tmp bound into a jail's command line (None: bwrap's own tmpfs)."""
    for i, arg in enumerate(argv[:-2]):
        if arg == "--bind" and argv[i + 2] == "/tmp":
            return Path(argv[i + 1])
    return None


def _binds(argv: list[str]) -> list[tuple[str, str]]:
    """(source, target) of every bind on a bwrap command line, up to its `--`."""
    end = argv.index("--") if "--" in argv else len(argv)
    return [(argv[i + 1], argv[i + 2]) for i in range(end - 2) if argv[i] in _BIND_FLAGS]


def _mount_points(pid: int) -> set[str]:
    """The mount points of `pid`'s mount namespace, as paths inside its root."""
    points = set()
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        fields = line.split(" ")
        if len(fields) > 4:
            points.add(_unescape(fields[4]))
    return points


def _unescape(path: str) -> str:
    """A mountinfo path with its octal escapes (`\\040` for a space) decoded."""
    if "\\" not in path:
        return path
    raw = path.encode()
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i:i + 1] == b"\\" and raw[i + 1:i + 4].isdigit():
            out.append(int(raw[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return out.decode(errors="surrogateescape")
