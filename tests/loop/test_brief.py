"""The brief's text for `hone ask` and the agent mutator (a contract: goal, objective, editable
files, history, tried ideas, lessons, what to do), built from typed sections."""

from __future__ import annotations

from hone.config.model import Config
from hone.loop.brief import build_brief
from hone.mutators.llm.lessons import lessons_section
from hone.records import Attempt, Status
from hone.sections import Audience, SectionKind

EXPECTED = """\
# Goal
Make it fast.

# Objective
Score: `score` (lower is better), measured by `python3 bench.py`.
Baseline (#0) scores 100; champion #1 scores 80 (+20.00% over baseline).
Your change starts from attempt #1 (score 80).
Gates that must pass first: `tests` (`pytest -q`).

# Files you may edit
- src/a.py

# Protected (never edit; an edit there is rejected)
- tests/**

# Recent attempts (oldest first)
| id | parent | status | score | vs parent | hypothesis |
|---|---|---|---|---|---|
| 1 | 0 | kept | 80 | +20.00% | cache the parse |
| 2 | 1 | failed | — |  | inline / loop |

# Why recent attempts failed
- #2 at stage `gate:tests`: tests failed
  ```
  E assert 1 == 2
  FAILED test_x
  ```

# Ideas already tried (do not repeat them)
- cache the parse [kept]
- inline | loop [failed]

# Lessons learnt in this run ([id +helpful/-harmful])
- [L1 +1/-0] caching pays

# What to do
Make one focused change that you expect to improve the score. Keep the code correct: the \
gates must pass. Prefer simple changes; say why you expect a gain.
Edit the files in place in `/w/slot0`; do not commit, hone does that.
"""


def brief_for_a_small_run() -> tuple[Config, list[Attempt]]:
    config = Config.model_validate({
        "run": {"goal": "Make it fast."},
        "objective": {"run": "python3 bench.py", "direction": "min"},
        "gates": [{"name": "tests", "run": "pytest -q"}],
        "files": {"editable": ["src/**"], "protect": ["tests/**"]}})
    history = [
        Attempt("r", 0, None, "c", Status.BASELINE, score=100.0),
        Attempt("r", 1, 0, "d", Status.KEPT, score=80.0, hypothesis="cache the parse"),
        Attempt("r", 2, 1, None, Status.FAILED, hypothesis="inline | loop", stage="gate:tests",
                reason="tests failed", log_tail="E assert 1 == 2\nFAILED test_x")]
    return config, history


def test_the_proposer_brief_reads_as_it_always_has() -> None:
    config, h = brief_for_a_small_run()
    lessons = lessons_section("- [L1 +1/-0] caching pays\n")
    assert lessons is not None
    brief = build_brief(config, h, h[1], h[1], ["src/a.py"], "/w/slot0", extra_sections=[lessons])
    assert brief.render() == EXPECTED
    assert [s.kind for s in brief.sections] == [
        SectionKind.GOAL, SectionKind.OBJECTIVE, SectionKind.EDITABLE, SectionKind.PROTECTED,
        SectionKind.HISTORY, SectionKind.FAILURES, SectionKind.IDEAS, SectionKind.LESSONS,
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
    assert "# Files you may edit\n- (none)\n" in text
    assert "Baseline (#0) scores 100; champion #0 scores 100.\n" in text
    assert "# Recent attempts" not in text and "# Ideas already tried" not in text
    assert "Edit the files in place" not in text  # no work folder given
