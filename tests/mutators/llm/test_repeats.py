"""Ideas that do not repeat, with the llm mutator on a scripted server hone has never seen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Hone, MakeRepo
from tests.mutators.llm.test_llm_run import Router, edit, setup
from tests.support.llm_server import LLMServer


@pytest.mark.slow
def test_same_edit_twice_is_a_duplicate_and_a_near_duplicate_is_sent_back(
        make_repo: MakeRepo, hone: Hone, tmp_path: Path) -> None:
    router = Router(
        proposals=[
            edit(3, 2, "lower the knob to 2"),                            # 1 discarded
            edit(3, 2, "a smaller KNOB may run faster, try 2"),           # 2 duplicate of 1
            edit(3, 2, "Lower the knob to 2."),                           # near-duplicate: sent
            edit(3, 9, "raise the knob to 9"),                            # back; 3 kept
        ],
        reflections=[])
    with LLMServer(default=router) as server:
        root = setup(make_repo, server.url)
        toml = root / "hone.toml"
        log = tmp_path / "out" / "objective.log"
        log.parent.mkdir()
        toml.write_text(toml.read_text().replace(
            'run = "python3 score.py"', f'run = "echo run >> {log} && python3 score.py"')
            # The jailed objective may write only its worktree and the paths named here.
            + f'\n[sandbox]\nrw_paths = ["{log.parent}"]\n')
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "3", cwd=root)
        assert res.returncode == 0, res.stdout + res.stderr

    status = json.loads(hone("status", "--json", cwd=root).stdout)
    got = [(a["id"], a["status"], a["score"]) for a in status["attempts"]]
    assert got == [(0, "baseline", 3), (1, "discarded", 2), (2, "duplicate", None),
                   (3, "kept", 9)]
    assert "the same change as #1" in status["attempts"][2]["reason"]
    # The objective ran for the baseline (2 runs: its one seed and one repeat, which shows it
    # deterministic), #1 and #3 only (once each), then once per side for the confirmation.
    assert len(log.read_text().splitlines()) == 2 + 1 + 1 + 2
    prompts = [r.prompt for r in router.proposal_requests]
    assert len(prompts) == 4
    # The prompt after the duplicate says that it was tried and not evaluated.
    assert "- #2 (from #0) duplicate: " in prompts[2]
    assert "; why: not evaluated: the same change as #1" in prompts[2]
    assert "not evaluated" not in prompts[1]
    # The near-duplicate hypothesis went back once with what was already tried.
    assert "already tried: #1" in prompts[3] and "lower the knob to 2" in prompts[3]
    assert "already tried: #" not in prompts[2]
    show = json.loads(hone("show", "3", "--json", cwd=root).stdout)
    assert show["extra"]["near_duplicate_of"] == 1
    assert "Lower the knob to 2." in show["texts"]["response_first"]


def test_stagnation_raises_the_temperature_and_asks_for_the_unlikely_tail(
        make_repo: MakeRepo, hone: Hone) -> None:
    router = Router(proposals=[
        edit(3, 2, "lower the knob to 2"),                                      # 1 discarded
        edit(3, 1, "lower the knob to 1"),                                      # 2 stuck: hotter
        "Candidate (p=0.6): raise it a bit\nCandidate (p=0.05): raise it a lot\n"
        + edit(3, 19, "raise it a lot"),                                        # 3 verbalized
    ], reflections=[])
    with LLMServer(default=router) as server:
        root = setup(make_repo, server.url)
        toml = root / "hone.toml"
        toml.write_text(toml.read_text() + '\n[search]\npatience = 1\n'
                        'explore = ["temperature", "verbalized"]\n')
        res = hone("run", "--mutator", "llm", "--model", "M", "--attempts", "3", cwd=root)
        assert res.returncode == 0, res.stdout + res.stderr
    temps = [r.body["temperature"] for r in router.proposal_requests]
    assert temps == [0.2, pytest.approx(0.6), 0.2]
    assert "Candidate (p=" not in router.proposal_requests[1].prompt
    assert "unlikely tail" in router.proposal_requests[2].prompt
    shows = [json.loads(hone("show", str(i), "--json", cwd=root).stdout) for i in (1, 2, 3)]
    assert [s["extra"].get("explore") for s in shows] == [None, "temperature", "verbalized"]
    assert shows[2]["extra"]["verbalized"][1] == {"p": 0.05, "text": "raise it a lot"}
    assert shows[2]["status"] == "kept"
