"""The brief: what a proposer (agent, person, LLM) needs to know to make the next change.

The same text is the `agent` mutator's prompt, `hone ask`'s brief file and the base of the
`llm` prompt. It never mentions the holdout.
"""

from __future__ import annotations

from hone.config.model import Config
from hone.direction import Direction, fmt_gain
from hone.records import Attempt, Status

RECENT = 15


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


def tried_ideas(history: list[Attempt]) -> list[str]:
    """Every hypothesis so far, deduplicated, with its outcome, oldest first."""
    seen: dict[str, str] = {}
    for a in history:
        text = " ".join(a.hypothesis.split())
        if a.id == 0 or not text or a.status is Status.RUNNING:
            continue
        seen[text.lower()] = f"{text} [{a.status.value}]"
    return list(seen.values())


def build_brief(config: Config, history: list[Attempt], champion: Attempt, parent: Attempt,
                editable: list[str], workdir: str | None = None,
                extra_sections: list[str] | None = None) -> str:
    by_id = {a.id: a for a in history}
    baseline = by_id.get(0)
    direction = config.objective.direction
    gain = fmt_gain(vs_baseline(champion, by_id, direction)) if champion.id != 0 else ""
    out = [
        "# Goal", config.run.goal.strip(), "",
        "# Objective",
        f"Score: `{config.objective.score}` ({direction.wording}), "
        f"measured by `{config.objective.run}`.",
        f"Baseline (#0) scores {fmt(baseline.score if baseline else None)}; "
        f"champion #{champion.id} scores {fmt(champion.score)}"
        + (f" ({gain} over baseline)." if gain else "."),
        f"Your change starts from attempt #{parent.id} (score {fmt(parent.score)}).",
    ]
    if config.gates:
        out.append("Gates that must pass first: "
                   + ", ".join(f"`{g.name}` (`{g.run}`)" for g in config.gates) + ".")
    out += ["", "# Files you may edit", *([f"- {p}" for p in editable] or ["- (none)"])]
    if config.files.protect:
        out += ["", "# Protected (never edit; an edit there is rejected)",
                *[f"- {p}" for p in config.files.protect]]
    recent = [a for a in history if a.id != 0 and a.status is not Status.RUNNING][-RECENT:]
    if recent:
        out += ["", "# Recent attempts (oldest first)",
                "| id | parent | status | score | vs parent | hypothesis |",
                "|---|---|---|---|---|---|"]
        for a in recent:
            hyp = " ".join(a.hypothesis.split())[:140].replace("|", "/")
            out.append(f"| {a.id} | {a.parent} | {a.status.value} | {fmt(a.score)} | "
                       f"{fmt_gain(vs_parent(a, by_id, direction))} | {hyp} |")
        failures = [a for a in recent if a.status in (Status.FAILED, Status.REJECTED)][-5:]
        if failures:
            out += ["", "# Why recent attempts failed"]
            for a in failures:
                out.append(f"- #{a.id} at stage `{a.stage}`: {a.reason}")
                tail = "\n".join(a.log_tail.splitlines()[-6:])
                if tail:
                    out += ["  ```", *[f"  {line}" for line in tail.splitlines()], "  ```"]
    ideas = tried_ideas(history)
    if ideas:
        out += ["", "# Ideas already tried (do not repeat them)", *[f"- {i}" for i in ideas]]
    for section in extra_sections or []:
        out += ["", section.rstrip()]
    out += ["", "# What to do",
            "Make one focused change that you expect to improve the score. Keep the code "
            "correct: the gates must pass. Prefer simple changes; say why you expect a gain."]
    if workdir:
        out += [f"Edit the files in place in `{workdir}`; do not commit, hone does that."]
    return "\n".join(out) + "\n"


def noise_lines(baseline: Attempt) -> list[str]:
    """What the noise floor says, for people: the spread, and the warning if any."""
    noise = baseline.noise.floor if baseline.noise is not None else None
    if not noise:
        return []
    if noise["deterministic"]:
        lines = [f"noise floor: {noise['runs']} runs, no spread: deterministic objective, "
                 "measured once per attempt"]
    else:
        lines = [f"noise floor: {noise['runs']} runs, CV {noise['cv']:.2%}"]
    if baseline.noise is not None and baseline.noise.warning:
        lines.append(f"warning: {baseline.noise.warning}")
    return lines
