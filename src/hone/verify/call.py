"""One command as the verifier runs it: everything its jail and its environment follow from.

The verifier builds a `Call` for every gate, screen, objective and holdout run; the launcher
(verify/launcher.py) runs it, and a jail built ahead of time (verify/prestart.py) is used for it
only when it was built from an equal `Call`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hone.config.model import SandboxSection
from hone.verify import hygiene


@dataclass(frozen=True)
class Call:
    """`command` in `workdir`, its logs at `stem` (`.out`, `.err`); `env`: hone's environment
    with the command's `HONE_*` variables, before the jail's allow-list; `settings`: the
    config's sandbox with the worktree's bytecode folder `own` writable; `readonly`: paths in
    the worktree bound read-only (protected files); `writable`: the config's own writable
    paths (sources there are never compiled into the trusted bytecode)."""

    command: str
    workdir: Path
    stem: Path
    env: Mapping[str, str]
    settings: SandboxSection
    readonly: tuple[str, ...]
    own: Path
    writable: tuple[str, ...] = ()


def command_env(jail_env: Mapping[str, str], pycache: Path) -> dict[str, str]:
    """The environment a command runs with: the jail's (allow-listed) environment and the
    interpreter hygiene, bytecode under `pycache` (never the worktree). Set after the jail's
    allow-list: hygiene is not the user's to pass or not."""
    env = {**jail_env, **hygiene.python_env(str(pycache))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the cache is outside the worktree
    return env
