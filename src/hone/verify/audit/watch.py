"""What the audit compares a change against: the watched files, their literals, the protected
patterns and the metric names (`Watch`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import pathspec

from hone.verify.audit.literals import Literal


@dataclass(frozen=True)
class Watch:
    """What the checks compare the change against: protected and hidden files (paths and their
    literals), the protected patterns, and the names of the metrics the objective prints."""

    paths: frozenset[str]
    literals: frozenset[Literal]
    spec: pathspec.GitIgnoreSpec
    metrics: tuple[str, ...] = ()

    @classmethod
    def build(cls, watched_paths: Iterable[str], literals: Iterable[Literal],
              patterns: Sequence[str], metrics: Iterable[str]) -> Watch:
        return cls(frozenset(watched_paths), frozenset(literals),
                   pathspec.GitIgnoreSpec.from_lines(list(patterns)),
                   tuple(m for m in metrics if m))

    def names(self) -> set[str]:
        """Distinctive names of watched files: their paths and base names (not too generic)."""
        out: set[str] = set()
        for path in self.paths:
            p = PurePosixPath(path)
            out.add(path)
            if len(p.stem) >= 4 and p.name not in ("__init__.py", "hone.toml"):
                out.add(p.name)
        return out
