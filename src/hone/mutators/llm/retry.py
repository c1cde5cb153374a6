"""The fault policy of LLM calls: retry transient errors with capped exponential backoff.

`Retry-After` from the server wins over the computed delay (both capped at `max_delay`).
`FailureStreak` counts calls that failed for good across attempts; at its limit the mutator
raises `MutatorExhausted` so the run stops and can be resumed later.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from hone.mutators.llm.providers import Transient

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """`retries` extra tries after the first; delay `base_delay * 2**n`, at most `max_delay`."""

    retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.1  # fraction of the computed delay, so parallel slots do not march in step

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        computed = min(self.base_delay * 2.0**attempt, self.max_delay)
        return computed * (1 + self.jitter * random.random())


@dataclass
class RetryLog:
    """What the retries cost: the waits, and the reason of each transient failure."""

    waits: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def with_retries(call: Callable[[], T], policy: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep, log: RetryLog | None = None) -> T:
    """Run `call`; on `Transient`, wait and retry up to `policy.retries` times, then re-raise."""
    log = log if log is not None else RetryLog()
    for n in range(policy.retries + 1):
        try:
            return call()
        except Transient as exc:
            log.errors.append(str(exc))
            if n == policy.retries:
                raise
            wait = policy.delay(n, exc.retry_after)
            log.waits.append(wait)
            sleep(wait)
    raise AssertionError("unreachable")


class FailureStreak:
    """Consecutive failed calls, across attempts. `limit` failures in a row means give up.

    Shared by the attempts of parallel slots, hence the lock (`count += 1` is not atomic)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.count, self.last = limit, 0, ""
        self._lock = threading.Lock()

    def success(self) -> None:
        with self._lock:
            self.count, self.last = 0, ""

    def failure(self, reason: str) -> bool:
        """Record a failure; True when the streak has reached the limit."""
        with self._lock:
            self.count += 1
            self.last = reason
            return self.count >= self.limit
