"""Changes that do not repeat: duplicates (same normalised diff, or same code) are not evaluated
again. (Near-duplicate hypotheses are the llm mutator's check: `mutators/llm/ideas.py`.)"""

from __future__ import annotations

import hashlib

from hone.records import Attempt, Status
from hone.vcs.git import Repo

# Outcomes that do not count as "evaluated": the change never reached the verifier, or was
# cut short by hone itself, so seeing it again deserves a real evaluation.
_NOT_EVALUATED = {"propose", "merge", "interrupted", "internal", "rules"}


def diff_key(repo: Repo, old: str, new: str) -> str:
    """A hash of the change from `old` to `new` that ignores line numbers, context, whitespace
    inside lines and blank lines, so the same edit made from another parent hashes the same.
    Read from `Repo.change`'s context-free patch: the loop has just asked for it (line counts,
    paths), so the key costs no git process of its own."""
    return patch_key(repo.change(old, new).patch)


def patch_key(patch: str) -> str:
    """The key of a patch without context lines (`git diff -U0`): its file headers and changed
    lines, each with runs of whitespace made one space, blank changed lines left out. Keys
    already in journals were made from the same lines, so they still match."""
    kept: list[str] = []
    for line in patch.splitlines():
        if line.startswith(("+++ ", "--- ")):
            kept.append(line)
        elif line.startswith(("+", "-")):
            body = " ".join(line[1:].split())
            if body:
                kept.append(line[0] + body)
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()[:32]


def evaluated(attempt: Attempt) -> bool:
    """Whether the attempt's code was measured (or failed a gate or the objective)."""
    if attempt.status in (Status.BASELINE, Status.KEPT, Status.DISCARDED):
        return True
    return attempt.status is Status.FAILED and attempt.stage not in _NOT_EVALUATED


def find_duplicate(history: list[Attempt], attempt: Attempt, key: str, tree: str
                   ) -> Attempt | None:
    """The evaluated attempt whose code (tree) or change (normalised diff) this one repeats.

    A merge is compared by its code only: its diff against the first parent is the other
    lineage's change, which was evaluated on another base on purpose."""
    for a in history:
        if a.id == attempt.id or not evaluated(a):
            continue
        if tree and a.lineage.tree == tree:
            return a
        if attempt.parent2 is None and a.parent2 is None and key and a.lineage.diff_key == key:
            return a
    return None
