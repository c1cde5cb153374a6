"""The prompt-tuning example, offline: its objective against the loopback server answered by the
example's rule-based stand-in, and a whole `hone run --mutator llm` over it (scripted proposals)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Hone, git
from tests.support.llm_server import LLMServer, Request, Text

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prompt-tuning"
sys.path.insert(0, str(EXAMPLE))
import standin  # noqa: E402  (the example's stand-in model, imported from its folder)

BETTER = """\
Classify the support ticket. Answer with a JSON object only, with the keys "category" (one of:
billing, account, bug, feature), "priority" (high or low) and "summary" (one sentence).

Ticket: {ticket}
"""


def env(server: LLMServer, **extra: str) -> dict[str, str]:
    # the objective runs `python3`: the interpreter of this venv, which has openai and hone
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "k", "PROMPT_MODEL": "standin",
            **extra}


def evaluate(server: LLMServer, *args: str, **extra: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, str(EXAMPLE / "evaluate.py"), *args],
                          capture_output=True, text=True, timeout=60, env=env(server, **extra))
    assert proc.returncode == 0, proc.stderr
    return {k.strip(): float(v) for k, v in (line.split(":") for line in proc.stdout.splitlines())}


@pytest.mark.slow
def test_baseline_and_a_better_prompt_with_the_judge(tmp_path: Path) -> None:
    with LLMServer(default=standin.respond) as server:
        assert evaluate(server) == {"accuracy": 0.0, "parsed": 0.0}
        assert len(server.requests) == 12
        assert server.requests[0].body["model"] == "standin"
        assert server.requests[0].body["temperature"] == 0
        better = tmp_path / "better.txt"
        better.write_text(BETTER)
        cache = str(tmp_path / "judge.sqlite")
        got = evaluate(server, "--prompt", str(better), "--judge", "standin",
                       HONE_JUDGE_CACHE=cache)
        assert got["parsed"] == 1.0 and got["judge_calls"] == 12
        assert 0.75 <= got["accuracy"] < 1.0  # priority is undefined: "not urgent" fools it
        assert got["judge"] == 1.0
        again = evaluate(server, "--prompt", str(better), "--judge", "standin",
                         HONE_JUDGE_CACHE=cache)
        assert again["judge_calls"] == 0 and again["judge"] == got["judge"]  # cached verdicts


def test_a_prompt_without_its_placeholder_fails(tmp_path: Path) -> None:
    bad = tmp_path / "p.txt"
    bad.write_text("Classify it.")
    proc = subprocess.run([sys.executable, str(EXAMPLE / "evaluate.py"), "--prompt", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "placeholder" in proc.stderr


def proposal(old: str, new: str, hypothesis: str) -> str:
    return (f"Hypothesis: {hypothesis}\n\nprompt.txt\n<<<<<<< SEARCH\n{old}=======\n{new}"
            ">>>>>>> REPLACE\n")


@pytest.mark.slow
def test_hone_tunes_the_prompt_offline(tmp_path: Path, hone: Hone) -> None:
    root = tmp_path / "prompt-tuning"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "baseline", cwd=root)
    old = (EXAMPLE / "prompt.txt").read_text()
    steps = [
        proposal(old, old.replace("tell me what it is about.",
                                  "answer with JSON: category and priority."), "ask for JSON"),
        proposal("Read this support ticket and answer with JSON: category and priority.\n",
                 "Read this support ticket and answer with JSON: category (billing, account, "
                 "bug or feature) and priority (high or low).\n", "list the allowed labels"),
        proposal("{ticket}\n", "Ticket: {ticket}\n", "mark the ticket"),
    ]

    def route(request: Request) -> str | Text:
        if request.body.get("model") == "standin":  # the example's objective and judge
            return standin.respond(request)
        if "playbook of lessons" in request.prompt:
            return '{"ops": []}'
        return steps.pop(0) if steps else Text("no idea", finish="stop")

    with LLMServer(default=route) as server:
        (root / "hone.toml").write_text((root / "hone.toml").read_text() + (
            f'\n[llm]\nbase_url = "{server.url}"\nretry_base_delay = 0.01\n'))
        git("-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qam", "llm", cwd=root)
        e = env(server)
        res = hone("run", "--mutator", "llm", "--model", "proposer", "--attempts", "3",
                   cwd=root, env={k: e[k] for k in ("PATH", "OPENAI_BASE_URL",
                                                    "OPENAI_API_KEY", "PROMPT_MODEL")})
        assert res.returncode == 0, res.stdout + res.stderr
    status = json.loads(hone("status", "--json", cwd=root).stdout)
    got = [(a["status"], a["score"]) for a in status["attempts"]]
    assert got[0] == ("baseline", 0.0)
    assert got[1][0] == "kept" and got[1][1] > 0  # JSON answers: priorities start to match
    assert got[2][0] == "kept" and got[2][1] > got[1][1]  # exact labels match too
    assert got[3][0] in ("kept", "discarded")
    assert status["champion"]["score"] >= got[2][1]
