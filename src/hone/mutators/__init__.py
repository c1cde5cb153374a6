"""Proposers of changes. Add one: a new module with a `Mutator` subclass and a line here."""

from __future__ import annotations

from collections.abc import Callable

from hone.config.model import Config
from hone.errors import UsageError
from hone.mutators.base import Mutator, MutatorExhausted, Proposal, ProposalContext


def _classic(config: Config) -> Mutator:
    from hone.mutators.classic import ClassicMutator

    return ClassicMutator()


def _agent(config: Config) -> Mutator:
    from hone.mutators.agent import AgentMutator

    return AgentMutator(config.mutator.agent_command, config.mutator.agent_timeout)


def _llm(config: Config) -> Mutator:
    from hone.mutators.llm.mutator import LLMMutator

    return LLMMutator(config)


def _ablate(config: Config) -> Mutator:
    from hone.mutators.ablate import AblateMutator

    return AblateMutator()


REGISTRY: dict[str, Callable[[Config], Mutator]] = {
    "classic": _classic,
    "agent": _agent,
    "llm": _llm,
    "ablate": _ablate,  # offline simplification (`hone simplify`)
}


def make_mutator(kind: str, config: Config) -> Mutator:
    if kind not in REGISTRY:
        raise UsageError(f"unknown mutator {kind!r} (choose from {', '.join(REGISTRY)})")
    return REGISTRY[kind](config)


__all__ = ["REGISTRY", "Mutator", "MutatorExhausted", "Proposal", "ProposalContext",
           "make_mutator"]
