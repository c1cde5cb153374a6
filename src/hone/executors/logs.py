"""A job's logs and scratch folder: where its verifier writes, read back for the `Outcome`
(which travels from a remote worker), kept on the loop's machine, then removed."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hone.verify.verifier import StageFailure, Verdict
from hone.verify.workers import WORKERS

if TYPE_CHECKING:
    from hone.executors.base import Job, Outcome


def job_scratch(scratch: Path, job: Job, slot: str) -> Path:
    """Where a job's verifier writes its logs before they are read back: one folder per slot,
    attempt, purpose and label (so that a jail built ahead for the job, whose HONE_LOGS names
    it, matches), never one that another job in flight uses."""
    return scratch / f"{slot}-{job.attempt_id:05d}-{job.purpose.value}{job.label}"


def remove_later(folder: Path) -> None:
    """Remove a job's scratch folder off the loop's path: renamed away now, so that no later
    job meets it, and deleted by a worker thread (what a killed hone leaves under `.gone/` is
    removed with the next scratch folder that is)."""
    gone = folder.parent / ".gone"
    try:
        gone.mkdir(exist_ok=True)
        os.rename(folder, gone / f"{os.getpid()}-{time.monotonic_ns()}-{folder.name}")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    WORKERS.run(lambda: _empty(gone))


def _empty(folder: Path) -> None:
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in list(entries):
            shutil.rmtree(entry.path, ignore_errors=True)


def read_logs(attempt_logs: Path) -> dict[str, str]:
    """Every log file of one job, by file name."""
    if not attempt_logs.is_dir():
        return {}
    return {p.name: p.read_bytes().decode("utf-8", "replace")
            for p in sorted(attempt_logs.iterdir()) if p.is_file()}


def keep_logs(logs_dir: Path, outcome: Outcome, written: Path | None = None) -> Outcome:
    """Write the outcome's logs on this machine. `written`: the folder on this machine they
    were read from (`read_logs`), which nothing writes to any more: its files are moved, not
    written again (a log that cannot be moved is written). A log that cannot be written (a full
    disk) fails the job at stage `log`, as a command's own log would: the attempt, not the
    run."""
    folder = logs_dir / f"{outcome.attempt_id:05d}"
    if written is not None and _moved_whole(written, folder, outcome.logs):
        return outcome
    for name, text in outcome.logs.items():
        path = folder / Path(name).name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if written is None or not _moved(written / path.name, path):
                path.write_text(text, encoding="utf-8")
        except OSError as exc:
            reason = (f"disk full while writing log {path.name}" if exc.errno == errno.ENOSPC
                      else f"cannot write log {path.name}: {exc.strerror or exc}")
            return replace(outcome, verdict=Verdict(StageFailure("log", reason)))
    return outcome


def _moved(source: Path, target: Path) -> bool:
    """Whether regular file `source` is now `target`, which did not exist; False, and nothing
    done, for anything else (a link, a folder, another file system, a `target` already there:
    it is written over as before, following a link)."""
    try:
        if not stat.S_ISREG(os.lstat(source).st_mode):
            return False
        os.link(source, target)  # never replaces: EEXIST when something is there
    except OSError:
        return False
    with contextlib.suppress(OSError):
        os.unlink(source)
    return True


def _moved_whole(source: Path, target: Path, logs: dict[str, str]) -> bool:
    """Whether folder `source`, holding exactly the regular files named in `logs`, is now
    `target`, which did not exist (the attempt's first job): one rename for all its logs."""
    try:
        with os.scandir(source) as listing:
            entries = list(listing)
        if (sorted(e.name for e in entries) != sorted(logs)
                or not all(e.is_file(follow_symlinks=False) for e in entries)
                or os.path.lexists(target)):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
    except OSError:
        return False
    return True
