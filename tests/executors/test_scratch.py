"""A job's scratch folder, removed off the loop's path (executors/logs.py)."""

from __future__ import annotations

import time
from pathlib import Path

from hone.executors.base import Outcome
from hone.executors.logs import keep_logs, read_logs, remove_later
from hone.verify.verifier import Verdict


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


def _outcome(logs: dict[str, str]) -> Outcome:
    return Outcome(7, Verdict(None), logs)


def test_logs_read_from_this_machine_are_moved_not_written_again(tmp_path: Path) -> None:
    written = tmp_path / "tmp" / "propose-0-00007-verify" / "00007"
    written.mkdir(parents=True)
    (written / "objective.out").write_text("score: 1\n")
    (written / "objective.err").write_text("")
    outcome = _outcome(read_logs(written))
    kept = keep_logs(tmp_path / "logs", outcome, written)
    assert kept == outcome
    folder = tmp_path / "logs" / "00007"
    assert (folder / "objective.out").read_text() == "score: 1\n"
    assert (folder / "objective.err").read_text() == ""
    assert not written.exists()  # the whole folder moved: nothing left to delete
    # A second job of the same attempt: its logs join the folder, moved one by one.
    written.mkdir()
    (written / "holdout.out").write_text("score: 4\n")
    keep_logs(tmp_path / "logs", _outcome(read_logs(written)), written)
    assert sorted(p.name for p in folder.iterdir()) == ["holdout.out", "objective.err",
                                                        "objective.out"]
    assert (folder / "holdout.out").read_text() == "score: 4\n"
    assert list(written.iterdir()) == []


def test_a_log_that_is_not_a_plain_file_is_written_from_its_text(tmp_path: Path) -> None:
    written = tmp_path / "scratch"
    written.mkdir()
    secret = tmp_path / "secret"
    secret.write_text("do not keep me")
    (written / "objective.out").symlink_to(secret)
    kept = keep_logs(tmp_path / "logs", _outcome({"objective.out": "score: 2\n"}), written)
    path = tmp_path / "logs" / "00007" / "objective.out"
    assert kept.verdict.failure is None
    assert not path.is_symlink() and path.read_text() == "score: 2\n"
    assert (written / "objective.out").is_symlink()  # left where it was


def test_a_log_that_cannot_be_kept_fails_the_job_at_stage_log(tmp_path: Path) -> None:
    (tmp_path / "logs" / "00007" / "objective.out").mkdir(parents=True)  # in the way
    kept = keep_logs(tmp_path / "logs", _outcome({"objective.out": "score: 3\n"}))
    assert kept.verdict.failure is not None and kept.verdict.failure.stage == "log"


def test_a_log_already_kept_is_written_over_not_replaced(tmp_path: Path) -> None:
    written = tmp_path / "scratch"
    written.mkdir()
    (written / "objective.out").write_text("score: 5\n")
    folder = tmp_path / "logs" / "00007"
    folder.mkdir(parents=True)
    kept_before = tmp_path / "elsewhere"
    kept_before.write_text("old")
    (folder / "objective.out").symlink_to(kept_before)  # something already there
    keep_logs(tmp_path / "logs", _outcome(read_logs(written)), written)
    assert (folder / "objective.out").is_symlink()
    assert kept_before.read_text() == "score: 5\n"  # written through, as before
