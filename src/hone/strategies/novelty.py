"""Ideas that do not repeat: duplicate changes (same normalised diff, or same code) and
near-duplicate hypotheses (cheap text similarity against every tried idea)."""

from __future__ import annotations

import difflib
import hashlib
import re

from hone.records import Attempt, Status
from hone.vcs.git import Repo, git

# Outcomes that do not count as "evaluated": the change never reached the verifier, or was
# cut short by hone itself, so seeing it again deserves a real evaluation.
_NOT_EVALUATED = {"propose", "merge", "interrupted", "internal", "rules"}


def diff_key(repo: Repo, old: str, new: str) -> str:
    """A hash of the change from `old` to `new` that ignores line numbers, context, whitespace
    inside lines and blank lines, so the same edit made from another parent hashes the same."""
    out = git("diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", old, new,
              cwd=repo.root)
    kept: list[str] = []
    for line in out.splitlines():
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
        if a.extra.get("tree") == tree:
            return a
        if attempt.parent2 is None and a.parent2 is None and a.extra.get("diff_key") == key:
            return a
    return None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s.]", " ", text.lower()).replace(". ", " ").split()


def similar_idea(hypothesis: str, history: list[Attempt], threshold: float
                 ) -> Attempt | None:
    """The most similar tried hypothesis when it is at least `threshold` alike (0..1, by word
    sequence) and names the same numbers: "set N to 8" after "set N to 4" is a new point."""
    mine = words(hypothesis)
    if not mine:
        return None
    numbers = sorted(_NUMBER.findall(hypothesis))
    best: tuple[float, Attempt | None] = (0.0, None)
    for a in history:
        theirs = words(a.hypothesis)
        if a.id == 0 or not theirs or a.status is Status.RUNNING:
            continue
        if sorted(_NUMBER.findall(a.hypothesis)) != numbers:
            continue
        matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
        if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue
        ratio = matcher.ratio()
        if ratio >= threshold and ratio > best[0]:
            best = (ratio, a)
    return best[1]


def already_tried(answer: str, twin: Attempt) -> str:
    """The message that sends a near-duplicate idea back to the model."""
    score = "" if twin.score is None else f", score {twin.score:.6g}"
    return (f"## Your answer was\n{answer.strip()}\n\n## already tried: #{twin.id} "
            f"\"{' '.join(twin.hypothesis.split())[:300]}\" ({twin.status.value}{score}).\n"
            "Propose a different idea, not a variation of this one, in the same format.")


def duplicate_notes(history: list[Attempt], limit: int = 5) -> list[str]:
    """Lines telling the proposer which of its recent proposals repeated a tried change."""
    dups = [a for a in history if a.status is Status.DUPLICATE][-limit:]
    return [f"- #{a.id} was not evaluated: {a.reason}. Hypothesis was: "
            f"{' '.join(a.hypothesis.split())[:160]}" for a in dups]
