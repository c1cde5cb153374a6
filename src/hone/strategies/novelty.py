"""Changes that do not repeat: duplicates (same normalised diff, or same code) are not evaluated
again. (Near-duplicate hypotheses are the llm mutator's check: `mutators/llm/ideas.py`.)"""

from __future__ import annotations

import hashlib

from hone.records import Attempt, Status
from hone.vcs.git import Repo

# Outcomes that do not count as "evaluated": the change never reached the verifier, or was
# cut short by hone itself, so seeing it again deserves a real evaluation.
_NOT_EVALUATED = {"propose", "edit", "merge", "interrupted", "internal", "rules"}
# How many times in all a change is verified while each try fails at a gate or times out: such a
# failure may be the machine's (a loaded test, a slow node), yet a deterministic proposer must
# not spend the run re-verifying one broken change.
TRIES = 3


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


def may_retry(attempt: Attempt) -> bool:
    """Whether the attempt failed in a way the machine may have caused rather than its code:
    a gate failed (and was not seen to be flaky: one that failed after passing on this code
    does break it) or a command timed out."""
    if attempt.status is not Status.FAILED:
        return False
    gate = attempt.stage.removeprefix("gate:")
    return attempt.stage == "timeout" or (gate != attempt.stage
                                          and all(f.gate != gate for f in attempt.flakes))


def find_duplicate(history: list[Attempt], attempt: Attempt, key: str, tree: str
                   ) -> Attempt | None:
    """The evaluated attempt whose code (tree) or change (normalised diff) this one repeats.
    A change whose every try failed as `may_retry` says is verified again, up to `TRIES`
    tries in all (then the last is the one it repeats).

    A merge is compared by its code only: its diff against the first parent is the other
    lineage's change, which was evaluated on another base on purpose."""
    retried: list[Attempt] = []
    for a in history:
        if a.id == attempt.id or not evaluated(a):
            continue
        same_code = bool(tree) and a.lineage.tree == tree
        same_change = (attempt.parent2 is None and a.parent2 is None and bool(key)
                       and a.lineage.diff_key == key)
        if not (same_code or same_change):
            continue
        if not may_retry(a):
            return a
        retried.append(a)
    return retried[-1] if len(retried) >= TRIES else None
