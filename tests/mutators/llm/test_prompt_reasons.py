"""End to end: the prompt of a late attempt says why each earlier attempt ended, with the
thresholds of the decision and the objective's run time, in one history list; its size is
measured."""

from __future__ import annotations

import re
from collections import deque

import pytest

from hone.loop.outcome import why
from hone.loop.workspace import Workspace
from hone.mutators.llm.prompt import FORMAT
from hone.records import Status
from hone.strategies.stagnation import VERBALIZED
from tests.conftest import KNOB_PROJECT, MakeRepo
from tests.mutators.llm.scripted import run_llm
from tests.mutators.llm.test_llm_run import edit
from tests.support.llm_server import Request

UNUSED = "\n\ndef unused(x):\n    if x > 1:\n        return x\n    return 0\n"
PROJECT = {**KNOB_PROJECT, "knob.py": KNOB_PROJECT["knob.py"] + UNUSED}
CONFIG = """\
[objective]
run = "python3 score.py"
timeout = 90

[[gates]]
name = "types"
run = "python3 test_knob.py"

[files]
editable = ["knob.py"]
protect = ["score.py", "test_knob.py"]

[llm]
base_url = "{url}"
timeout = 30
max_retries = 0
lessons = 0
"""
SIMPLER = ("Hypothesis: remove the unused helper\n\nknob.py\n<<<<<<< SEARCH\n"
           + UNUSED.lstrip("\n") + "=======\n>>>>>>> REPLACE\n")
ANSWERS = [
    edit(3, 8, "raise the knob to 8"),                                   # 1 kept
    edit(8, 5, "lower the knob to 5"),                                   # 2 discarded
    edit(8, "'x'", "make the knob a string"),                            # 3 failed: gate
    "Hypothesis: cheat\nscore.py\n<<<<<<< SEARCH\n=======\nprint('score: 1e9')\n"
    ">>>>>>> REPLACE\n",                                                 # 4 rejected
    edit(99, 100, "edit a line that is not there"),                      # 5 failed: no match
    SIMPLER,                                                             # 6 kept: simpler
    edit(8, 9, "raise the knob to 9"),                                   # 7 kept
    edit(9, 9, "leave the knob at 9"),                                   # 8 failed: no change
    edit(9, 3, "lower the knob to 3"),                                   # 9 discarded
    edit(9, 10, "raise the knob to 10"),                                 # 10: its prompt
]
# The prompt of attempt 10 (system and user) measured about 3,360 characters when this test was
# written; the bound leaves room for wording, and fails if the history or a section starts
# repeating itself (the old "ideas already tried" list was 27% of a real 24k-character prompt).
MAX_PROMPT_CHARS = 5000


@pytest.mark.slow
def test_a_late_prompt_says_why_each_attempt_ended(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    answers = deque(ANSWERS)
    prompts: list[str] = []

    def model(request: Request) -> str:
        prompts.append(request.prompt)
        return answers.popleft()

    root = run_llm(make_repo, monkeypatch, PROJECT, CONFIG, model, 10)
    capsys.readouterr()
    attempts = Workspace.open(root).store.list_attempts("main")
    assert [a.status for a in attempts[1:10]] == [
        Status.KEPT, Status.DISCARDED, Status.FAILED, Status.REJECTED, Status.FAILED,
        Status.KEPT, Status.KEPT, Status.FAILED, Status.DISCARDED]
    last = prompts[9]
    rows = re.findall(r"^- #(\d+) \(from #\d+\) .*$", last, re.MULTILINE)
    assert rows == [str(k) for k in range(1, 10)]  # every attempt, once
    for a in attempts[1:10]:
        assert why(a) in last, a.id
    by_id = {a.id: a for a in attempts}
    assert "why: deterministic: better by +166.67%" in last
    assert "why: tried: deterministic: worse by -37.50%" in last
    assert why(by_id[3]) == ("gate:types exited with code 1: "
                             "assert isinstance(KNOB, int) (AssertionError)")
    assert "simplification: -4 lines of code" in why(by_id[6]) and "score held" in why(by_id[6])
    # the thresholds and the objective's run time
    assert "deterministic (re-runs agree): a change is kept when its score is strictly " \
           "better, by any amount" in last
    assert "is kept when its score holds exactly" in last
    assert re.search(r"One run of the objective takes about [0-9.]+ s \(timeout 90 s\)", last)
    assert "Ideas already tried" not in last and "do not repeat" not in last
    assert len(last) <= MAX_PROMPT_CHARS, len(last)


def test_exploration_asks_for_candidates_where_the_answer_format_expects_them() -> None:
    assert "Before the `Hypothesis:` line, list five" in VERBALIZED
    assert "after the `Candidate` lines, when a section above asks for them" in FORMAT
