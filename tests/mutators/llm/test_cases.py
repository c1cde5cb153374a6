"""Per-case metrics and feedback, end to end on the loopback server: the objective's record
carries `"cases": {...}` and `"feedback"`; the next prompt of the lineage lists them, and
`hone show ID` prints them with every metric, and the playbook's size and churn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hone.cli import main
from hone.mutators.llm.lessons import Playbook, playbook_line, playbook_path
from tests.conftest import MakeRepo
from tests.mutators.llm.scripted import run_llm
from tests.mutators.llm.test_llm_run import Router, edit

PROJECT = {
    "knob.py": "KNOB = 3  # hone: tune\n",
    "score.py": "import json\nfrom knob import KNOB\n"
                "cases = {'small': min(KNOB, 5), 'large': KNOB * 2}\n"
                "print(json.dumps({'score': sum(cases.values()), 'latency_ms': 100 - KNOB, "
                "'cases': cases, 'feedback': f'large is {20 - 2 * KNOB} short of 20'}))\n",
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
lessons = 4
"""
ADD = '{{"ops": [{{"op": "add", "text": "{}"}}]}}'


@pytest.mark.slow
def test_cases_and_feedback_reach_the_next_prompt_and_show(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    router = Router([edit(3, 8, "raise the knob to 8"), edit(8, 9, "raise the knob to 9")],
                    [ADD.format("Bigger knobs score more."), ADD.format("Small caps at five.")])
    root = run_llm(make_repo, monkeypatch, PROJECT, CONFIG, router, 2)
    prompts = [r.prompt for r in router.proposal_requests]
    assert "Metrics of #0, your starting point (median of its runs):\n" \
           "    latency_ms 97\n" in prompts[0]
    assert "Per-case metrics of #0 (median of its runs):\n    small 3\n    large 6\n" in prompts[0]
    # #1 (knob 8) against #0 (knob 3): its cases and metrics with their change
    assert ("Metrics of #1, your starting point (median of its runs; change against #0):\n"
            "    latency_ms 92 (-5.15%)\n") in prompts[1]
    assert "    small 5 (+66.67%)\n    large 16 (+166.67%)\n" in prompts[1]
    assert "The objective's feedback on #1, your starting point:\n" \
           "    large is 4 short of 20" in prompts[1]
    assert "- #1 (from #0) kept at 21 (+133.33%): raise the knob to 8; metrics: " \
           "latency_ms 92 (-5.15%); why:" in prompts[1]
    assert len(prompts[1]) <= 3000, len(prompts[1])  # measured 2,522 when written

    capsys.readouterr()
    assert main(["show", "2", "-C", str(root)]) == 0
    text = capsys.readouterr().out
    assert "metrics: median [per seed] (change against #1):\n  latency_ms 91 (-1.09%)\n" in text
    assert "cases: median (change against #1):\n  small 5 (+0.00%)\n  large 18 (+12.50%)\n" in text
    assert "feedback:\n  large is 2 short of 20\n" in text
    assert "playbook: 2 lessons after 2 round(s), 2 ever added; round 2: added 1 (L2)" in text
    assert main(["show", "2", "--json", "-C", str(root)]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["compared"]["cases"]["cases/large"]["change"] == pytest.approx(0.125)
    assert view["feedback"] == "large is 2 short of 20"


def test_the_playbook_line_says_size_and_churn(tmp_path: Path) -> None:
    assert playbook_line(tmp_path, "r") == ""  # no playbook: nothing to say
    book = Playbook(playbook_path(tmp_path, "r"), limit=2)
    book.apply([{"op": "add", "text": "Unrolling the inner loop helps."},
                {"op": "add", "text": "Caching parsed headers pays off."}])
    book.apply([{"op": "remove", "id": "L1"}, {"op": "helpful", "id": "L2"}])
    book.save()
    assert playbook_line(tmp_path, "r") == (
        "playbook: 1 lessons after 2 round(s), 2 ever added; round 2: dropped 1 (L1)")
    book.apply([{"op": "add", "text": "Vectorise the scoring loop."}])
    book.save()
    assert playbook_line(tmp_path, "r").endswith("round 3: added 1 (L3)")
    book.apply([])
    book.save()
    assert playbook_line(tmp_path, "r").endswith("round 4: no change")
