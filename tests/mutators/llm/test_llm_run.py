"""End to end: `hone run --mutator llm` against the scripted loopback server (never the network)."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import pytest

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo
from tests.support.llm_server import LLMServer, Reply, Request, Script, Text, error, garbage, hang

CONFIG = """\
[run]
goal = "Make the score as high as possible."

[objective]
run = "python3 score.py"

[[gates]]
name = "types"
run = "python3 test_knob.py"

[files]
editable = ["knob.py"]
protect = ["score.py", "test_knob.py"]

[llm]
base_url = "{url}"
temperature = 0.2
timeout = {timeout}
max_retries = 3
retry_base_delay = 0.01
retry_max_delay = 0.05
price_in = 2.0
price_out = 10.0
"""


def edit(old: int, new: int, hypothesis: str) -> str:
    return (f"Hypothesis: {hypothesis}\n\n```python\nknob.py\n<<<<<<< SEARCH\n"
            f"KNOB = {old}  # hone: tune\n=======\nKNOB = {new}  # hone: tune\n"
            ">>>>>>> REPLACE\n```\n")


class Router:
    """Proposal calls take the next scripted reply; reflection calls get their own queue."""

    def __init__(self, proposals: list[Script], reflections: list[Script]) -> None:
        self.proposals, self.reflections = deque(proposals), deque(reflections)
        self.proposal_requests: list[Request] = []
        self.reflection_requests: list[Request] = []

    def __call__(self, request: Request) -> str | Text | Reply:
        reflect = "playbook of lessons" in request.prompt
        (self.reflection_requests if reflect else self.proposal_requests).append(request)
        queue = self.reflections if reflect else self.proposals
        item = queue.popleft() if queue else (
            '{"ops": []}' if reflect else error(500, "script exhausted"))
        return item(request) if callable(item) and not isinstance(item, Reply | Text) else item


def setup(make_repo: MakeRepo, url: str, timeout: float = 1.0) -> Path:
    root = make_repo(KNOB_PROJECT)
    (root / "hone.toml").write_text(CONFIG.format(url=url, timeout=timeout))
    from tests.conftest import git

    git("add", "hone.toml", cwd=root)
    git("commit", "-qm", "hone config", cwd=root)
    return root


@pytest.mark.slow
def test_llm_run_keeps_improvements_and_survives_faults(make_repo: MakeRepo, hone: Hone) -> None:
    router = Router(
        proposals=[
            edit(3, 8, "raise the knob to 8"),                       # 1 kept
            error(429, "slow down", retry_after=0.01),               # (retried)
            edit(8, 12, "raise the knob to 12"),                     # 2 kept
            edit(12, 5, "lower the knob to 5"),                      # 3 discarded
            edit(99, 100, "edit a line that is not there"),          # 4 failed: no match
            "Hypothesis: cheat\nscore.py\n<<<<<<< SEARCH\n=======\nprint('score: 1e9')\n"
            ">>>>>>> REPLACE\n",                                     # 5 rejected: protected
            garbage(),                                               # 6 failed: unreadable
            error(500, "boom"),                                      # (retried)
            hang(4),                                                 # (timed out, retried)
            edit(12, 15, "raise the knob to 15"),                    # 7 kept
            "",                                                      # 8 failed: empty
        ],
        reflections=['{"ops": [{"op": "add", "text": "Raising KNOB raises the score."}]}',
                     '```json\n{"ops": [{"op": "helpful", "id": "L1"}]}\n```'],
    )
    with LLMServer(default=router) as server:
        root = setup(make_repo, server.url)
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "8", cwd=root,
                   env={"OPENAI_API_KEY": "test-key"})
        assert res.returncode == 0, res.stdout + res.stderr
        assert "model M" in res.stdout

    status = json.loads(hone("status", "--json", cwd=root).stdout)
    got = [(a["id"], a["status"], a["score"]) for a in status["attempts"]]
    assert got == [(0, "baseline", 3), (1, "kept", 8), (2, "kept", 12), (3, "discarded", 5),
                   (4, "failed", None), (5, "rejected", None), (6, "failed", None),
                   (7, "kept", 15), (8, "failed", None)]
    assert status["champion"] == {"id": 7, "score": 15}
    by_id = {a["id"]: a for a in status["attempts"]}
    assert "does not match" in by_id[4]["reason"]
    assert "protected path score.py" in by_id[5]["reason"]
    assert "unreadable response" in by_id[6]["reason"]
    assert "empty answer" in by_id[8]["reason"]
    # tokens: the loopback counts 100 in / 50 out per answered call
    assert status["tokens"]["in"] >= 700 and status["tokens"]["out"] >= 350
    assert status["usd"] == pytest.approx((status["tokens"]["in"] * 2
                                           + status["tokens"]["out"] * 10) / 1e6)

    # The model and the key reached the server; temperature too (M is not a reasoning model).
    first = router.proposal_requests[0]
    assert first.body["model"] == "M" and first.body["temperature"] == 0.2
    assert first.headers["authorization"] == "Bearer test-key"
    assert "KNOB = 3  # hone: tune" in first.prompt  # the editable file, whole
    assert "Hypothesis:" in first.prompt and "<<<<<<< SEARCH" in first.prompt
    assert "Attempts so far" not in first.prompt

    # From the second request on, the prompt carries earlier hypotheses, statuses and deltas.
    def prompt_for(attempt: int) -> str:
        # proposal requests: #1, 429, #2, #3, #4, #5, #6 (garbage), 500, hang, #7, #8
        index = {1: 0, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 9, 8: 10}[attempt]
        return router.proposal_requests[index].prompt

    second = prompt_for(2)
    assert "raise the knob to 8" in second
    row = next(line for line in second.splitlines() if "raise the knob to 8" in line
               and line.startswith("- #1 "))
    assert "kept" in row and "+166.67%" in row and "why: deterministic: better" in row
    assert "KNOB = 8  # hone: tune" in second  # the parent's file, not the baseline's
    fifth = prompt_for(5)
    assert "lower the knob to 5" in fifth and "-58.33%" in fifth
    assert "does not match the file" in fifth  # why #4 failed reaches the next prompt
    assert "- #2 (from #1) kept at 12 (+50.00%): raise the knob to 12" in fifth
    assert "- #3 (from #2) discarded at 5 (-58.33%): lower the knob to 5; " \
           "why: tried: deterministic: worse by -58.33%" in fifth
    assert "Ideas already tried" not in fifth
    last = prompt_for(8)
    assert "protected path score.py" in last and "unreadable response" in last
    # lessons: the reflection on #1, queued by #2's proposal, runs while #2 is measured and
    # reaches #3's prompt; the one on #2 strengthens it for #4
    assert "Lessons learnt" not in prompt_for(1) and "Lessons learnt" not in prompt_for(2)
    assert "L1 +1/-0] Raising KNOB raises the score." in prompt_for(3)
    assert "L1 +2/-0] Raising KNOB raises the score." in prompt_for(4)
    reflection = router.reflection_requests[0].prompt
    assert "raise the knob to 8" in reflection and "kept" in reflection

    # Every prompt and answer is readable with `hone show`, with the lessons of the run.
    show = json.loads(hone("show", "4", "--json", cwd=root).stdout)
    assert "edit a line that is not there" in show["texts"]["response"]
    assert "## user" in show["texts"]["prompt"] and show["extra"]["tokens_in"] >= 100
    assert show["lessons"][0]["text"] == "Raising KNOB raises the score."
    assert "garbage" not in show["texts"]
    shown = hone("show", "2", cwd=root).stdout
    assert "raise the knob to 12" in shown and "Raising KNOB raises the score." in shown
    table = hone("status", cwd=root).stdout
    assert "tokens in" in table and "$" in table


@pytest.mark.slow
def test_failures_in_a_row_stop_the_run_which_resumes(make_repo: MakeRepo, hone: Hone) -> None:
    with LLMServer() as server:
        root = setup(make_repo, server.url)
        toml = root / "hone.toml"
        toml.write_text(toml.read_text().replace("max_retries = 3", "max_retries = 1")
                        + "max_consecutive_failures = 2\n")
        server.script(error(503), error(503), error(503), error(503))
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "5", cwd=root)
        assert res.returncode == 0, res.stderr
        stop = [line for line in res.stdout.splitlines() if line.startswith("stopped:")]
        assert len(stop) == 1 and "2 LLM calls failed in a row" in stop[0]
        assert "HTTP 503" in stop[0] and "resumes" in stop[0]
        assert len(server.requests) == 4  # 2 attempts x (1 try + 1 retry), then it stopped

        server.script(edit(3, 9, "raise the knob to 9"))
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "3", cwd=root)
        assert res.returncode == 0, res.stderr
        assert "resuming run" in res.stdout
    attempts = json.loads(hone("status", "--json", cwd=root).stdout)["attempts"]
    assert [a["status"] for a in attempts] == ["baseline", "failed", "failed", "kept"]


def test_rejected_key_stops_at_once(make_repo: MakeRepo, hone: Hone) -> None:
    with LLMServer(default=error(401, "invalid api key")) as server:
        root = setup(make_repo, server.url)
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "5", cwd=root)
        assert res.returncode == 0, res.stderr
        assert "rejected the credentials" in res.stdout
        assert len(server.requests) == 1


def test_budget_usd_stops_the_run(make_repo: MakeRepo, hone: Hone) -> None:
    with LLMServer() as server:
        root = setup(make_repo, server.url)
        # 100 tokens in at $2/M + 50 out at $10/M = $0.0007 per call; the reflection on #1,
        # queued by #2's proposal, is made while #2 is measured and counted at the run's end
        server.script(edit(3, 4, "four"), edit(4, 5, "five"), Text('{"ops": []}'))
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "9",
                   "--budget-usd", "0.001", cwd=root)
        assert res.returncode == 0, res.stderr
        assert "cost budget reached ($0.0014 of $0.001)" in res.stdout
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    assert [a["status"] for a in status["attempts"]] == ["baseline", "kept", "kept"]
    assert status["usd"] == pytest.approx(0.0021)
