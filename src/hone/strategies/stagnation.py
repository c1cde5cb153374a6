"""Stagnation: no score gain in `patience` attempts switches the proposer to exploration.

Stagnation counts from the last attempt that raised the score: a champion kept as a
simplification (less code, score held) or by a tie-breaker is welcome, but it is not progress
on the objective, so it does not switch exploration off.

The actions take turns while the run stays stuck: `verbalized` (the brief asks for several
hypotheses, each with the model's own probability, and for one from the unlikely tail),
`temperature` (the llm mutator samples hotter, see `mutators/llm/ideas.py`) and `near_miss`
(the parent becomes a recent near-miss). The action that fired is recorded with the attempt as
`explore` and reaches the mutator as the hint `explore`.
"""

from __future__ import annotations

from hone.config.model import SearchSection
from hone.records import Attempt, Status
from hone.sections import Section, SectionKind

EXPLORE_TITLE = "Explore: the search is stuck"

VERBALIZED = """\
No score gain in the last {stuck} attempts. Before the `Hypothesis:` line, list five quite \
different hypotheses, one per line as `Candidate (p=0.25): ...`, where p is your own estimate \
of the probability that the hypothesis improves the score (the five need not sum to 1). Then \
implement ONE candidate from the unlikely tail (the lowest p, or any with p < 0.15): give it as \
the `Hypothesis:` line followed by its edits; avoid the obvious tweaks already tried."""

STUCK = """\
No score gain in the last {stuck} attempts. {detail} Prefer a kind of change that has \
not been tried yet over another variation of the recent ones."""


def gained_score(a: Attempt) -> bool:
    """A kept attempt that raised the score (not one kept as a simplification or by a
    tie-breaker; a keep recorded without `kept_as` was a gain)."""
    if a.status is not Status.KEPT:
        return False
    kind = a.decision.kept_as if a.decision is not None else None
    return kind in (None, "gain")


def stuck_for(history: list[Attempt], champion: Attempt) -> int:
    """Decided attempts since the last score gain (the baseline when none; duplicates are not
    attempts at the objective, so they do not count). `champion` bounds it from below, for
    histories that show the champion but not the attempts before it."""
    last = max([champion.id if gained_score(champion) else 0,
                *(a.id for a in history if gained_score(a))])
    return sum(1 for a in history if a.id > last and a.status.decided
               and a.status is not Status.DUPLICATE)


def exploration(history: list[Attempt], champion: Attempt, search: SearchSection,
                have_near_miss: bool) -> tuple[str, int] | None:
    """(action, attempts stuck) when the run is stagnant, else None."""
    stuck = stuck_for(history, champion)
    if not search.patience or stuck < search.patience or not search.explore:
        return None
    actions = [a for a in search.explore if a != "near_miss" or have_near_miss]
    if not actions:
        return None
    return actions[(stuck - search.patience) % len(actions)], stuck


def brief_section(action: str, stuck: int, parent: Attempt) -> Section:
    """What the brief asks of an exploring attempt, by action."""
    if action == "verbalized":
        text = VERBALIZED.format(stuck=stuck)
    elif action == "near_miss":
        detail = (f"This attempt starts from #{parent.id}, a near-miss (score "
                  f"{parent.score:.6g}), not from the champion.")
        text = STUCK.format(stuck=stuck, detail=detail)
    else:
        text = STUCK.format(stuck=stuck, detail="Take a bolder step than the recent attempts.")
    return Section(SectionKind.EXPLORE, EXPLORE_TITLE, (text,))
