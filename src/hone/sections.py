"""The brief as typed sections, rendered for an audience.

A `Brief` is a tuple of `Section`s, each with a `SectionKind`. `hone ask` and the `agent`
mutator read every section (`Audience.PROPOSER`); the llm prompt (`Audience.LLM_PROMPT`) leaves
out what it supplies itself (fresh lessons, the answer format) by kind, and trims the tried ideas
to its token budget by dropping whole items, oldest first. Nothing edits rendered text afterwards.
A leaf: it imports nothing from hone, so that loop, mutators and strategies can all build sections.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace


class SectionKind(enum.Enum):
    """What a section is about; audiences and trimming choose sections by kind, never by title."""

    GOAL = "goal"
    OBJECTIVE = "objective"
    EDITABLE = "editable"
    PROTECTED = "protected"
    HISTORY = "history"
    FAILURES = "failures"
    IDEAS = "ideas"
    LESSONS = "lessons"
    REPEATS = "repeats"
    EXPLORE = "explore"
    FOCUS = "focus"
    SIMPLIFY = "simplify"
    REPAIR = "repair"  # this attempt repairs a failed one: what broke (loop/repair.py)
    TASK = "task"  # "What to do": the llm prompt says it again with its answer format


class Audience(enum.Enum):
    """Who reads the rendered brief."""

    PROPOSER = "proposer"  # `hone ask`'s brief file and the agent mutator: every section
    LLM_PROMPT = "llm_prompt"  # the llm mutator's prompt, which adds lessons and the task itself


# The llm prompt supplies these itself: the lessons as the mutator has just updated them, and
# the task together with the answer format at the end of the prompt.
_LEFT_OUT: dict[Audience, frozenset[SectionKind]] = {
    Audience.PROPOSER: frozenset(),
    Audience.LLM_PROMPT: frozenset({SectionKind.LESSONS, SectionKind.TASK}),
}


@dataclass(frozen=True)
class Section:
    """One `# title` section: prose `lines`, then `items` as a `- item` list, oldest first.

    `omitted` counts items dropped to fit a budget; the rendering says so in place of them.
    """

    kind: SectionKind
    title: str
    lines: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    omitted: int = 0
    noun: str = "items"  # what an item is, for the note on omitted items

    def render(self) -> str:
        note = [f"- ({self.omitted} older {self.noun} not shown)"] if self.omitted else []
        return "\n".join([f"# {self.title}", *self.lines, *note,
                          *(f"- {item}" for item in self.items)])

    def drop_oldest(self, count: int) -> Section:
        """The section without its `count` oldest items."""
        count = min(count, len(self.items))
        return replace(self, items=self.items[count:], omitted=self.omitted + count)


@dataclass(frozen=True)
class Brief:
    """The sections of a brief, in reading order."""

    sections: tuple[Section, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sections)

    def for_audience(self, audience: Audience) -> Brief:
        left_out = _LEFT_OUT[audience]
        return Brief(tuple(s for s in self.sections if s.kind not in left_out))

    def render(self, for_: Audience = Audience.PROPOSER) -> str:
        """The markdown text: sections separated by a blank line, ending with a newline."""
        shown = self.for_audience(for_).sections
        return "\n\n".join(s.render() for s in shown) + "\n" if shown else ""

    def with_section(self, section: Section) -> Brief:
        return Brief((*self.sections, section))

    def trimmed(self, kind: SectionKind, fits: Callable[[str], bool],
                for_: Audience = Audience.PROPOSER) -> Brief:
        """The brief with the oldest items of the `kind` sections dropped (an eighth at a time)
        until `fits` accepts its rendering for `for_`, or no item is left."""
        brief = self
        while not fits(brief.render(for_)):
            items = sum(len(s.items) for s in brief.sections if s.kind is kind)
            if not items:
                break
            step = max(1, items // 8)
            brief = Brief(tuple(s.drop_oldest(step) if s.kind is kind else s
                                for s in brief.sections))
        return brief
