"""Fault injection for the crash tests: with `HONE_FAULT=POINT:N` (several joined by commas)
the process kills itself with SIGKILL the N-th time it reaches POINT, as `kill -9` would;
`HONE_FAULT_TRACE=FILE` appends the name of every point reached to FILE.

Without the variables a point is two environment lookups and does nothing. Points are named
`journal:<write>` (inside a journal transaction, before its commit), `git:update-ref` (after a
ref was written, before the journal knows it), `git:commit` and `git:committed` (around a
worktree's commit, in-process or by git) and `git:diffed` (a change between two commits
computed); tests/faults drives them.
"""

from __future__ import annotations

import os
import signal
import threading

_counts: dict[str, int] = {}
_lock = threading.Lock()


def point(name: str) -> None:
    """Die here if HONE_FAULT names this point and this is the time it names."""
    trace = os.environ.get("HONE_FAULT_TRACE")
    if trace:
        with _lock, open(trace, "a", encoding="utf-8") as fh:
            fh.write(name + "\n")
    spec = os.environ.get("HONE_FAULT")
    if spec:
        _maybe_die(spec, name)


def _maybe_die(spec: str, name: str) -> None:
    for entry in spec.split(","):
        where, _, nth = entry.strip().rpartition(":")
        if where != name or not nth.isdigit():
            continue
        with _lock:
            _counts[name] = _counts.get(name, 0) + 1
            if _counts[name] == int(nth):
                os.kill(os.getpid(), signal.SIGKILL)
