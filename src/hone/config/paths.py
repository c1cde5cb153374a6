"""The extra paths a jail shows (`[sandbox]` and `[agent]` `ro_paths`/`rw_paths`) must not
undo it: `/` would show the whole filesystem, and the repository (or a folder holding it)
would show the journal, the holdout and the other attempts' worktrees."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hone.errors import ConfigError


def _resolved(text: str, root: Path) -> Path:
    path = Path(text).expanduser()
    return (path if path.is_absolute() else root / path).resolve()


def jail_path_problem(text: str, root: Path | None) -> str | None:
    """Why `text` cannot be shown in the jail, or None. A relative path lies under `root`
    (the repository); without a root only `/` is refused."""
    if not text.strip():
        return "an empty path"
    if Path(text).expanduser().is_absolute() and Path(text).expanduser().resolve() == Path("/"):
        return f"{text!r} would show the whole filesystem"
    if root is None:
        return None
    path, repo = _resolved(text, root), root.resolve()
    if path == repo or path in repo.parents:
        return f"{text!r} would show the repository ({repo}) to the jail"
    return None


def check_jail_paths(sections: Iterable[tuple[str, Iterable[str]]], root: Path,
                     source: str = "hone.toml") -> None:
    """ConfigError (one line, naming the key) for the first path that `jail_path_problem`
    refuses; `sections` pairs a dotted key (`sandbox.rw_paths`) with its paths."""
    for key, paths in sections:
        for text in paths:
            problem = jail_path_problem(text, root)
            if problem:
                raise ConfigError(f"{source}: '{key}': {problem}")
