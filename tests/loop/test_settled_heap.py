"""The loop's heap: what lives when attempts start is out of the collector's sight till they end."""

from __future__ import annotations

import gc
import weakref

from hone.loop.session import settled_heap


class _Node:
    me: object = None


def _seen(obj: object) -> bool:
    """Whether the cyclic collector would walk `obj` (it is in one of its generations)."""
    return any(o is obj for generation in range(3) for o in gc.get_objects(generation))


def test_garbage_is_collected_first_and_the_live_heap_frozen_then_given_back() -> None:
    dead = _Node()
    dead.me = dead  # a cycle: only the cyclic collector frees it
    gone = weakref.ref(dead)
    del dead
    alive = _Node()
    alive.me = alive
    with settled_heap():
        assert gone() is None, "garbage from before the loop was frozen instead of freed"
        assert gc.get_freeze_count() > 0
        assert not _seen(alive)
    assert gc.get_freeze_count() == 0
    assert _seen(alive)  # back where the collector sees it


def test_the_heap_is_given_back_when_the_loop_raises() -> None:
    try:
        with settled_heap():
            raise RuntimeError("a loop that failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
