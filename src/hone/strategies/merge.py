"""Merging lineages (crossover): pick two lineages that improved apart, and merge them.

`next_pair` is a pure function of the history: two attempts that each improved on their parent,
neither an ancestor of the other, not merged together before. `apply_merge` performs the
three-way merge of their commits over the merge base in the attempt's worktree (checked out at
the first), so the commit hone makes has both as parents; a conflicting merge is not attempted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hone.config.model import SearchSection
from hone.direction import Direction
from hone.mutators.base import Proposal
from hone.records import Attempt
from hone.strategies.pool import best_first, can_parent
from hone.vcs.git import GitError, Repo, git


def ancestors(attempt: Attempt, by_id: dict[int, Attempt]) -> set[int]:
    """Ids of every attempt the given one descends from (both parents of merges), itself too."""
    seen: set[int] = set()
    todo = [attempt.id]
    while todo:
        i = todo.pop()
        if i in seen or i not in by_id:
            continue
        seen.add(i)
        a = by_id[i]
        todo += [p for p in (a.parent, a.parent2) if p is not None]
    return seen


def improvements(history: list[Attempt], direction: Direction) -> list[Attempt]:
    """Measured attempts that scored better than their (best) parent."""
    by_id = {a.id: a for a in history}
    out = []
    for a in history:
        parents = [by_id.get(p) for p in (a.parent, a.parent2) if p is not None]
        scores = [p.score for p in parents if p is not None and p.score is not None]
        if a.id and can_parent(a) and scores and all(
                direction.better(a.score or 0.0, s) for s in scores):
            out.append(a)
    return out


def next_pair(history: list[Attempt], champion: Attempt, search: SearchSection,
              direction: Direction, attempt_id: int) -> tuple[Attempt, Attempt] | None:
    """The two lineages to merge now (best first), or None.

    At most one merge every `merge_every` attempts; candidates are the champion and the best
    `population` improvements; the pair with the best members wins."""
    merges = [a for a in history if a.parent2 is not None]
    if merges and attempt_id - merges[-1].id < search.merge_every:
        return None
    by_id = {a.id: a for a in history}
    tried = {frozenset((a.parent, a.parent2)) for a in merges}
    lines = {a.id: ancestors(a, by_id) for a in history}
    pool = best_first([a for a in improvements(history, direction) if a.id != champion.id],
                      direction)[:search.population]
    pool = [champion, *pool] if can_parent(champion) else pool
    for i, x in enumerate(pool):
        for y in pool[i + 1:]:
            if _mergeable(x, y, lines, tried):
                return x, y
    return None


def _mergeable(x: Attempt, y: Attempt, lines: dict[int, set[int]],
               tried: set[frozenset[int | None]]) -> bool:
    """Neither descends from the other, they were not merged before, and no attempt descends
    from both (already combined)."""
    if x.id in lines[y.id] or y.id in lines[x.id] or frozenset((x.id, y.id)) in tried:
        return False
    return not any(x.id in anc and y.id in anc for anc in lines.values())


def apply_merge(repo: Repo, workdir: Path, ours: Attempt, theirs: Attempt) -> Proposal:
    """Merge `theirs` into the worktree at `ours` (not committed); a failed Proposal on
    conflict, with the conflicted paths."""
    assert ours.commit is not None and theirs.commit is not None
    hypothesis = (f"merge #{ours.id} and #{theirs.id}: "
                  f"{_first_line(ours.hypothesis)} + {_first_line(theirs.hypothesis)}")
    tree, conflicts = repo.merge_tree(ours.commit, theirs.commit)
    notes: dict[str, Any] = {"merge": [ours.id, theirs.id]}
    if tree is None:
        return Proposal(hypothesis, failure="merge conflict in " + ", ".join(conflicts[:10]),
                        notes={**notes, "merge_conflicts": conflicts})
    try:
        git("merge", "--no-ff", "--no-commit", "--no-edit", theirs.commit, cwd=workdir)
    except GitError as exc:
        return Proposal(hypothesis, failure=str(exc), notes=notes)
    return Proposal(hypothesis, notes=notes)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "(no hypothesis)"
    return line[:60]
