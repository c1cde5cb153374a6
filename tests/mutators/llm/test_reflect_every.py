"""Lessons are reflected on in batches: once `reflect_every` decided attempts wait, or at once
after a keep; the attempts in between cost no reflection call. A proposal queues the
reflection, which runs while its attempt is measured, or when the next proposal waits for it."""

from __future__ import annotations

import time
from dataclasses import replace

from hone.config.load import parse_config
from hone.config.model import Config
from hone.mutators.llm.mutator import LLMMutator
from hone.records import Attempt, Status
from hone.verify import meanwhile
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
    # (at most two calls), queued, made when #5's proposal waits for it; #5: the keep of #4,
    # at once, made when #6's proposal waits for it; #6: the one discard of #5 waits.
    assert reflections == [0, 0, 0, 0, 2, 1]


def test_a_keep_is_reflected_on_while_the_next_attempt_is_measured(
        make_repo: MakeRepo) -> None:
    repo = make_repo(KNOB_PROJECT)
    prompts: list[str] = []
    lesson = '{"ops": [{"op": "add", "text": "Raising the knob to 4 helps."}]}'

    def answer(request: Request) -> str:
        prompts.append(request.prompt)
        return lesson if REFLECT in request.prompt else edit(3, 4, "set the knob to 4")

    def reflections() -> list[str]:
        return [p for p in list(prompts) if REFLECT in p]

    with LLMServer(default=answer) as server:
        config = llm_config(server.url)
        mutator = LLMMutator(config, reflect_every=10)
        history: list[Attempt] = [baseline(repo)]
        history.append(replace(history[0], id=1, parent=0, status=Status.KEPT,
                               hypothesis="set the knob to 4", score=4.0))
        mutator.propose(context(repo, 2, config, history))
        time.sleep(0.2)
        assert reflections() == []  # queued: no command is measured yet
        with meanwhile.measuring():  # as verify/process.py does while #2's objective runs
            deadline = time.monotonic() + 30
            while not reflections() and time.monotonic() < deadline:
                time.sleep(0.01)
        assert len(reflections()) == 1 and "set the knob to 4" in reflections()[0]
        history.append(replace(history[0], id=2, parent=1, status=Status.DISCARDED,
                               hypothesis="set the knob to 4 again", score=4.0))
        mutator.propose(context(repo, 3, config, history))
    assert "Raising the knob to 4 helps." in prompts[-1]  # #3's proposal shows the lesson
    assert len(reflections()) == 1  # the discard of #2 waits for a batch
