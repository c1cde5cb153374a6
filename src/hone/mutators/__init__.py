"""Proposers of changes. Add one: a new module with a `Mutator` subclass decorated
`@MUTATORS.register(name)`; every module here is imported, so nothing else needs a line.
`ablate` is the offline simplifier of `hone simplify`."""

from __future__ import annotations

from hone.config.model import Config
from hone.mutators.base import MUTATORS, Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.registry import import_submodules

import_submodules(__name__, __path__)


def make_mutator(kind: str, config: Config) -> Mutator:
    """The mutator registered as `kind`; a one-line ConfigError with the choices otherwise."""
    return MUTATORS.make(kind, config)


__all__ = ["MUTATORS", "Mutator", "MutatorExhausted", "Proposal", "ProposalContext",
           "make_mutator"]
