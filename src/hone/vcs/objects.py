"""Read git's loose objects straight from disk, so the loop spares a git process per lookup.

Every commit hone makes (and every blob it hashes) is a loose object until git packs it: a zlib
stream of `<kind> <size>\\0<body>` under `objects/xy/z...`. Anything else (a packed object, an
alternate object store, an object directory set by the environment) answers None and the caller
asks git instead, so this is a shortcut, never a second source of truth.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

_HEX = frozenset("0123456789abcdef")


def is_sha(name: str) -> bool:
    """Whether `name` is a full object id (SHA-1 or SHA-256), not a ref or a revision."""
    return len(name) in (40, 64) and set(name) <= _HEX


def read_loose(objects: Path, sha: str) -> tuple[str, bytes] | None:
    """(kind, body) of the loose object `sha` in the object directory `objects`, or None."""
    if not is_sha(sha) or os.environ.get("GIT_OBJECT_DIRECTORY"):
        return None
    try:
        raw = zlib.decompress((objects / sha[:2] / sha[2:]).read_bytes())
    except (OSError, zlib.error):
        return None
    header, sep, body = raw.partition(b"\0")
    kind, _, size = header.partition(b" ")
    if not sep or not size.isdigit() or int(size) != len(body):
        return None  # not an object as git writes them: let git answer
    return kind.decode("ascii", "replace"), body


def commit_tree(objects: Path, commit: str) -> str | None:
    """The tree id of the loose commit `commit`, or None (not loose, not a commit)."""
    found = read_loose(objects, commit)
    if found is None or found[0] != "commit" or not found[1].startswith(b"tree "):
        return None
    tree = found[1][5:found[1].find(b"\n")].decode("ascii", "replace")
    return tree if is_sha(tree) else None


def blob(objects: Path, sha: str) -> bytes | None:
    """The content of the loose blob `sha`, or None."""
    found = read_loose(objects, sha)
    return found[1] if found is not None and found[0] == "blob" else None
