"""The jail a coding agent runs in, and the check of its command before a run starts.

The jail is hone's sandbox (verify/sandbox.py) with `[sandbox]`'s limits but `[agent]`'s own
network (on by default: the agent calls its model), environment variables (only those `env`
names pass, so an API key the config does not name stays out) and extra paths (its binary and
login folder read-only; `rw_paths` writable). The worktree is writable and the brief readable;
the user's repository (hence the journal in `.hone/`, the holdout's files, the other worktrees
and the logs) stays hidden, as do the home folder and its credential stores.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from hone.config.model import Config, SandboxSection
from hone.errors import UsageError
from hone.verify import sandbox
from hone.verify.process import run_command

# Words a command may start with that are not the agent's program: skip the check.
_ENV_WORDS = frozenset({"env", "exec", "nice", "timeout", "stdbuf", "nohup", "time"})


def jail_settings(config: Config, brief: Path | None = None) -> SandboxSection:
    """`[sandbox]` with the agent's network, env and paths (and the brief read-only).

    No CPU-time limit: an agent mostly waits on its model, and `[agent] timeout` bounds it.
    """
    agent = config.agent
    ro = [*agent.ro_paths, *([str(brief)] if brief is not None else [])]
    return config.sandbox.model_copy(update={
        "enabled": agent.jail, "network": agent.network, "env": list(agent.env),
        "ro_paths": ro, "rw_paths": list(agent.rw_paths), "cpu_seconds": 0})


def program(command: str) -> str:
    """The program a command template runs first; '' when that cannot be told (shell syntax).
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return ""
    while words and ("=" in words[0] and not words[0].startswith("=")):
        words = words[1:]  # NAME=value assignments before the program
    if not words or words[0] in sandbox.SHELL_WORDS or words[0] in _ENV_WORDS:
        return ""
    first = words[0]
    return "" if set(first) & sandbox.SHELL_CHARS else first


def preflight(config: Config, environ: Mapping[str, str]) -> None:
    """Check before a run that the agent's program exists and the jail shows it.

    A UsageError (one line, exit 2) names what is missing and how to fix it; nothing else is
    run. A program given by a relative path (run from the worktree) is not checked.
    """
    prog = program(config.agent.command)
    if not prog or ("/" in prog and not os.path.isabs(prog)):
        return
    found = shutil.which(prog, path=environ.get("PATH", os.defpath))
    if found is None:
        raise UsageError(f"[agent] command: {prog!r} is not installed or not on PATH; install "
                         "it or change [agent] command (nothing was run)")
    settings = jail_settings(config)
    if settings.enabled is False or not sandbox.use_bwrap(settings):
        return
    with tempfile.TemporaryDirectory(prefix="hone-preflight-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        check = f"command -v {shlex.quote(prog)}"
        with sandbox.launch(check, work, settings, environ) as how:
            res = run_command(how.argv, work, Path(tmp) / "check", 60, how.env, 100_000,
                              how.preexec)
    if res.ok:
        return
    real = Path(found).resolve()
    raise UsageError(f"[agent] command: {prog!r} ({real}) is hidden inside hone's jail; add "
                     f"its folder to [agent] ro_paths, e.g. ro_paths = [\"{real.parent}\"] "
                     "(or set [agent] jail = false)")
