"""End to end: a scripted-LLM run of 40 attempts keeps its lessons alive and bounded, and
reflects on the last attempt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hone.cli import main
from tests.conftest import KNOB_PROJECT, MakeRepo
from tests.mutators.llm.scripted import run_llm
from tests.mutators.llm.test_llm_run import edit
from tests.support.llm_server import Request

LIMIT = 6
CONFIG = f"""\
[objective]
run = "python3 score.py"

[files]
editable = ["knob.py"]
protect = ["score.py", "test_knob.py"]

[llm]
base_url = "{{url}}"
timeout = 30
max_retries = 0
lessons = {LIMIT}
"""


def lesson(n: int) -> str:
    """A lesson text unlike every other one (the playbook merges look-alikes)."""
    return f"lesson {chr(97 + n % 26) * 8} {chr(97 + n // 26) * 8}"


class Model:
    """Proposals raise the knob every third time and lower it otherwise. Each reflection adds
    a new lesson, confirms the two oldest and the one added last time: as in the real run
    the issue reports, every lesson but the newest then sits at +2 or more, which left a new
    lesson the weakest and evicted it at the next addition."""

    def __init__(self) -> None:
        self.reflections: list[str] = []
        self.proposals: list[str] = []

    def __call__(self, request: Request) -> str:
        if "playbook of lessons" in request.prompt:
            n = len(self.reflections)
            self.reflections.append(request.prompt)
            shown = re.findall(r"^- \[L(\d+) \+", request.prompt, re.MULTILINE)
            newest = f"L{max(int(x) for x in shown)}" if shown else "L1"
            return json.dumps({"ops": [{"op": "add", "text": lesson(n)},
                                       *({"op": "helpful", "id": x}
                                         for x in dict.fromkeys(["L1", "L2", newest]))]})
        i = len(self.proposals)
        self.proposals.append(request.prompt)
        found = re.search(r"KNOB = (\d+)  # hone: tune", request.prompt)
        assert found is not None
        k = int(found.group(1))
        new = k + 1 if i % 3 == 0 else k - 1
        return edit(k, new, f"set the knob to {new} (try {i})")


@pytest.mark.slow
def test_forty_attempts_keep_lessons_alive_and_bounded(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    model = Model()
    root = run_llm(make_repo, monkeypatch, KNOB_PROJECT, CONFIG, model, 40)
    capsys.readouterr()
    shown = [re.findall(r"^- \[(L\d+) \+", p, re.MULTILINE) for p in model.reflections]
    rounds = len(model.reflections)
    assert rounds >= 12
    assert all(len(ids) <= LIMIT for ids in shown)
    texts = [lesson(n) for n in range(rounds)]
    for r in range(rounds - 3):
        # the lesson added at round r is still there when rounds r+1, r+2 and r+3 reflect
        assert all(texts[r] in model.reflections[later] for later in (r + 1, r + 2, r + 3)), r
    assert len({i for ids in shown for i in ids}) > 2 * LIMIT  # the playbook did not freeze
    for prompt in model.proposals:
        assert len(re.findall(r"^- \[L\d+ \+", prompt, re.MULTILINE)) <= LIMIT
    # the last attempt was reflected on, once the run had stopped
    assert "Attempt #40 " in model.reflections[-1]
    assert main(["show", "40", "--json", "-C", str(root)]) == 0
    view = json.loads(capsys.readouterr().out)
    assert "reflection_prompt_40" in view["texts"] and view["extra"]["tokens_in"] > 0
    book = json.loads((Path(root) / ".hone" / "lessons" / "main.json").read_text())
    assert len(book["lessons"]) <= LIMIT and 40 in book["observed"]
