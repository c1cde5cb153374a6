"""The daemon threads that copy logs and set jails' limits (verify/workers.py)."""

from __future__ import annotations

import threading

from hone.verify.workers import Workers


def test_tasks_in_progress_never_wait_for_each_other() -> None:
    workers = Workers("test-worker")
    a, b, done = threading.Event(), threading.Event(), threading.Barrier(3, timeout=30)

    def first() -> None:
        a.set()
        assert b.wait(30)  # would wait forever if `second` queued behind it
        done.wait()

    def second() -> None:
        b.set()
        assert a.wait(30)
        done.wait()

    workers.run(first)
    workers.run(second)
    done.wait()


def test_idle_threads_are_reused_and_a_failing_task_does_not_end_its_thread() -> None:
    workers = Workers("test-reuse")
    seen: list[str] = []

    def fail() -> None:
        raise RuntimeError("a task's own failure")

    for _ in range(20):
        finished = threading.Event()

        def note(finished: threading.Event = finished) -> None:
            seen.append(threading.current_thread().name)
            finished.set()

        workers.run(fail)
        workers.run(note)
        assert finished.wait(30)
        # each pair of tasks is in progress at most two at a time: two threads at most
        for _ in range(1000):
            if workers._idle == len([t for t in threading.enumerate()
                                     if t.name == "test-reuse"]):
                break
            threading.Event().wait(0.01)
    alive = [t for t in threading.enumerate() if t.name == "test-reuse"]
    assert 1 <= len(alive) <= 2
    assert all(t.daemon for t in alive)
    assert len(seen) == 20
