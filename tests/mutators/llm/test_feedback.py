"""Structured feedback: the `feedback` text of the objective's JSON record reaches the next
prompt of that lineage and `hone show`."""

from __future__ import annotations

import json
from collections import deque

import pytest

from hone.cli import main
from hone.verify.metrics import MAX_FEEDBACK, parse_feedback
from tests.conftest import MakeRepo
from tests.mutators.llm.scripted import run_llm
from tests.mutators.llm.test_llm_run import edit
from tests.support.llm_server import Request

PROJECT = {
    "knob.py": "KNOB = 3  # hone: tune\n",
    "score.py": "import json\nfrom knob import KNOB\n"
                "print(json.dumps({'score': KNOB, 'feedback': f'case small: ok\\n"
                "case large: {20 - KNOB} short of 20'}))\n",
}
CONFIG = """\
[objective]
run = "python3 score.py"

[files]
editable = ["knob.py"]
protect = ["score.py"]

[llm]
base_url = "{url}"
timeout = 30
max_retries = 0
lessons = 0
"""


def test_feedback_is_read_from_the_json_record_only() -> None:
    assert parse_feedback('log\n{"score": 1, "feedback": " two cases failed "}\n') == (
        "two cases failed")
    assert parse_feedback('{"score": 1, "feedback": 3}') == ""  # text only
    assert parse_feedback('{"score": 1, "feedback": "x"}\nscore: 1\n') == ""  # not the record
    assert parse_feedback("score: 1\nfeedback: 2\n") == ""
    assert len(parse_feedback(json.dumps({"score": 1, "feedback": "y" * 9999}))) == MAX_FEEDBACK


@pytest.mark.slow
def test_feedback_reaches_the_next_prompt_of_the_lineage_and_show(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    answers = deque([edit(3, 8, "raise the knob to 8"), edit(8, 9, "raise the knob to 9")])
    prompts: list[str] = []

    def model(request: Request) -> str:
        prompts.append(request.prompt)
        return answers.popleft()

    root = run_llm(make_repo, monkeypatch, PROJECT, CONFIG, model, 2)
    capsys.readouterr()
    assert "The objective's feedback on #0, your starting point:\n" \
           "    case small: ok\n    case large: 17 short of 20" in prompts[0]
    assert "The objective's feedback on #1, your starting point:\n" \
           "    case small: ok\n    case large: 12 short of 20" in prompts[1]
    assert main(["show", "1", "--json", "-C", str(root)]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["extra"]["feedback"] == "case small: ok\ncase large: 12 short of 20"
