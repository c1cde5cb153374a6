"""What the SQLite journal remembers of its reads, and when a remembered read still holds.

A read is remembered per thread under a key: the table and the run, `("attempts", run)`, or one
attempt, `("attempt", run, id)`. It holds while nothing that could change it happened, told by
`Seen`: this store's write transactions that touched the key's scope, those that deleted the
run, and SQLite's `data_version` of the reading thread's connection (which moves with every
write another connection committed, another thread's or another process's, and not with this
connection's own). Decoded rows are remembered with the row they came from, so that a read
of every row decodes only the rows that changed.

For the run's list of attempts, the ids this store wrote are kept too: when only this store's
own writes of attempts happened since a thread's last list, `written_since` names the attempts
to read again, and the rest of the list holds (`SQLiteStore.list_attempts`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

Key = tuple[Any, ...]
Row = tuple[Any, ...]
Seen = tuple[int, int, int]  # (this store's writes of the scope, its deletes of the run, version)
_T = TypeVar("_T")


class Remembered:
    """Thread-safe; one per store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._changes: dict[Key, int] = {}  # per scope: write transactions that touched it
        self._written: dict[Any, dict[int, int]] = {}  # run -> attempt id -> count of its write
        self._rows: dict[Key, tuple[Row, Any]] = {}

    def wrote(self, touches: Iterable[Key]) -> None:
        """After a write transaction committed: count it in every scope it `touches`. An
        attempt's id is recorded before the count that makes it visible, so that a reader who
        sees a count finds every id written up to it."""
        with self._lock:
            for key in touches:
                if key[0] == "attempt":
                    scope = ("attempts", key[1])
                    self._written.setdefault(key[1], {})[key[2]] = self._changes.get(scope, 0) + 1
            for key in touches:
                self._changes[key] = self._changes.get(key, 0) + 1

    def seen(self, key: Key, version: int) -> Seen:
        """Where `key`'s data stands now (`version`: the reading connection's data_version)."""
        scope = key if key[0] == "attempt" else key[:2]
        return (self._changes.get(scope, 0), self._changes.get(("deleted", key[1]), 0), version)

    def last(self, key: Key) -> tuple[Seen, Any] | None:
        """This thread's last read of `key` and where the data stood when it was taken."""
        found: tuple[Seen, Any] | None = self._local.__dict__.get("reads", {}).get(key)
        return found

    def keep(self, key: Key, seen: Seen, value: Any) -> None:
        """Remember `value`, read for `key` when the data stood at `seen` (taken before the
        read: a write that came during it makes the next read miss)."""
        self._local.__dict__.setdefault("reads", {})[key] = (seen, value)

    def written_since(self, run: Any, count: int) -> list[int]:
        """The attempts of `run` this store wrote after its count of attempt writes was
        `count`."""
        with self._lock:
            return sorted(i for i, n in self._written.get(run, {}).items() if n > count)

    def decoded(self, key: Key, row: Row, decode: Callable[[Row], _T]) -> _T:
        """`decode(row)`, remembered under `key` with its row and decoded again only when the
        row changed: the JSON of metrics, configs and sub-records is most of the cost of
        reading a long run's history, which every brief does."""
        seen = self._rows.get(key)
        if seen is not None and seen[0] == row:
            return cast(_T, seen[1])
        value = decode(row)
        self._rows[key] = (row, value)
        return value

    def forget_rows(self, run: Any) -> None:
        """Drop the decoded attempts of a deleted run."""
        with self._lock:
            for key in [k for k in list(self._rows) if k[:2] == ("attempt", run)]:
                del self._rows[key]

    def forget_reads(self) -> None:
        """Drop every thread's remembered reads (the store closed its connections: a new
        connection's data_version says nothing about the old one's)."""
        self._local = threading.local()
