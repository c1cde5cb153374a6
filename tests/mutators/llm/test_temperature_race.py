"""The temperature of an exploring attempt is an argument of its calls, not state of the shared
provider: exploring and normal attempts proposing at once each send their own temperature."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from hone.config.load import parse_config
from hone.config.model import Config
from hone.mutators import make_mutator
from hone.mutators.base import Proposal, ProposalContext
from hone.mutators.llm.ideas import TEMPERATURE_BOOST
from tests.conftest import KNOB_PROJECT, MakeRepo
from tests.mutators.llm.test_llm_run import edit
from tests.mutators.worktrees import baseline, changed, context
from tests.support.llm_server import LLMServer, Request

ATTEMPTS = 8  # every other one explores with a hotter temperature
TEMPERATURE = 0.7


def llm_config(url: str) -> Config:
    return parse_config({
        "objective": {"run": "python3 score.py"}, "files": {"editable": ["knob.py"]},
        "mutator": {"kind": "llm"},
        "llm": {"base_url": url, "model": "M", "temperature": TEMPERATURE, "lessons": 0,
                "max_retries": 0, "timeout": 60}})


class AllAtOnce:
    """Answers only once every attempt's request is in flight, so that the requests of
    exploring and normal attempts are built and sent while the others are under way."""

    def __init__(self, n: int) -> None:
        self.barrier = threading.Barrier(n, timeout=60)

    def __call__(self, request: Request) -> str:
        self.barrier.wait()
        attempt = int(re.findall(r"This is attempt number (\d+)", request.prompt)[0])
        return edit(3, 3 + attempt, f"set the knob to {3 + attempt}")


def test_exploring_and_normal_attempts_at_once_each_send_their_temperature(
        make_repo: MakeRepo) -> None:
    repo = make_repo(KNOB_PROJECT)
    with LLMServer(default=AllAtOnce(ATTEMPTS)) as server:
        config = llm_config(server.url)
        mutator = make_mutator("llm", config)  # one mutator, one provider, as the slots share
        history = [baseline(repo)]
        explores = {k: k % 2 == 0 for k in range(1, ATTEMPTS + 1)}
        contexts = [context(repo, k, config, history,
                            hints={"explore": "temperature"} if explores[k] else {})
                    for k in explores]

        def propose(ctx: ProposalContext) -> Proposal:
            return mutator.propose(ctx)

        with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
            proposals = list(pool.map(propose, contexts))
        requests = list(server.requests)
        # After the race, a normal attempt samples at the config's temperature again.
        server.default = lambda request: edit(3, 30, "set the knob to 30")
        later = mutator.propose(context(repo, 99, config, history))
        after = server.requests[-1]

    assert all(not p.failure and not p.rejected for p in proposals), proposals
    assert len(requests) == ATTEMPTS
    sent = {int(re.findall(r"This is attempt number (\d+)", r.prompt)[0]): r.body["temperature"]
            for r in requests}
    hot = TEMPERATURE + TEMPERATURE_BOOST
    assert sent == {k: pytest.approx(hot if explores[k] else TEMPERATURE) for k in explores}
    assert after.body["temperature"] == TEMPERATURE and not later.failure
    # Each attempt's edit landed in its own worktree, and the record says what it sampled at.
    for ctx, proposal in zip(contexts, proposals, strict=True):
        assert changed(ctx.workdir) == ["knob.py"]
        assert f"KNOB = {3 + ctx.attempt_id} " in (ctx.workdir / "knob.py").read_text()
        assert proposal.notes.get("temperature") == (
            pytest.approx(hot) if explores[ctx.attempt_id] else None)
