"""The sections an attempt's brief adds to the common ones (`loop/brief.py`): the run's lessons,
the ideas carried over from a rebased run, the search plan's notes, the simplification mode and
a repair's quoted failure."""

from __future__ import annotations

from hone.complexity.quality import Quality
from hone.loop.rebase import carried_sections
from hone.loop.repair import repair_sections
from hone.loop.view import RunView
from hone.mutators.llm.lessons import brief_sections as lesson_sections
from hone.records import Attempt
from hone.sections import Section
from hone.strategies.plan import brief_sections as search_sections


def extra_sections(view: RunView, quality: Quality, history: list[Attempt], attempt: Attempt,
                   parent: Attempt) -> list[Section]:
    """What `attempt`'s brief adds, from what it may see (`history`), in a fixed order."""
    return (lesson_sections(view.ws.dir, view.run) + carried_sections(view.ws, view.run)
            + search_sections(view.ws.config, history, attempt, parent)
            + quality.brief_sections() + repair_sections(view, attempt))
