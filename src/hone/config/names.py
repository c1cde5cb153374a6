"""Run names: each becomes part of git refs (`refs/hone/<run>/...`) and of file paths, so a
name must be a valid git ref component and can never climb out of a folder.

The rules are those of `git check-ref-format` for one component, checked in Python (no git
process), plus hone's own: a name starts with a letter or digit and holds only letters,
digits, `.`, `_` and `-` (so no `/`, no spaces, no control characters, no `~^:?*[\\`).
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_LENGTH = 100


def run_name_problem(name: str) -> str | None:
    """Why `name` cannot name a run (one line), or None when it can."""
    if not name:
        return "a run name must not be empty"
    if len(name) > MAX_LENGTH:
        return f"a run name must be at most {MAX_LENGTH} characters"
    if not _ALLOWED.fullmatch(name):
        return (f"run name {name[:40]!r} must start with a letter or digit and hold only "
                "letters, digits, '.', '_' and '-'")
    if ".." in name:
        return f"run name {name!r} must not contain '..' (git refuses it)"
    if name.endswith((".", ".lock")):
        return f"run name {name!r} must not end with '.' or '.lock' (git refuses it)"
    return None


def check_run_name(name: str) -> str:
    """`name` when it can name a run; else ValueError with the one-line reason."""
    problem = run_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name
