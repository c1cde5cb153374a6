"""What the report's compare view needs to diff any two attempts in the page, with no server:
the text of every file some attempt changed, each version once, and which version each attempt
has."""

from __future__ import annotations

from typing import Any

from hone.loop.view import RunView

# Past this many characters of file text the compare view is left out of a static report (the
# page stays small); `hone ui` and `hone diff A B` still compare.
MAX_CHARS = 4_000_000


def changed_files(engine: RunView) -> dict[str, Any]:
    """{"blobs": {sha: text}, "trees": {id: {path: sha or None}}} over the paths in which some
    attempt differs from the baseline; {"too_big": true} past MAX_CHARS, and binary files are
    left out ({"binary": [paths]})."""
    repo = engine.ws.repo
    attempts = [a for a in engine.history() if a.commit]
    listings = {a.id: repo.blobs(a.commit) for a in attempts if a.commit}
    base = listings.get(0, {})
    paths = sorted({p for listing in listings.values()
                    for p in set(listing) ^ set(base) | {
                        q for q, sha in listing.items() if base.get(q) != sha}})
    blobs: dict[str, str] = {}
    binary: set[str] = set()
    size = 0
    for a in attempts:
        assert a.commit is not None
        for path in paths:
            sha = listings[a.id].get(path)
            if sha is None or sha in blobs or path in binary:
                continue
            data = repo.show_file(a.commit, path) or b""
            try:
                blobs[sha] = data.decode("utf-8")
            except UnicodeDecodeError:
                binary.add(path)
                continue
            size += len(blobs[sha])
            if size > MAX_CHARS:
                return {"too_big": True}
    text_paths = [p for p in paths if p not in binary]
    return {"blobs": blobs, "binary": sorted(binary),
            "trees": {str(i): {p: listing.get(p) for p in text_paths}
                      for i, listing in listings.items()}}
