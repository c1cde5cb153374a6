"""Static checks on a kept diff: the usual ways to game a verifier, flagged with reasons.

Python files are parsed (python.py: what the code does, through aliases and built strings);
other files are read line by line (lines.py). Each finding names the check, the file and line,
and why it is suspicious. Findings are for a person (or a hold) to look at, so the checks lean
towards flagging; the cheat suite in tests/verify/cheats measures both sides.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from hone.verify.audit.diff import Added, FileChange, added_lines, parse_diff
from hone.verify.audit.finding import Finding, findings_json
from hone.verify.audit.lines import line_findings
from hone.verify.audit.literals import Literal, text_literals, watched_literals
from hone.verify.audit.python import python_findings
from hone.verify.audit.watch import Watch

__all__ = ["Added", "Finding", "added_lines", "audit", "findings_json"]

HOOK_FILES = ("sitecustomize.py", "usercustomize.py", "conftest.py", "pytest.ini")
# Config files that may carry test-runner settings: flagged when the change touches those.
RUNNER_CONFIG = {"setup.cfg": "[tool:pytest]", "tox.ini": "[pytest]",
                 "pyproject.toml": "[tool.pytest"}
PYTHON = (".py", ".pyi", ".pyw")


def audit(diff: str, watched: dict[str, str], files: Mapping[str, str] | None = None,
          protected: Sequence[str] = (), metrics: Iterable[str] = ()) -> list[Finding]:
    """Findings for `diff`.

    `watched` maps the paths of protected, test, benchmark and holdout files to their text
    (their literals are looked up in new code; their paths in new strings). `files` maps
    changed Python files to their whole new text, so that aliases made on unchanged lines
    resolve; without it each added block is parsed on its own. `protected` are the protected
    patterns (gitignore style), so that a folder or glob that reaches them is caught.
    `metrics` are the names the objective prints: new code that prints them is flagged.
    """
    changes = parse_diff(diff)
    watch = _watch(tuple(sorted(watched.items())), tuple(protected), tuple(metrics))
    removed = text_literals("\n".join(t for c in changes.values() for t in c.removed))
    findings: list[Finding] = []
    for path in sorted(changes):
        change = changes[path]
        findings += _hook_file(change)
        if path.endswith(PYTHON):
            findings += _python(change, (files or {}).get(path), watch, removed)
        else:
            findings += line_findings(_lines(change), watch.names(), set(watch.literals),
                                      removed)
    return findings


@functools.lru_cache(maxsize=4)
def _watch(watched: tuple[tuple[str, str], ...], protected: tuple[str, ...],
           metrics: tuple[str, ...]) -> Watch:
    """The `Watch` of these files, patterns and names: the same for every attempt of a run
    until a protected file changes, so parsed once (a few hundred microseconds a file)."""
    texts = dict(watched)
    return Watch.build(texts, watched_literals(texts), protected, metrics)


def _lines(change: FileChange, numbers: Iterable[int] | None = None) -> list[Added]:
    keys = sorted(change.added if numbers is None else numbers)
    return [Added(change.path, n, change.added[n]) for n in keys]


def _hook_file(change: FileChange) -> list[Finding]:
    name = PurePosixPath(change.path).name
    if name in HOOK_FILES or name.endswith(".pth"):
        return [Finding("hook-file", change.path, 1, f"adds or changes {name}, which Python "
                        "or pytest load before the code under test")]
    marker = RUNNER_CONFIG.get(name)
    if marker and any(marker in t or "addopts" in t for t in change.added.values()):
        return [Finding("hook-file", change.path, min(change.added),
                        f"changes the test runner's settings in {name}")]
    return []


def _python(change: FileChange, text: str | None, watch: Watch,
            removed: set[Literal]) -> list[Finding]:
    """Parse the whole new file when it is known (or is all new), else each added block."""
    added = set(change.added)
    if text is None and change.new and change.added:
        text = "\n".join(change.added[n] for n in sorted(change.added))
    if text is not None:
        found = python_findings(change.path, text, added, watch, removed)
        if found is not None:
            return found
        return line_findings(_lines(change), watch.names(), set(watch.literals), removed)
    findings: list[Finding] = []
    for block in _blocks(sorted(added)):
        first = block[0]
        # Blank lines in front keep the block's line numbers those of the file.
        source = "\n" * (first - 1) + textwrap.dedent(
            "\n".join(change.added[n] for n in block))
        found = python_findings(change.path, source, set(block), watch, removed)
        if found is None:
            found = line_findings(_lines(change, block), watch.names(), set(watch.literals),
                                  removed)
        findings += found
    return findings


def _blocks(numbers: list[int]) -> list[list[int]]:
    """Runs of consecutive line numbers."""
    blocks: list[list[int]] = []
    for n in numbers:
        if blocks and blocks[-1][-1] == n - 1:
            blocks[-1].append(n)
        else:
            blocks.append([n])
    return blocks
