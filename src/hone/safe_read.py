"""Read a candidate's file from outside the jail without acting on what it points to.

A candidate commits what it likes: `zero.py -> /dev/zero`, `x -> /etc/passwd`, a FIFO, a
gigabyte file. `read_capped` opens without following a symlink, reads only a regular file and
only up to a cap, so hone's own readers (complexity meter, llm prompt, hygiene sniffing) stay
bounded and inside the worktree.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["MAX_READ", "read_capped"]

MAX_READ = 1024 * 1024  # larger files are skipped: no source worth measuring or prompting is


def read_capped(path: Path, cap: int = MAX_READ, *, head: bool = False) -> bytes | None:
    """The bytes of `path` when it is a regular file (not a symlink) of at most `cap` bytes
    (with `head`: its first `cap` bytes, whatever its size). None otherwise or on error."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_size > cap and not head):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(cap + 1)  # a file that grew since fstat is still bounded
        return data[:cap] if head or len(data) <= cap else None
    except OSError:
        return None
    finally:
        os.close(fd)
