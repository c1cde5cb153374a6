"""The mutator contract (hone/mutators/base.py), run against every registered mutator.

Each one proposes on a real git worktree of a tiny project: it edits files or returns a failure
value (never an exception for a candidate problem), never commits, and two proposals made at
once from two threads each land in their own worktree. A registered mutator without a setup
here fails `test_every_registered_mutator_is_covered`: add one when you add a mutator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hone.config.load import parse_config
from hone.config.model import Config
from hone.mutators import MUTATORS, make_mutator
from hone.mutators.base import Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.records import Attempt, Status
from tests.conftest import KNOB_PROJECT, MakeRepo, git
from tests.mutators.llm.test_llm_run import edit
from tests.mutators.worktrees import baseline, changed, context, head
from tests.support.llm_server import LLMServer, garbage

PROJECT = {**KNOB_PROJECT, "knob.py": "KNOB = 3  # hone: tune\nSTEP = 2\n"}


@dataclass(frozen=True)
class Setup:
    """How to run one mutator here: its config, and the history it proposes from."""

    config: Callable[[str], dict[str, Any]]  # loopback url -> config table
    # (repo, config) -> history whose last attempt is the parent
    history: Callable[[Path], list[Attempt]] = lambda repo: [baseline(repo)]
    # config table for a proposer that cannot make its candidate (None: it always can)
    broken: Callable[[str], dict[str, Any]] | None = None


def table(kind: str, **sections: Any) -> dict[str, Any]:
    return {"objective": {"run": "python3 score.py"}, "files": {"editable": ["knob.py"]},
            "mutator": {"kind": kind, **sections.pop("mutator", {})}, **sections}


def kept_change(repo: Path) -> list[Attempt]:
    """A champion that changed two lines of the baseline (for the simplifier)."""
    base = baseline(repo)
    (repo / "knob.py").write_text("KNOB = 9  # hone: tune\nSTEP = 2\nEXTRA = 1\n")
    git("commit", "-qam", "kept", cwd=repo)
    return [base, Attempt("main", 1, 0, head(repo), Status.KEPT, score=9.0,
                          hypothesis="raise the knob", mutator="llm")]


def llm(url: str, **llm: Any) -> dict[str, Any]:
    return table("llm", llm={"base_url": url, "model": "M", "lessons": 0, "max_retries": 0,
                             "timeout": 30, **llm})


SETUPS: dict[str, Setup] = {
    "classic": Setup(lambda url: table("classic")),
    "agent": Setup(
        lambda url: table("agent", mutator={
            "agent_command": "sed -i 's/STEP = 2/STEP = 5/' knob.py && "
                             "echo 'Hypothesis: a bigger step'", "agent_timeout": 30}),
        broken=lambda url: table("agent", mutator={"agent_command": "sleep 30",
                                                   "agent_timeout": 0.5})),
    "llm": Setup(lambda url: llm(url), broken=lambda url: llm(url + "/broken")),
    "ablate": Setup(lambda url: table("ablate"), history=kept_change),
}


def reply(request: Any) -> Any:
    # `/broken/...` answers garbage: the candidate cannot be made.
    if "/broken/" in request.path:
        return garbage()
    return edit(3, 4, "raise the knob to 4")


@pytest.fixture(scope="module")
def server() -> Iterator[LLMServer]:
    with LLMServer(default=reply) as s:
        yield s


@pytest.fixture(params=MUTATORS.names())
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def build(name: str, repo: Path, url: str, broken: bool = False
          ) -> tuple[Mutator, Config, list[Attempt]]:
    setup = SETUPS[name]
    make = setup.broken if broken else setup.config
    assert make is not None
    config = parse_config(make(url))
    return make_mutator(name, config), config, setup.history(repo)


def test_every_registered_mutator_is_covered() -> None:
    assert set(MUTATORS.names()) == set(SETUPS), "give every registered mutator a Setup here"


def assert_contract(ctx: ProposalContext, proposal: Proposal, base: str) -> None:
    assert isinstance(proposal, Proposal)
    assert head(ctx.workdir) == base, "a mutator must not commit"
    if not (proposal.failure or proposal.rejected):
        assert changed(ctx.workdir), "a proposal without a failure must edit files"
        assert proposal.hypothesis.strip()


def test_proposes_an_edit_in_its_worktree(name: str, make_repo: MakeRepo,
                                          server: LLMServer) -> None:
    repo = make_repo(PROJECT)
    mutator, config, history = build(name, repo, server.url)
    assert mutator.name == name
    ctx = context(repo, len(history), config, history)
    base = head(ctx.workdir)
    proposal = mutator.propose(ctx)
    assert_contract(ctx, proposal, base)
    # These setups leave room for a change: each mutator makes one.
    assert not proposal.failure and not proposal.rejected, proposal
    assert changed(ctx.workdir) == ["knob.py"]
    assert changed(repo) == [], "only the attempt's worktree is edited"


def test_a_candidate_that_cannot_be_made_is_a_value(name: str, make_repo: MakeRepo,
                                                    server: LLMServer) -> None:
    if SETUPS[name].broken is None:
        pytest.skip(f"{name} has no candidate that can fail (it works offline on literals)")
    repo = make_repo(PROJECT)
    mutator, config, history = build(name, repo, server.url, broken=True)
    ctx = context(repo, len(history), config, history)
    base = head(ctx.workdir)
    proposal = mutator.propose(ctx)
    assert_contract(ctx, proposal, base)
    assert proposal.failure


def test_two_proposals_at_once(name: str, make_repo: MakeRepo, server: LLMServer) -> None:
    repo = make_repo(PROJECT)
    mutator, config, history = build(name, repo, server.url)
    contexts = [context(repo, len(history) + k, config, history) for k in range(2)]
    bases = [head(c.workdir) for c in contexts]
    start = threading.Barrier(2, timeout=60)

    def propose(ctx: ProposalContext) -> Proposal | MutatorExhausted:
        start.wait()  # both calls begin together
        try:
            return mutator.propose(ctx)
        except MutatorExhausted as exc:  # allowed by the contract; these setups never get it
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(propose, contexts))
    for ctx, base, result in zip(contexts, bases, results, strict=True):
        assert isinstance(result, Proposal), result
        assert_contract(ctx, result, base)
        assert not result.failure and changed(ctx.workdir) == ["knob.py"], result
