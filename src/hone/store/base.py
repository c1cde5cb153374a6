"""The storage contract. Every implementation must pass tests/store/test_contract.py."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hone.errors import HoneError
from hone.records import Attempt, Measurement


@dataclass(frozen=True)
class RunInfo:
    """One run: its name, the baseline commit, the champion and free-form metadata."""

    name: str
    baseline_commit: str
    champion: int
    created: float
    config: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfigVersion:
    """A config a run was opened with after its creation: version 2, 3, ... (version 1 is
    `RunInfo.config`), used by the attempts from `since_attempt` on; `changed` names the keys
    that differ from the version before."""

    version: int
    since_attempt: int
    config: dict[str, Any]
    changed: tuple[str, ...] = ()
    created: float = 0.0


class IdTaken(HoneError):
    """Another writer took the attempt id this one was planned for (`Store.add_attempt`)."""


class Store(abc.ABC):
    """Durable journal of runs, attempts, measurements and text artifacts.

    Writes are atomic and visible to other processes at once; a crash loses at most the write
    in progress. Attempts are keyed by (run, id) and `put_attempt` replaces the whole record.
    """

    @abc.abstractmethod
    def create_run(self, info: RunInfo) -> None: ...

    @abc.abstractmethod
    def delete_run(self, name: str) -> None:
        """Forget a run and everything recorded under it."""

    @abc.abstractmethod
    def get_run(self, name: str) -> RunInfo | None: ...

    @abc.abstractmethod
    def list_runs(self) -> list[RunInfo]:
        """All runs, most recently created last."""

    @abc.abstractmethod
    def update_run(self, name: str, *, champion: int | None = None,
                   meta: dict[str, Any] | None = None) -> None:
        """Set the champion and/or merge keys into the run's metadata."""

    @abc.abstractmethod
    def add_config_version(self, run: str, version: ConfigVersion) -> None:
        """Record a new config version of the run (its number is the next free one)."""

    @abc.abstractmethod
    def config_versions(self, run: str) -> list[ConfigVersion]:
        """The run's config versions after the first, oldest first."""

    @abc.abstractmethod
    def free_attempt_id(self, run: str) -> int:
        """The id `add_attempt` takes next (0 for the first attempt of the run); nothing is
        reserved, so asking twice gives the same id."""

    @abc.abstractmethod
    def add_attempt(self, attempt: Attempt) -> bool:
        """Record a new attempt if its id is the run's free id, taking that id, in one write:
        a crash leaves either the row or nothing, never an id taken without its attempt.
        False, with nothing written, when another writer took the id first."""

    @abc.abstractmethod
    def put_attempt(self, attempt: Attempt) -> None: ...

    @abc.abstractmethod
    def get_attempt(self, run: str, attempt_id: int) -> Attempt | None: ...

    @abc.abstractmethod
    def list_attempts(self, run: str) -> list[Attempt]:
        """All attempts of the run in id order."""

    @abc.abstractmethod
    def add_measurement(self, run: str, measurement: Measurement) -> None: ...

    @abc.abstractmethod
    def measurements(self, run: str, attempt_id: int | None = None) -> list[Measurement]:
        """Measurements in the order they were taken, for one attempt or the whole run."""

    @abc.abstractmethod
    def delete_measurements(self, run: str, attempt_id: int) -> None:
        """Forget an attempt's measurements (a baseline that a crash interrupted is measured
        again from scratch)."""

    @abc.abstractmethod
    def put_text(self, run: str, attempt_id: int, name: str, text: str) -> None:
        """Store a text artifact (prompt, response, brief, diff) under a name."""

    def put_texts(self, run: str, attempt_id: int, texts: Mapping[str, str]) -> None:
        """Store several text artifacts of one attempt (all or none, where the store can)."""
        for name, text in texts.items():
            self.put_text(run, attempt_id, name, text)

    @abc.abstractmethod
    def get_texts(self, run: str, attempt_id: int) -> dict[str, str]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
