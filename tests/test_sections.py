"""The brief as typed sections: rendering, audiences by kind, trimming oldest items first."""

from __future__ import annotations

from hone.sections import Audience, Brief, Section, SectionKind

IDEAS = Section(SectionKind.IDEAS, "Ideas already tried", items=tuple(f"idea {i}" for i in
                                                                      range(1, 41)), noun="ideas")
BRIEF = Brief((
    Section(SectionKind.GOAL, "Goal", ("Be fast.",)),
    IDEAS,
    Section(SectionKind.LESSONS, "Lessons", ("- [L1 +1/-0] cache it",)),
    Section(SectionKind.TASK, "What to do", ("Make one change.",)),
))


def test_a_proposer_reads_every_section_in_order() -> None:
    text = BRIEF.render(Audience.PROPOSER)
    assert text.startswith("# Goal\nBe fast.\n\n# Ideas already tried\n- idea 1\n- idea 2\n")
    assert text.endswith("\n\n# Lessons\n- [L1 +1/-0] cache it\n\n# What to do\n"
                         "Make one change.\n")
    assert BRIEF.render() == text  # the proposer is the default audience


def test_the_llm_prompt_audience_leaves_out_lessons_and_task_by_kind() -> None:
    renamed = Brief(tuple(Section(s.kind, f"Renamed {s.title}", s.lines, s.items)
                          for s in BRIEF.sections))
    for brief in (BRIEF, renamed):  # the title plays no part
        text = brief.render(Audience.LLM_PROMPT)
        assert "cache it" not in text and "Make one change." not in text
        assert "Be fast." in text and "- idea 40" in text
    assert [s.kind for s in BRIEF.for_audience(Audience.LLM_PROMPT).sections] == [
        SectionKind.GOAL, SectionKind.IDEAS]


def test_ideas_are_trimmed_oldest_first_until_the_text_fits() -> None:
    full = BRIEF.render(Audience.LLM_PROMPT)
    limit = len(full) - 60
    trimmed = BRIEF.trimmed(SectionKind.IDEAS, lambda text: len(text) <= limit,
                            Audience.LLM_PROMPT)
    text = trimmed.render(Audience.LLM_PROMPT)
    assert len(text) <= limit
    ideas = next(s for s in trimmed.sections if s.kind is SectionKind.IDEAS)
    assert ideas.items == IDEAS.items[ideas.omitted:]  # the newest kept, in order
    assert 0 < ideas.omitted < 40
    assert f"- ({ideas.omitted} older ideas not shown)\n- idea {ideas.omitted + 1}\n" in text
    assert "- idea 40\n" in text and "- idea 1\n" not in text
    # the other sections are untouched, and the lessons stay for the proposer
    assert trimmed.sections[0] == BRIEF.sections[0]
    assert "cache it" in trimmed.render(Audience.PROPOSER)


def test_a_brief_that_fits_is_not_trimmed_and_an_impossible_budget_empties_the_list() -> None:
    assert BRIEF.trimmed(SectionKind.IDEAS, lambda text: True) == BRIEF
    empty = BRIEF.trimmed(SectionKind.IDEAS, lambda text: False)
    ideas = next(s for s in empty.sections if s.kind is SectionKind.IDEAS)
    assert ideas.items == () and ideas.omitted == 40
    assert "- (40 older ideas not shown)" in empty.render()
    assert Brief().render() == "" and not Brief()
