"""Which paths a proposer may change: gitignore-style patterns via `pathspec`."""

from __future__ import annotations

import functools
import shlex
from collections.abc import Iterable
from pathlib import Path

import pathspec

from hone.config.load import CONFIG_FILE


class PathRules:
    """Editable and protected patterns. No editable pattern means every file not protected.
    Not changed once made (`rules_for` hands the same one to every caller)."""

    def __init__(self, editable: Iterable[str], protect: Iterable[str]) -> None:
        self.editable_patterns = list(editable)
        self.protect_patterns = [*protect, CONFIG_FILE]
        self._editable = pathspec.GitIgnoreSpec.from_lines(self.editable_patterns)
        self._protect = pathspec.GitIgnoreSpec.from_lines(self.protect_patterns)

    def is_protected(self, path: str) -> bool:
        return self._protect.match_file(path) or path.startswith(".hone/")

    def is_editable(self, path: str) -> bool:
        if self.is_protected(path):
            return False
        return not self.editable_patterns or self._editable.match_file(path)

    def editable_files(self, tracked: Iterable[str]) -> list[str]:
        return [p for p in tracked if self.is_editable(p)]

    def violations(self, changed: Iterable[str]) -> list[str]:
        """Reasons, one per changed path that is protected or outside the editable set."""
        out = []
        for p in changed:
            if self.is_protected(p):
                out.append(f"touched protected path {p}")
            elif not self.is_editable(p):
                out.append(f"touched non-editable path {p}")
        return out


@functools.lru_cache(maxsize=16)
def rules_for(editable: tuple[str, ...], protect: tuple[str, ...]) -> PathRules:
    """The rules of these patterns, compiled once (every proposal asks, with the same)."""
    return PathRules(editable, protect)


def files_named_in(commands: Iterable[str], root: Path, tracked: Iterable[str]) -> list[str]:
    """Tracked files that appear as words of the given commands (objective, gates)."""
    tracked_set = set(tracked)
    found: list[str] = []
    for cmd in commands:
        try:
            words = shlex.split(cmd)
        except ValueError:
            words = cmd.split()
        for word in words:
            for candidate in (word, word.split("=", 1)[-1]):
                rel = candidate.removeprefix("./")
                if rel in tracked_set and rel not in found:
                    found.append(rel)
                elif (root / rel).is_dir() and rel and any(
                    t.startswith(rel.rstrip("/") + "/") for t in tracked_set
                ):
                    pattern = rel.rstrip("/") + "/"
                    if pattern not in found:
                        found.append(pattern)
    return found
