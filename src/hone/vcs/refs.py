"""Where attempts live in git: `refs/hone/<run>/<id>` and `refs/hone/<run>/best`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hone.vcs import objects


def attempt_ref(run: str, attempt_id: int) -> str:
    return f"refs/hone/{run}/{attempt_id}"


def best_ref(run: str) -> str:
    return f"refs/hone/{run}/best"


def run_prefix(run: str) -> str:
    return f"refs/hone/{run}/"


# hone's own refs as git's files backend stores them: one file per ref under the common git dir.
_HONE_REF = re.compile(r"refs/hone(/[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)+")


def write_loose(common: Path, ref: str, sha: str) -> bool:
    """Point hone's ref `ref` at the loose object `sha` as git's files backend does (a lock
    file created exclusively, then renamed over the ref), without a git process. False when
    the shortcut does not apply and nothing was written: not a plain hone ref, an object that
    is not loose (git then checks it exists), refs kept in a reftable, a lock held, or a file
    where a folder should be. The caller then asks `git update-ref`, which explains."""
    if (not _HONE_REF.fullmatch(ref) or not objects.is_sha(sha)
            or any(part.endswith(".lock") for part in ref.split("/"))
            or not (common / "objects" / sha[:2] / sha[2:]).is_file()
            or (common / "reftable").exists()):
        return False
    path = common / ref
    lock = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(sha + "\n")
        os.replace(lock, path)
    except OSError:
        lock.unlink(missing_ok=True)
        return False
    return True
