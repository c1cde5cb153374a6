"""The proposer contract: edit files in a worktree at the parent's commit, say why."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hone.config.model import Config
from hone.records import Attempt


@dataclass(frozen=True)
class ProposalContext:
    """Everything a mutator may look at for one attempt."""

    run: str
    attempt_id: int
    parent: Attempt
    champion: Attempt
    history: list[Attempt]
    config: Config
    workdir: Path
    brief: str
    brief_path: Path
    editable: list[str]
    # The plan's notes for this attempt: `explore` (stagnation action), `category`, `island`.
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    """What a mutator did. Files are already edited in `ctx.workdir`.

    `failure` (the proposer could not produce a change: unparseable answer, API down) fails the
    attempt; `rejected` (the change broke a rule, e.g. an edit to a protected path) rejects it.
    `texts` are stored with the attempt (prompt, raw response); `extra` goes into its record.
    """

    hypothesis: str
    failure: str = ""
    rejected: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class Mutator(abc.ABC):
    """Proposes one change per call. Must not commit; must edit only inside `ctx.workdir`.

    Raising an exception fails the attempt with the exception's message (the run goes on);
    a mutator that cannot go on at all raises `MutatorExhausted`.
    """

    name: str = "base"

    @abc.abstractmethod
    def propose(self, ctx: ProposalContext) -> Proposal: ...


class MutatorExhausted(Exception):
    """The mutator cannot propose anything more (no literal left, API down for good)."""
