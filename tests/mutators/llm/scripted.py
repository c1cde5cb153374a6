"""`hone run --mutator llm` in-process against the scripted loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.cli import main
from tests.conftest import MakeRepo, git
from tests.support.llm_server import LLMServer, Script


def run_llm(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, project: dict[str, str],
            config: str, model: Script, attempts: int, *args: str) -> Path:
    """A new repository of `project` with `config` (its `{url}` the server's, committed), after
    `attempts` attempts proposed by `model` (model name "M"), `args` added to `hone run`; the
    run must exit 0."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with LLMServer(default=model) as server:
        root = make_repo(project)
        (root / "hone.toml").write_text(config.format(url=server.url))
        git("add", "hone.toml", cwd=root)
        git("commit", "-qm", "hone config", cwd=root)
        assert main(["run", "--mutator", "llm", "--model", "M", "--attempts", str(attempts),
                     *args, "-C", str(root)]) == 0
    return root
