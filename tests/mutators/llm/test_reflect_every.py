"""Lessons are reflected on in batches: once `reflect_every` decided attempts wait, or at once
after a keep; the attempts in between cost no reflection call."""

from __future__ import annotations

from dataclasses import replace

from hone.config.load import parse_config
from hone.config.model import Config
from hone.mutators.llm.mutator import LLMMutator
from hone.records import Attempt, Status
from tests.conftest import KNOB_PROJECT, MakeRepo
from tests.mutators.llm.test_llm_run import edit
from tests.mutators.worktrees import baseline, context
from tests.support.llm_server import LLMServer, Request

REFLECT = "playbook of lessons"  # words of the reflection prompt, not of a proposal's


def llm_config(url: str) -> Config:
    return parse_config({
        "objective": {"run": "python3 score.py"}, "files": {"editable": ["knob.py"]},
        "llm": {"base_url": url, "model": "M", "max_retries": 0, "timeout": 60}})


def test_reflection_waits_for_a_batch_of_discards_but_not_after_a_keep(
        make_repo: MakeRepo) -> None:
    repo = make_repo(KNOB_PROJECT)
    requests: list[Request] = []

    def answer(request: Request) -> str:
        requests.append(request)
        if REFLECT in request.prompt:
            return '{"ops": [{"op": "add", "text": "Lowering the knob never helps."}]}'
        return edit(3, 4, "set the knob to 4")

    with LLMServer(default=answer) as server:
        config = llm_config(server.url)
        mutator = LLMMutator(config, reflect_every=3)
        history: list[Attempt] = [baseline(repo)]
        reflections: list[int] = []
        for k in range(1, 7):
            before = len(requests)
            mutator.propose(context(repo, k, config, history, parent=history[0]))
            reflections.append(sum(REFLECT in r.prompt for r in requests[before:]))
            # 1 to 3 discarded, 4 kept, 5 discarded
            status = Status.KEPT if k == 4 else Status.DISCARDED
            history.append(replace(history[0], id=k, parent=0, status=status,
                                   hypothesis=f"idea {k}", score=2.0))
    # #1: nothing decided yet; #2, #3: one or two discards wait; #4: a batch of three is due
    # (at most two calls); #5: the keep of #4, at once; #6: the one discard of #5 waits.
    assert reflections == [0, 0, 0, 2, 1, 0]


def test_a_keep_is_reflected_on_at_once(make_repo: MakeRepo) -> None:
    repo = make_repo(KNOB_PROJECT)
    prompts: list[str] = []

    def answer(request: Request) -> str:
        prompts.append(request.prompt)
        return '{"ops": []}' if REFLECT in request.prompt else edit(3, 4, "set the knob to 4")

    with LLMServer(default=answer) as server:
        config = llm_config(server.url)
        mutator = LLMMutator(config, reflect_every=10)
        history: list[Attempt] = [baseline(repo)]
        history.append(replace(history[0], id=1, parent=0, status=Status.KEPT,
                               hypothesis="set the knob to 4", score=4.0))
        mutator.propose(context(repo, 2, config, history))
    assert sum(REFLECT in p for p in prompts) == 1
    assert "set the knob to 4" in next(p for p in prompts if REFLECT in p)
