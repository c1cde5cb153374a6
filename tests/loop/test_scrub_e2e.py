"""A candidate that prints credentials never gets them into a brief, `show`, `tell` or a report:
with the jail on (it cannot read them) and off (the scrubber removes them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hone.cli import main
from hone.loop.asktell import ask, tell
from hone.loop.session import open_engine
from hone.loop.workspace import Workspace
from hone.verify.sandbox import bwrap_problem
from tests.conftest import KNOB_PROJECT, MakeRepo

NETRC = "machine example.com login bob password netrc-hunter2-canary"
GH = "oauth_token: gho_gh-hosts-file-canary-0123456789"
PGPASS = "db.example.com:5432:prod:admin:pgpass-canary-secret"
ENV_SECRET = "env-canary-Xq9vLz7Rk2Wm4"  # in MY_SERVICE_API_KEY, withheld from the jail
TOKEN = "sk-proj-abcdefghijklmnopqrstuvwx0123"  # a known shape, printed literally
CANARIES = ("netrc-hunter2-canary", "gh-hosts-file-canary", "pgpass-canary-secret",
            ENV_SECRET, TOKEN)
LEAKY = ("import os, pathlib, sys\n"
         "home = pathlib.Path(os.environ.get('HOME', '/nonexistent'))\n"
         "for rel in ('.netrc', '.config/gh/hosts.yml', '.pgpass'):\n"
         "    try:\n        sys.stderr.write((home / rel).read_text())\n"
         "    except OSError as exc:\n        print('cannot read', rel, exc, file=sys.stderr)\n"
         "print('key:', os.environ.get('MY_SERVICE_API_KEY'), file=sys.stderr)\n"
         f"print('token', 'sk-' + {TOKEN[3:]!r}, file=sys.stderr)  # not in the diff\n"
         "sys.exit(1)\n")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / ".config" / "gh").mkdir(parents=True)
    (home / ".netrc").write_text(NETRC + "\n")
    (home / ".config" / "gh" / "hosts.yml").write_text("github.com:\n    " + GH + "\n")
    (home / ".pgpass").write_text(PGPASS + "\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MY_SERVICE_API_KEY", ENV_SECRET)
    return home


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


@pytest.mark.parametrize("jail", [False, True])
def test_printed_credentials_reach_no_brief_show_tell_or_report(
        make_repo: MakeRepo, home: Path, tmp_path: Path, jail: bool,
        capsys: pytest.CaptureFixture[str]) -> None:
    if jail and bwrap_problem():
        pytest.skip(bwrap_problem())
    root = make_repo({**KNOB_PROJECT, "hone.toml": (
        '[objective]\nrun = "python3 score.py"\n'
        f"[sandbox]\nenabled = {'true' if jail else 'false'}\n")})
    ws = Workspace.open(root)
    with open_engine(ws, "main") as engine:
        asked = ask(engine)
        (Path(asked.workdir) / "score.py").write_text(LEAKY)
        told = tell(engine, asked.id, "print the credentials")
        failed = told.attempt
        again = ask(engine)
    assert failed.status.value == "failed", failed
    if not jail:  # the candidate did read them: the scrubber is what keeps them out
        assert "[scrubbed]" in failed.log_tail, failed.log_tail
    texts = {"tell": json.dumps(told.to_json()),
             "log_tail": failed.log_tail + failed.reason,
             "brief": Path(again.brief).read_text()}
    assert "score.py" in texts["brief"]
    capsys.readouterr()
    assert main(["show", str(failed.id), "--json", "-C", str(root)]) == 0
    assert main(["show", str(failed.id), "-C", str(root)]) == 0
    texts["show"] = capsys.readouterr().out
    report = tmp_path / "report.html"
    assert main(["report", "-o", str(report), "-C", str(root)]) == 0
    texts["report"] = report.read_text()
    # Everything hone keeps outside the raw command logs: briefs, journal, prompts.
    for path in (root / ".hone").rglob("*"):
        if path.is_file() and not {"logs", "worktrees"} & set(path.parts):
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    assert texts["show"] and texts["report"]
    assert {name: _leaks(text) for name, text in texts.items() if _leaks(text)} == {}


def test_the_llm_prompt_after_a_leaky_failure_holds_no_credential(
        make_repo: MakeRepo, home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Unjailed, with the loopback LLM: attempt 1 prints the credentials and fails; the
    prompt of attempt 2 (which reports that failure) reaches the server scrubbed."""
    from tests.support.llm_server import LLMServer, Request

    score = ("from knob import KNOB\nif KNOB == 99:\n"
             + "".join("    " + line + "\n" for line in LEAKY.splitlines())
             + "print(f'score: {KNOB}')\n")

    def edit(old: int, new: int) -> str:
        return (f"Hypothesis: set the knob to {new}\n\n```python\nknob.py\n<<<<<<< SEARCH\n"
                f"KNOB = {old}  # hone: tune\n=======\nKNOB = {new}  # hone: tune\n"
                ">>>>>>> REPLACE\n```\n")

    replies = [edit(3, 99), edit(3, 5)]

    def reply(request: Request) -> str:  # reflections (when enabled) learn nothing
        return '{"ops": []}' if "playbook of lessons" in request.prompt else replies.pop(0)

    with LLMServer(default=reply) as server:
        root = make_repo({**KNOB_PROJECT, "score.py": score, "hone.toml": (
            '[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'
            f'[llm]\nbase_url = "{server.url}"\nmax_retries = 0\n'
            "[sandbox]\nenabled = false\n")})
        monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-not-a-real-key-000")
        assert main(["run", "--mutator", "llm", "--model", "M", "--attempts", "2",
                     "-C", str(root)]) == 0
        capsys.readouterr()
        prompts = [json.dumps(r.body) for r in server.requests]
    assert not replies and len(prompts) >= 2
    later = " ".join(prompts[1:])
    assert "exited with code 1" in later  # the failure is reported ...
    assert "[scrubbed]" in later  # ... with its log tail, scrubbed
    assert [p for p in prompts if _leaks(p)] == []
