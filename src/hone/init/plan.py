"""Which files `hone init` protects and why: the user's `--protect`, what the objective and
the gates run or name, the data their scripts read, and the test suite with pytest's settings.

Every protection carries its reason, printed by `hone init`. A file the user names itself with
`--editable` stays editable (with a warning when a command names it); a broader `--editable`
pattern does not lift a protection (a note says so).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from hone.init.commands import named_paths
from hone.init.reads import data_read_by, is_code
from hone.init.suite import Suite, find_suite


class Kind(enum.StrEnum):
    """Why a pattern is protected."""

    USER = "user"  # --protect
    COMMAND = "command"  # the objective or a gate runs or names it
    DATA = "data"  # a script of the objective or a gate reads it
    TESTS = "tests"  # the test suite and what decides what it runs
    EXCEPT = "except"  # `!path`: a file the user named with --editable, inside a protection


@dataclass(frozen=True)
class Protection:
    pattern: str
    kind: Kind
    reason: str


@dataclass(frozen=True)
class Plan:
    """What `hone init` writes to `[files]`, with the reasons and the notes it prints."""

    editable: tuple[str, ...]
    protections: tuple[Protection, ...]
    notes: tuple[str, ...] = ()

    @property
    def protect(self) -> list[str]:
        return [p.pattern for p in self.protections]


def plan_files(root: Path, tracked: Sequence[str], objective: str, gates: Sequence[str],
               editable: Sequence[str] = (), protect: Sequence[str] = ()) -> Plan:
    """The files plan for a repository at `root` whose tracked files are `tracked`."""
    suite = find_suite(tracked, gates)
    found = [Protection(p, Kind.USER, "you asked: --protect") for p in protect]
    notes: list[str] = []
    commands = [("the objective", objective)] + [
        (f"gate 'gate{i}'", gate) for i, gate in enumerate(gates, 1)]
    for label, command in commands:
        found += _from_command(root, tracked, label, command, suite, notes)
    found += _from_suite(suite)
    unique = [p for i, p in enumerate(found)  # the first reason for a pattern wins
              if p.pattern not in {q.pattern for q in found[:i]}]
    kept = _apply_editable(unique, editable, tracked, notes)
    return Plan(tuple(editable), tuple(kept), tuple(notes))


def _from_command(root: Path, tracked: Sequence[str], label: str, command: str,
                  suite: Suite | None, notes: list[str]) -> list[Protection]:
    out = []
    for named in named_paths(command, tracked):
        path = named.path
        if named.folder:
            inside = [t for t in tracked if t.startswith(path)]
            if suite and any(path.startswith(f) or f.startswith(path) for f in suite.folders):
                continue  # the test suite's own line says why
            if any(is_code(t) for t in inside):
                notes.append(f"not protected: {path} ({label} names it, but it holds code; "
                             f"add --protect {path} if it must not change)")
                continue
            out.append(Protection(path, Kind.DATA, f"{label} reads it"))
            continue
        out.append(Protection(path, Kind.COMMAND,
                              f"{label} {'runs' if named.runs else 'names'} it"))
        if named.runs and path.endswith(".py"):
            out += [Protection(d, Kind.DATA, f"{label} reads it: {path} names it")
                    for d in data_read_by(root, path, tracked)]
    return out


def _from_suite(suite: Suite | None) -> list[Protection]:
    if suite is None:
        return []
    finds = ": pytest finds tests here" if suite.pytest else ""
    return ([Protection(f, Kind.TESTS, f"the test suite{finds}") for f in suite.folders]
            + [Protection(p, Kind.TESTS, "test files anywhere: pytest collects these names")
               for p in suite.file_patterns]
            + [Protection(c, Kind.TESTS,
                          "pytest's hooks: a conftest.py can skip or rewrite any test"
                          if c == "conftest.py" else "pytest reads its options from these: "
                          "`addopts = --co` would run no test") for c in suite.config])


def _apply_editable(found: list[Protection], editable: Sequence[str], tracked: Sequence[str],
                    notes: list[str]) -> list[Protection]:
    """Drop the protections of files the user named itself with `--editable` (a warning
    each); note those a broader `--editable` pattern covers but that stay protected."""
    named = {_plain(e): e for e in editable}
    spec = _spec(editable)
    kept = []
    for p in found:
        if p.kind is Kind.USER:
            kept.append(p)
        elif p.pattern in named:
            notes.append(f"warning: {p.pattern} stays editable as you asked "
                         f"(--editable {named[p.pattern]}), although {p.reason}")
        else:
            kept.append(p)
            covered = _covered(p.pattern, spec, tracked) if editable else []
            if covered:
                notes.append(f"note: {p.pattern} stays protected ({p.reason}) although "
                             f"--editable matches {covered[0]}; name a file itself with "
                             "--editable to make it editable")
    return kept + _exceptions(kept, named, tracked, notes)


def _exceptions(kept: list[Protection], named: dict[str, str], tracked: Sequence[str],
                notes: list[str]) -> list[Protection]:
    """`!file` for each tracked file the user named with --editable that a kept protection
    of hone's own covers (a test inside `tests/`); the user's own --protect still wins."""
    out = []
    for path, pattern in named.items():
        if path not in tracked or any(_covered(p.pattern, _spec([path]), [path])
                                      for p in kept if p.kind is Kind.USER):
            continue
        covering = next((p for p in kept if _covered(p.pattern, _spec([path]), [path])), None)
        if covering is None:
            continue
        notes.append(f"warning: {path} stays editable as you asked (--editable {pattern}), "
                     f"although it is in {covering.pattern} ({covering.reason})")
        out.append(Protection(f"!{path}", Kind.EXCEPT,
                              f"you named it with --editable: an exception to "
                              f"{covering.pattern}"))
    return out


def _spec(patterns: Sequence[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def _plain(pattern: str) -> str:
    """`./a.py` and `/a.py` -> `a.py`: how a user names one file."""
    return pattern.removeprefix("./").removeprefix("/")


def _covered(pattern: str, editable: pathspec.GitIgnoreSpec, tracked: Sequence[str]
             ) -> list[str]:
    """Tracked files that both `pattern` (protected) and the editable patterns match."""
    protected = _spec([pattern])
    return [t for t in tracked if protected.match_file(t) and editable.match_file(t)]
