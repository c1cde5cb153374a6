"""The plan of the next attempt: the strategy's parent, or a merge of two lineages, with the
exploration action, the category and the notes for the brief. A pure function of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hone.config.model import Config
from hone.records import Attempt, Hints
from hone.sections import Section, SectionKind
from hone.strategies.base import Strategy
from hone.strategies.merge import next_pair
from hone.strategies.pool import near_misses, rng_for
from hone.strategies.stagnation import brief_section, exploration


@dataclass(frozen=True)
class Plan:
    parent: Attempt
    parent2: Attempt | None = None
    hints: Hints = field(default_factory=Hints)  # recorded with the attempt, shown to the proposer
    notes: dict[str, Any] = field(default_factory=dict)  # recorded with the attempt

    @property
    def is_merge(self) -> bool:
        return self.parent2 is not None


def plan_attempt(strategy: Strategy, config: Config, history: list[Attempt], champion: Attempt,
                 attempt_id: int, merges: bool = True) -> Plan:
    search, direction = config.search, config.objective.direction
    chosen = strategy.select(history, champion, attempt_id)
    hints, notes = chosen.hints, dict(chosen.notes)
    if chosen.parent2 is not None and merges:
        return Plan(chosen.parent, chosen.parent2, hints, notes)
    if merges and strategy.merges and search.merge:
        pair = next_pair(history, champion, search, direction, attempt_id)
        if pair is not None:
            return Plan(pair[0], pair[1], hints, notes)
    parent = chosen.parent
    near = near_misses(history, champion, search.near_miss)
    explore = exploration(history, champion, search, bool(near))
    if explore is not None:
        action, stuck = explore
        hints = replace(hints, explore=action, stuck=stuck)
        if action == "near_miss":
            parent = rng_for(history, attempt_id, "near-miss").choice(near)
    if search.categories:
        hints = replace(hints, category=search.categories[attempt_id % len(search.categories)])
    return Plan(parent, None, hints, notes)


def brief_sections(config: Config, history: list[Attempt], attempt: Attempt, parent: Attempt
                   ) -> list[Section]:
    """What the brief adds for this attempt: exploration, category. (A repeated proposal is
    in the history, marked `duplicate` and "not evaluated", not in a second list.)"""
    out = []
    action = attempt.hints.explore
    if action is not None:
        out.append(brief_section(action, attempt.hints.stuck or 0, parent))
    category = attempt.hints.category
    if category is not None:
        out.append(Section(SectionKind.FOCUS, "Focus of this attempt", (
            f"Make a change of the category `{category}` (categories rotate across attempts: "
            f"{', '.join(config.search.categories)}).",)))
    return out
