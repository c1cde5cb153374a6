"""The proposer contract (edit files in a worktree at the parent's commit, say why), and the
registry of mutators (`[mutator] kind`)."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hone.config.model import Config
from hone.records import Attempt, Cost
from hone.registry import Registry
from hone.sections import Brief
from hone.vcs.git import Repo


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
    brief: str  # the brief as every section renders for a proposer (`sections.render()`)
    brief_path: Path
    editable: list[str]
    # The plan's notes for this attempt: `explore` (stagnation action), `category`, `island`.
    hints: dict[str, Any] = field(default_factory=dict)
    # The brief as typed sections, for mutators that render it for their own audience.
    sections: Brief = field(default_factory=Brief)
    # The user's repository (its file lists and changes are cached), when the loop gives it.
    repo: Repo | None = None
    # The failed attempt this proposal repairs (a repair turn, see `Mutator.repairs`): `parent`
    # is its commit when it has one; the brief's repair section says what broke.
    repair_of: Attempt | None = None


@dataclass(frozen=True)
class Proposal:
    """What a mutator did. Files are already edited in `ctx.workdir`.

    `failure` (the proposer could not produce a change: unparseable answer, API down) fails the
    attempt at `stage` (default `propose`; the llm's edits that do not apply: `edit`);
    `rejected` (the change broke a rule, e.g. an edit to a protected path) rejects it.
    `texts` are stored with the attempt (prompt, raw response); `cost` (tokens, dollars) and
    `notes` (free-form values that only this mutator reads back, e.g. the site it changed) go
    into its record.
    """

    hypothesis: str
    failure: str = ""
    rejected: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    cost: Cost | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    stage: str = ""


@dataclass(frozen=True)
class RunEnd:
    """What a mutator sees when a run's session stops: the whole history, the config, and the
    run's `.hone` folder (where a mutator keeps what it learnt, e.g. the llm's lessons)."""

    run: str
    history: list[Attempt]
    config: Config
    hone_dir: Path


class Mutator(abc.ABC):
    """Proposes one change per call. Must not commit; must edit only inside `ctx.workdir`.

    Contract, the same for every implementation (tests/mutators/test_contract.py):
    * A proposal either edits files in `ctx.workdir` or says why not: a candidate that cannot
      be made (unusable answer, API call failed, edit to a protected path) is a `Proposal` with
      `failure` or `rejected`, never an exception. A mutator that cannot go on at all raises
      `MutatorExhausted`; any other exception is a bug (the loop still fails only the attempt).
    * `propose` is called from several threads at once (parallel slots), each with its own
      worktree. Settings of one attempt (e.g. the temperature of an exploring attempt, from
      `ctx.hints`) are passed as arguments, never stored on the mutator or on what it shares.

    Add one: a module in this package with a subclass decorated `@MUTATORS.register(name)`
    (and `name` set to the same); the contract tests then run it.
    """

    name: str = "base"
    # Whether a failed proposal of this mutator (edits that do not apply, a gate or the
    # objective failed) gets one repair turn: the next proposal has `ctx.repair_of` set.
    repairs: bool = False

    @classmethod
    def from_config(cls, config: Config) -> Mutator:
        """Build it from the run's config (override when the mutator has settings)."""
        return cls()

    @abc.abstractmethod
    def propose(self, ctx: ProposalContext) -> Proposal: ...

    def finish(self, end: RunEnd) -> Proposal | None:
        """Called once when a run's session stops, after the last decision: a mutator that
        learns from outcomes takes in the last ones here (no later `propose` would). Returns
        what that wrote and cost (`texts`, `cost`), which the loop records with the last
        attempt; None (the default) when it did nothing."""
        return None


class MutatorExhausted(Exception):
    """The mutator cannot propose anything more (no literal left, API down for good)."""


MUTATORS: Registry[Mutator] = Registry("mutator", "mutator.kind")
