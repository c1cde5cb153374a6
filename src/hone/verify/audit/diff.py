"""A unified diff read as the audit needs it: per file, the added lines and the removed text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)")


@dataclass(frozen=True)
class Added:
    path: str
    line: int
    text: str


@dataclass
class FileChange:
    """One file of the diff: `added` maps new line number -> text; `new` when it was created."""

    path: str
    added: dict[int, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    new: bool = False


def parse_diff(diff: str) -> dict[str, FileChange]:
    """The files the diff adds or changes (deleted files are left out), keyed by new path."""
    files: dict[str, FileChange] = {}
    current: FileChange | None = None
    created = False
    header = True  # between "diff --git" and the first hunk: "--- " is not a removed line
    line = 0
    for raw in diff.splitlines():
        if raw.startswith("diff --git "):
            current, created, header = None, False, True
        elif header and raw.startswith("--- "):
            created = raw[4:].strip() == "/dev/null"
        elif header and raw.startswith("+++ "):
            target = raw[4:].strip()
            # A deletion's target is /dev/null: nothing of it runs any more.
            path = target[2:] if target.startswith("b/") else ""
            current = files.setdefault(path, FileChange(path, new=created)) if path else None
        elif raw.startswith("@@"):
            header = False
            m = _HUNK.match(raw)
            line = int(m.group(1)) if m else 0
        elif current is None:
            continue
        elif raw.startswith("+"):
            current.added[line] = raw[1:]
            line += 1
        elif raw.startswith("-"):
            current.removed.append(raw[1:])
        elif raw.startswith(" "):
            line += 1
    return files


def added_lines(diff: str) -> tuple[list[Added], set[str], set[str]]:
    """The diff's added lines, the files it adds or changes, and its removed text."""
    changes = parse_diff(diff)
    lines = [Added(c.path, n, text) for c in changes.values() for n, text in c.added.items()]
    removed = {text for c in changes.values() for text in c.removed}
    return lines, set(changes), removed
