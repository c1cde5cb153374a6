"""`exclusive_objective`'s machine lock: exclusive holders take turns with everyone, shared
holders (a deterministic objective's concurrent seeds) only with exclusive ones."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from hone.executors.lock import NodeLock, sharing


def _can_take(path: Path, how: int) -> bool:
    """Whether another holder (its own descriptor, as another process has) could take the
    lock `how` (LOCK_SH or LOCK_EX) right now, without waiting."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_shared_holders_overlap_each_other_but_never_an_exclusive_one(tmp_path: Path) -> None:
    lock = NodeLock(tmp_path / "objective.lock")
    path = lock.path
    with sharing(lock) as held:
        assert isinstance(held, NodeLock) and held.shared
        assert _can_take(path, fcntl.LOCK_SH)
        assert not _can_take(path, fcntl.LOCK_EX)
        with sharing(lock):  # a second seed of the same attempt, same process
            assert not _can_take(path, fcntl.LOCK_EX)
        assert not _can_take(path, fcntl.LOCK_EX)  # the first still holds it
    assert _can_take(path, fcntl.LOCK_EX)
    with lock:
        assert not _can_take(path, fcntl.LOCK_SH) and not _can_take(path, fcntl.LOCK_EX)
    assert _can_take(path, fcntl.LOCK_EX)


def test_no_lock_stays_no_lock() -> None:
    assert sharing(None) is None


def test_an_interrupted_wait_leaves_no_descriptor_behind(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    lock = NodeLock(tmp_path / "objective.lock")
    opened: list[int] = []
    real_open = os.open

    def recording_open(*args: object, **kwargs: object) -> int:
        fd = real_open(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(fd)
        return fd

    def interrupted(fd: int, how: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("hone.executors.lock.os.open", recording_open)
    monkeypatch.setattr("hone.executors.lock.fcntl.flock", interrupted)
    with pytest.raises(KeyboardInterrupt), lock:
        pass
    monkeypatch.undo()
    with pytest.raises(OSError):
        os.fstat(opened[0])  # closed
