"""The brief: what a proposer (agent, person, LLM) needs to know to make the next change.

A typed `Brief` (`hone.sections`): rendered whole, it is the `agent` mutator's prompt and
`hone ask`'s brief file; the `llm` prompt renders it for its own audience. It never mentions
the holdout.
"""

from __future__ import annotations

from hone.config.model import Config
from hone.direction import Direction, fmt_gain
from hone.loop.outcome import judging_lines, why
from hone.records import Attempt, Status
from hone.sections import Brief, Section, SectionKind


def fmt(score: float | None) -> str:
    return "—" if score is None else f"{score:.6g}"


def vs_parent(attempt: Attempt, by_id: dict[int, Attempt], direction: Direction) -> float | None:
    """The attempt's gain over its (first) parent (`Direction.gain`: positive = better)."""
    parent = by_id.get(attempt.parent) if attempt.parent is not None else None
    return direction.gain(attempt.score, parent.score if parent else None)


def vs_baseline(attempt: Attempt, by_id: dict[int, Attempt], direction: Direction
                ) -> float | None:
    """The attempt's gain over the baseline (#0)."""
    baseline = by_id.get(0)
    return direction.gain(attempt.score, baseline.score if baseline else None)


def _objective(config: Config, by_id: dict[int, Attempt], champion: Attempt, parent: Attempt
               ) -> Section:
    baseline = by_id.get(0)
    direction = config.objective.direction
    gain = fmt_gain(vs_baseline(champion, by_id, direction)) if champion.id != 0 else ""
    lines = [
        f"Score: `{config.objective.score}` ({direction.wording}), "
        f"measured by `{config.objective.run}`.",
        f"Baseline (#0) scores {fmt(baseline.score if baseline else None)}; "
        f"champion #{champion.id} scores {fmt(champion.score)}"
        + (f" ({gain} over baseline)." if gain else "."),
        f"Your change starts from attempt #{parent.id} (score {fmt(parent.score)}).",
    ]
    if config.gates:
        lines.append("Gates that must pass first: "
                     + ", ".join(f"`{g.name}` (`{g.run}`)" for g in config.gates) + ".")
    lines += judging_lines(config, baseline)
    if parent.feedback:
        lines += [f"The objective's feedback on #{parent.id}, your starting point:",
                  *(f"    {line}" for line in parent.feedback.splitlines())]
    return Section(SectionKind.OBJECTIVE, "Objective", tuple(lines))


def _files(config: Config, editable: list[str]) -> list[Section]:
    out = [Section(SectionKind.EDITABLE, "Files you may edit",
                   items=tuple(editable) or ("(none)",))]
    if config.files.protect:
        out.append(Section(SectionKind.PROTECTED,
                           "Protected (never edit; an edit there is rejected)",
                           items=tuple(config.files.protect)))
    return out


HISTORY_TITLE = ("Attempts so far (oldest first): status at score (change against the parent): "
                 "what it tried; why it ended")


def history_row(a: Attempt, by_id: dict[int, Attempt], direction: Direction) -> str:
    """One attempt as the history shows it: parent, status, score and change against the
    parent, hypothesis, and why it ended."""
    parents = f"#{a.parent}" + (f" + #{a.parent2}" if a.parent2 is not None else "")
    score = "" if a.score is None else f" at {fmt(a.score)}"
    gain = fmt_gain(vs_parent(a, by_id, direction))
    hypothesis = " ".join(a.hypothesis.split())[:160] or "(no hypothesis)"
    return (f"#{a.id} (from {parents}) {a.status.value}{score}{f' ({gain})' if gain else ''}: "
            f"{hypothesis}; why: {why(a)}")


def _history(done: list[Attempt], by_id: dict[int, Attempt], direction: Direction
             ) -> list[Section]:
    """Every decided attempt, one line each (the llm prompt drops the oldest to fit), and
    the logs of the last failures (none when no attempt)."""
    if not done:
        return []
    rows = tuple(history_row(a, by_id, direction) for a in done)
    out = [Section(SectionKind.HISTORY, HISTORY_TITLE, items=rows, noun="attempts")]
    failures = [a for a in done if a.status in (Status.FAILED, Status.REJECTED)][-5:]
    failures = [a for a in failures if a.log_tail.strip()]
    if failures:
        lines: list[str] = []
        for a in failures:
            lines.append(f"- #{a.id} at stage `{a.stage}`: {a.reason}")
            tail = "\n".join(a.log_tail.splitlines()[-6:])
            lines += ["  ```", *[f"  {line}" for line in tail.splitlines()], "  ```"]
        out.append(Section(SectionKind.FAILURES, "Logs of the last failures", tuple(lines)))
    return out


def _task(workdir: str | None) -> Section:
    lines = ["Make one focused change that you expect to improve the score. Keep the code "
             "correct: the gates must pass. Prefer simple changes; say why you expect a gain. "
             "Every idea in the history was tried: take one up again only with a change that "
             "addresses why it ended."]
    if workdir:
        lines.append(f"Edit the files in place in `{workdir}`; do not commit, hone does that.")
    return Section(SectionKind.TASK, "What to do", tuple(lines))


def build_brief(config: Config, history: list[Attempt], champion: Attempt, parent: Attempt,
                editable: list[str], workdir: str | None = None,
                extra_sections: list[Section] | None = None) -> Brief:
    """The brief for one attempt: goal, objective (with the thresholds of the decision),
    files, every attempt with why it ended, the `extra_sections` (lessons, search notes,
    simplification) and what to do."""
    by_id = {a.id: a for a in history}
    done = [a for a in history if a.id != 0 and a.status is not Status.RUNNING]
    sections = [
        Section(SectionKind.GOAL, "Goal", (config.run.goal.strip(),)),
        _objective(config, by_id, champion, parent),
        *_files(config, editable),
        *_history(done, by_id, config.objective.direction),
        *(extra_sections or []),
        _task(workdir),
    ]
    return Brief(tuple(sections))


def noise_lines(baseline: Attempt) -> list[str]:
    """What the noise floor says, for people: the spread, and the warning if any."""
    noise = baseline.noise.floor if baseline.noise is not None else None
    if not noise:
        return []
    if noise["deterministic"]:
        lines = [f"noise floor: {noise['runs']} runs, no spread: deterministic objective, "
                 "measured once per attempt",
                 "deterministic: " + ("a gain beyond the equivalence spread (below)"
                                      if noise.get("equivalence") else "any strict gain")
                 + " is kept ([acceptance] min_effect applies to noisy objectives only); a "
                 "simplification must hold the score exactly"]
    else:
        lines = [f"noise floor: {noise['runs']} runs, CV {noise['cv']:.2%}"]
    if noise.get("equivalence") is not None:
        lines.append(f"equivalence noise on: {noise['variants']} equivalent variant(s) of the "
                     f"baseline spread {noise['equivalence']:.2%}; a keep needs a gain beyond it")
    if baseline.noise is not None and baseline.noise.warning:
        lines.append(f"warning: {baseline.noise.warning}")
    return lines
