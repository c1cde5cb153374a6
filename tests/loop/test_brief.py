"""The brief's text for `hone ask` and the agent mutator (a contract: goal, objective with its
thresholds, editable files, every attempt with why it ended, lessons, what to do), built from
typed sections."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import hone.loop.brief as brief_module
from hone.config.model import Config
from hone.decide.noise import NoiseFloor
from hone.direction import Direction
from hone.loop.brief import RememberedRows, build_brief
from hone.mutators.llm.lessons import lessons_section
from hone.records import Attempt, Measurement, Noise, Status
from hone.sections import Audience, SectionKind

EXPECTED = """\
# Goal
Make it fast.

# Objective
Score: `score` (lower is better), measured by `python3 bench.py`.
Baseline (#0) scores 100; champion #1 scores 80 (+20.00% over baseline).
Your change starts from attempt #1 (score 80).
Gates that must pass first: `tests` (`pytest -q`).
The objective is noisy (runs vary by 2.00%): a change is kept when it is better by at least \
min_effect 1.00%, significant at 95% (re-measured up to 16 times); a change that removes code \
(fewer lines, or less branching) is kept when its score holds within noise.
One run of the objective takes about 1.5 s (timeout 10 min).

# Files you may edit
New files are allowed too, where they match an editable pattern: `src/**`.
- src/a.py

# Protected (never edit; an edit there is rejected)
- tests/**

# Attempts so far (oldest first): status at score (change against the parent): what it tried; \
why it ended
- #1 (from #0) kept at 80 (+20.00%): cache the parse; why: better: +20.00% \
[+15.00%, +25.00%], significant and at least min_effect 1.00%
- #2 (from #1) failed: inline | loop; why: gate:tests exited with code 1: E assert 1 == 2
- #3 (from #1) discarded at 79.9 (+0.12%): unroll; why: tried: +0.12% < \
min_effect 1.00%: the interval [-0.50%, +0.70%] excludes it

# Logs of the last failures
- #2 at stage `gate:tests`: gate:tests exited with code 1
  ```
  E assert 1 == 2
  FAILED test_x
  ```

# Lessons learnt in this run ([id +helpful/-harmful])
- [L1 +1/-0] caching pays

# What to do
Make one focused change that you expect to improve the score. Keep the code correct: the \
gates must pass. Prefer simple changes; say why you expect a gain. Every idea in the history \
was tried, none is forbidden: take one up again only with a change that addresses why it ended \
(the metric it lost on, the check that failed it).
Edit the files in place in `/w/slot0`; do not commit, hone does that.
"""


def brief_for_a_small_run() -> tuple[Config, list[Attempt]]:
    config = Config.model_validate({
        "run": {"goal": "Make it fast."},
        "objective": {"run": "python3 bench.py", "direction": "min"},
        "gates": [{"name": "tests", "run": "pytest -q"}],
        "files": {"editable": ["src/**"], "protect": ["tests/**"]}})
    floor = NoiseFloor(5, 100.0, 2.0, 0.02, False, 1.5).to_json()
    history = [
        Attempt("r", 0, None, "c", Status.BASELINE, score=100.0, noise=Noise(floor)),
        Attempt("r", 1, 0, "d", Status.KEPT, score=80.0, hypothesis="cache the parse",
                reason="better: +20.00% [+15.00%, +25.00%], significant and at least "
                       "min_effect 1.00%"),
        Attempt("r", 2, 1, None, Status.FAILED, hypothesis="inline | loop", stage="gate:tests",
                reason="gate:tests exited with code 1",
                log_tail="E assert 1 == 2\nFAILED test_x"),
        Attempt("r", 3, 1, "e", Status.DISCARDED, score=79.9, hypothesis="unroll",
                reason="+0.12% < min_effect 1.00%: the interval [-0.50%, +0.70%] excludes it")]
    return config, history


def test_the_proposer_brief_reads_as_it_always_has() -> None:
    config, h = brief_for_a_small_run()
    lessons = lessons_section("- [L1 +1/-0] caching pays\n")
    assert lessons is not None
    brief = build_brief(config, h, h[1], h[1], ["src/a.py"], "/w/slot0", extra_sections=[lessons])
    assert brief.render() == EXPECTED
    assert [s.kind for s in brief.sections] == [
        SectionKind.GOAL, SectionKind.OBJECTIVE, SectionKind.EDITABLE, SectionKind.PROTECTED,
        SectionKind.HISTORY, SectionKind.FAILURES, SectionKind.LESSONS,
        SectionKind.TASK]


def test_the_llm_audience_gets_the_same_sections_but_lessons_and_task() -> None:
    config, h = brief_for_a_small_run()
    lessons = lessons_section("- [L1 +1/-0] caching pays")
    assert lessons is not None
    brief = build_brief(config, h, h[1], h[1], ["src/a.py"], extra_sections=[lessons])
    text = brief.render(Audience.LLM_PROMPT)
    assert text == EXPECTED.split("\n# Lessons learnt")[0]
    assert "caching pays" not in text and "# What to do" not in text


def test_a_run_without_attempts_or_files_says_so() -> None:
    config, h = brief_for_a_small_run()
    text = build_brief(config, h[:1], h[0], h[0], []).render()
    assert "# Files you may edit\nNew files are allowed too, where they match an editable " \
           "pattern: `src/**`.\n- (none)\n" in text
    assert "Baseline (#0) scores 100; champion #0 scores 100.\n" in text
    assert "# Attempts so far" not in text and "# Logs of the last failures" not in text
    assert "Edit the files in place" not in text  # no work folder given


def _history_items(config: Config, history: list[Attempt], runs: list[Measurement]
                   ) -> tuple[str, ...]:
    brief = build_brief(config, history, history[1], history[1], ["src/a.py"],
                        measurements=runs)
    return next(s.items for s in brief.sections if s.kind is SectionKind.HISTORY)


def test_remembered_rows_are_those_a_fresh_render_gives_after_every_change(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are remembered by the identity of what they are made of: a changed record, a
    parent changed under it, a run added or another config renders them again."""
    config, history = brief_for_a_small_run()
    runs = [Measurement(0, 1, 100.0, {"score": 100.0, "ms": 10.0}),
            Measurement(1, 1, 80.0, {"score": 80.0, "ms": 8.0})]
    calls: list[int] = []
    real = brief_module.history_row

    def counted(a: Attempt, *args: Any, **kwargs: Any) -> str:
        calls.append(a.id)
        return real(a, *args, **kwargs)

    monkeypatch.setattr(brief_module, "history_row", counted)
    monkeypatch.setattr(brief_module, "ROWS", RememberedRows())

    def fresh(config: Config, history: list[Attempt], runs: list[Measurement]
              ) -> tuple[str, ...]:
        with monkeypatch.context() as m:
            m.setattr(brief_module, "ROWS", RememberedRows())
            return _history_items(config, history, runs)

    first = _history_items(config, history, runs)
    assert sorted(calls) == [1, 2, 3]
    calls.clear()
    assert _history_items(config, history, runs) == first
    assert calls == []  # nothing changed: nothing rendered

    history[3] = replace(history[3], reason="a new reason")  # a record changed
    runs = [*runs, Measurement(1, 2, 80.0, {"score": 80.0, "ms": 6.0})]  # #1 ran again
    calls.clear()
    changed = _history_items(config, history, runs)
    # #1's runs changed (its metrics) and so did #2's and #3's parent's; #3's record too
    assert sorted(calls) == [1, 2, 3]
    assert changed == fresh(config, history, runs) != first

    history[2] = replace(history[2], hypothesis="inline it")  # one record, nothing else
    calls.clear()
    one = _history_items(config, history, runs)
    assert calls == [2]
    assert one == fresh(config, history, runs)

    history[1] = replace(history[1], score=70.0)  # a parent's record changed under #2, #3
    calls.clear()
    again = _history_items(config, history, runs)
    assert sorted(calls) == [1, 2, 3]
    assert again == fresh(config, history, runs)

    other = config.model_copy(update={"objective": config.objective.model_copy(
        update={"direction": Direction.MAX})})
    calls.clear()
    flipped = _history_items(other, history, runs)
    assert sorted(calls) == [1, 2, 3]
    assert flipped == fresh(other, history, runs) != again
