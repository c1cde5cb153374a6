"""What one commit changed against another, read from a single `git diff` process.

`ARGS` asks git for three views of the same pair at once (raw: the new blob ids; numstat: the
line counts; a patch without context lines), with `-z` so that any path survives; `parse`
splits them. Renames are off: a renamed file counts as the old path removed and the new added,
so a protected file cannot leave its name unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARGS = ("diff", "--raw", "--numstat", "--patch", "--unified=0", "-z", "--no-renames",
        "--no-abbrev", "--no-color", "--no-ext-diff")
_GITLINK = "160000"  # a submodule's entry: not a file of this repository


@dataclass(frozen=True)
class Change:
    """Lines added and removed, the paths touched (in git's order), the new blob id of each
    touched file (None: deleted or not a file) and the patch with no context lines (`-U0`)."""

    added: int
    removed: int
    paths: tuple[str, ...]
    blobs: dict[str, str | None] = field(default_factory=dict)
    patch: str = ""
    plain: bool = True  # every file it wrote is a regular file without the executable bit


def parse(out: str) -> Change:
    """Split the output of `git <ARGS> old new`: raw records (`:meta\\0path\\0`), numstat
    records (`added\\tremoved\\tpath\\0`), an empty record, then the patch text."""
    fields = out.split("\0")
    blobs: dict[str, str | None] = {}
    plain = True
    i = 0
    while i + 1 < len(fields) and fields[i].startswith(":"):
        # ":oldmode newmode oldsha newsha status"
        _old_mode, new_mode, _old_sha, new_sha, _status = fields[i][1:].split(" ")
        gone = new_mode in ("000000", _GITLINK)
        blobs[fields[i + 1]] = None if gone else new_sha
        plain = plain and new_mode in ("000000", "100644")
        i += 2
    added = removed = 0
    paths: list[str] = []
    while i < len(fields) and fields[i]:
        a, r, path = fields[i].split("\t", 2)
        # Binary files count "-" lines.
        added += int(a) if a.isdigit() else 0
        removed += int(r) if r.isdigit() else 0
        paths.append(path)
        i += 1
    return Change(added, removed, tuple(paths), blobs, "\0".join(fields[i + 1:]), plain)
