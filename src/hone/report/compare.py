"""What the report's compare view needs to diff any two attempts in the page, with no server:
the text of every file some attempt changed, each version once, and which version each attempt
has."""

from __future__ import annotations

from typing import Any

from hone.loop.view import RunView
from hone.vcs.git import Repo

# Past this many characters of file text the compare view is left out of a static report (the
# page stays small); `hone ui` and `hone diff A B` still compare.
MAX_CHARS = 4_000_000


def changed_files(engine: RunView) -> dict[str, Any]:
    """{"blobs": {sha: text}, "trees": {id: {path: sha or None}}} over the paths in which some
    attempt differs from the baseline; {"too_big": true} past MAX_CHARS, and binary files are
    left out ({"binary": [paths]})."""
    repo = engine.ws.repo
    commits = {a.id: a.commit for a in engine.history() if a.commit}
    listings = {i: repo.blobs(c) for i, c in commits.items()}
    base = listings.get(0, {})
    paths = sorted({p for listing in listings.values() for p in set(listing) | set(base)
                    if listing.get(p) != base.get(p)})
    blobs, binary = _texts(repo, _holders(listings, commits, paths))
    if blobs is None:
        return {"too_big": True}
    text_paths = [p for p in paths if p not in binary]
    return {"blobs": blobs, "binary": sorted(binary),
            "trees": {str(i): {p: listing.get(p) for p in text_paths}
                      for i, listing in listings.items()}}


def _holders(listings: dict[int, dict[str, str]], commits: dict[int, str],
             paths: list[str]) -> dict[str, tuple[str, str]]:
    """For each version (blob) of `paths`, a commit and path to read it at (the first)."""
    where: dict[str, tuple[str, str]] = {}
    for i, listing in listings.items():
        for path in paths:
            sha = listing.get(path)
            if sha is not None and sha not in where:
                where[sha] = (commits[i], path)
    return where


def _texts(repo: Repo, where: dict[str, tuple[str, str]]
           ) -> tuple[dict[str, str] | None, set[str]]:
    """Each blob's text, read at the (commit, path) given; None past MAX_CHARS. Also the paths
    of blobs that are not UTF-8 text."""
    blobs: dict[str, str] = {}
    binary: set[str] = set()
    size = 0
    for sha, (commit, path) in where.items():
        try:
            blobs[sha] = (repo.show_file(commit, path) or b"").decode("utf-8")
        except UnicodeDecodeError:
            binary.add(path)
            continue
        size += len(blobs[sha])
        if size > MAX_CHARS:
            return None, binary
    return blobs, binary
