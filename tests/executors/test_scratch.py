"""A job's scratch folder, removed off the loop's path (executors/logs.py)."""

from __future__ import annotations

import time
from pathlib import Path

from hone.executors.logs import remove_later


def test_a_scratch_folder_leaves_its_place_at_once_and_is_deleted_soon(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    job = scratch / "propose-0-00001-verify"
    (job / "00001").mkdir(parents=True)
    (job / "00001" / "objective.out").write_text("score: 1\n")
    left = scratch / ".gone" / "123-left-by-a-killed-hone"
    left.mkdir(parents=True)
    (left / "x.log").write_text("old")
    remove_later(job)
    assert not job.exists()  # a job of the same name may start right away
    job.mkdir()  # and is not removed by the deletion in flight
    deadline = time.monotonic() + 30
    while any((scratch / ".gone").iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list((scratch / ".gone").iterdir()) == []
    assert job.is_dir()
