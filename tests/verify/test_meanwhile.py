"""Work queued for the time a command is measured (verify/meanwhile.py)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from hone.verify import meanwhile
from hone.verify.process import run_command


def test_queued_work_waits_for_a_measured_command(tmp_path: Path) -> None:
    ran: list[str] = []
    seen_running = threading.Event()

    def task() -> str:
        ran.append("task")
        seen_running.set()
        return "done"

    item = meanwhile.later(task)
    time.sleep(0.2)
    assert ran == [] and not item.done()  # nothing is measured: it waits
    # a command that waits until the task has run: it could only run while measured
    script = tmp_path / "wait.py"
    script.write_text("import sys, time\nfor _ in range(600):\n    time.sleep(0.05)\n")
    proc = threading.Thread(target=run_command, args=(
        [sys.executable, str(script)], tmp_path, tmp_path / "logs" / "wait", 60.0))
    proc.start()
    assert seen_running.wait(30)
    from hone.verify.process import kill_running

    kill_running()
    proc.join(30)
    assert item.result() == "done" and ran == ["task"]


def test_asking_for_the_result_runs_it_at_once_in_order() -> None:
    ran: list[int] = []
    first = meanwhile.later(lambda: ran.append(1))
    second = meanwhile.later(lambda: ran.append(2) or 2)
    assert second.result() == 2  # no measurement came: asked for, it runs now
    assert first.done() and ran == [1, 2]


def test_a_failing_task_raises_for_whoever_waits_and_the_worker_goes_on() -> None:
    def boom() -> None:
        raise ValueError("broken task")

    failing = meanwhile.later(boom)
    with pytest.raises(ValueError, match="broken task"):
        failing.result()
    switch = sys.getswitchinterval()
    assert meanwhile.later(lambda: sys.getswitchinterval()).result() <= \
        meanwhile.SWITCH_SECONDS
    assert sys.getswitchinterval() == switch  # given back after the task


def test_under_an_exclusive_objective_lock_queued_work_waits_until_asked(tmp_path: Path) -> None:
    from hone.executors.lock import NodeLock

    ran: list[str] = []
    lock = NodeLock(tmp_path / "objective.lock")
    item = meanwhile.later(lambda: ran.append("task"))
    with lock, meanwhile.measuring():  # an exclusive objective being measured
        time.sleep(0.3)
        assert ran == []
    with lock.sharing(), meanwhile.measuring():  # shared holders do not hold it off
        deadline = time.monotonic() + 30
        while not item.done() and time.monotonic() < deadline:
            time.sleep(0.01)
    assert ran == ["task"]
    later = meanwhile.later(lambda: ran.append("asked"))
    with lock, meanwhile.measuring():
        later.result()  # asked for: it runs anyway
    assert ran == ["task", "asked"]


def test_a_forked_child_runs_work_it_queues_itself() -> None:
    import os

    meanwhile.later(lambda: None).result()  # the parent's worker exists
    pid = os.fork()
    if pid == 0:  # the child: its own worker, made on demand
        got: list[int] = []
        item = meanwhile.later(lambda: 7)
        asker = threading.Thread(target=lambda: got.append(item.result()), daemon=True)
        asker.start()
        asker.join(20)
        os._exit(0 if got == [7] else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
