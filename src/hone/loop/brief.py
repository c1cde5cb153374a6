"""The brief: what a proposer (agent, person, LLM) needs to know to make the next change.

A typed `Brief` (`hone.sections`): rendered whole, it is the `agent` mutator's prompt and
`hone ask`'s brief file; the `llm` prompt renders it for its own audience. It never mentions
the holdout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping

from hone.config.model import Config
from hone.direction import Direction, fmt_gain
from hone.expr.score import ScoreExpr
from hone.loop.metric_change import (
    Comparison,
    MetricChange,
    Summary,
    by_attempt,
    compare_summaries,
    objective_runs,
    summary,
)
from hone.loop.outcome import judging_lines, why
from hone.records import Attempt, Measurement, Status
from hone.sections import Brief, Section, SectionKind
from hone.verify.metrics import CASES

Compared = Callable[[Attempt], Comparison | None]
MAX_CASES_SHOWN = 30


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


def comparer(config: Config, by_id: dict[int, Attempt],
             measurements: Iterable[Measurement] | None = None,
             runs: Mapping[int, list[Measurement]] | None = None) -> Compared:
    """Each attempt's metrics against its parent's, from the journal's `measurements` (or
    those already grouped by attempt, `runs`; else from the attempts' last-run metrics);
    None for an attempt without metrics."""
    if runs is None and measurements is not None:
        runs = by_attempt(measurements)
    score = ScoreExpr(config.objective.score)
    summaries: dict[int, Summary] = {}

    def summarised(a: Attempt) -> Summary:
        if a.id not in summaries:
            summaries[a.id] = summary(objective_runs(a, runs))
        return summaries[a.id]

    def compared(a: Attempt) -> Comparison | None:
        mine = summarised(a)
        if not mine:
            return None
        parent = by_id.get(a.parent) if a.parent is not None else None
        theirs = summarised(parent) if parent is not None else {}
        return compare_summaries(mine, theirs, score, config.objective.direction)

    return compared


def parent_metric_lines(parent: Attempt, compared: Comparison | None) -> list[str]:
    """Every metric of the starting point, per seed, and its cases, with their change against
    its own parent ([] when it printed no metric but the score)."""
    if compared is None:
        return []
    against = f"; change against #{parent.parent}" if parent.parent is not None else ""
    lines: list[str] = []
    if compared.metrics:
        seeds = sorted({s for m in compared.metrics for s, _ in m.seeds})
        per_seed = f" [per seed {', '.join(map(str, seeds))}]" if len(seeds) > 1 else ""
        lines += [f"Metrics of #{parent.id}, your starting point (median of its runs{per_seed}"
                  f"{against}):", *(f"    {m.text()}" for m in compared.metrics)]
    if compared.cases:
        shown = compared.cases[:MAX_CASES_SHOWN]
        lines += [f"Per-case metrics of #{parent.id} (median of its runs{against}):",
                  *(f"    {_case(m)}" for m in shown)]
        if len(compared.cases) > len(shown):
            lines.append(f"    ({len(compared.cases) - len(shown)} more cases not shown)")
    return lines


def _case(m: MetricChange) -> str:
    return m.text(per_seed=False).removeprefix(CASES)


def _objective(config: Config, by_id: dict[int, Attempt], champion: Attempt, parent: Attempt,
               compared: Compared) -> Section:
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
    lines += parent_metric_lines(parent, compared(parent))
    if parent.feedback:
        lines += [f"The objective's feedback on #{parent.id}, your starting point:",
                  *(f"    {line}" for line in parent.feedback.splitlines())]
    return Section(SectionKind.OBJECTIVE, "Objective", tuple(lines))


def new_files_line(config: Config, editable: list[str]) -> str:
    """Where new files may be created: the editable patterns that are not one of the existing
    files (`rtl/**`, `src/`), or anywhere not protected when no pattern is set."""
    patterns = [p for p in config.files.editable if p not in editable]
    if not config.files.editable:
        return "New files may be created anywhere outside the protected paths."
    if not patterns:
        return ""
    return ("New files are allowed too, where they match an editable pattern: "
            + ", ".join(f"`{p}`" for p in patterns) + ".")


def _files(config: Config, editable: list[str]) -> list[Section]:
    new = new_files_line(config, editable)
    out = [Section(SectionKind.EDITABLE, "Files you may edit", (new,) if new else (),
                   items=tuple(editable) or ("(none)",))]
    if config.files.protect:
        out.append(Section(SectionKind.PROTECTED,
                           "Protected (never edit; an edit there is rejected)",
                           items=tuple(config.files.protect)))
    return out


HISTORY_TITLE = ("Attempts so far (oldest first): status at score (change against the parent): "
                 "what it tried; why it ended")
METRICS_TITLE = ("Attempts so far (oldest first): status at score (change against the parent): "
                 "what it tried; its metrics: median [per seed when they differ] (change "
                 "against the parent, lost or gained for the score); why it ended")


def history_row(a: Attempt, by_id: dict[int, Attempt], direction: Direction,
                compared: Comparison | None = None) -> str:
    """One attempt as the history shows it: parent, status, score and change against the
    parent, hypothesis, every metric with its change (`compared`), and why it ended (a
    discarded attempt says which metric it lost on)."""
    parents = f"#{a.parent}" + (f" + #{a.parent2}" if a.parent2 is not None else "")
    score = "" if a.score is None else f" at {fmt(a.score)}"
    gain = fmt_gain(vs_parent(a, by_id, direction))
    hypothesis = " ".join(a.hypothesis.split())[:160] or "(no hypothesis)"
    metrics = compared.row() if compared is not None else ""
    return (f"#{a.id} (from {parents}) {a.status.value}{score}{f' ({gain})' if gain else ''}: "
            f"{hypothesis}; {f'metrics: {metrics}; ' if metrics else ''}"
            f"why: {why(a, compared.lost_on() if compared is not None else '')}")


class RememberedRows:
    """History rows remembered from one brief to the next: each brief lists every decided
    attempt, which made a brief's cost grow with the run (at 200 attempts it was most of
    it). A row is a function of the attempt's record, its parent's, both attempts' runs and
    the config; the journal hands back the same objects while their rows are unchanged
    (`store/remembered.py`), so identity (`is`) tells when a remembered row still holds,
    and anything else (a record read anew, a run added, another config) renders it again.
    An entry holds its objects, so that their ids are not reused while it lives."""

    LIMIT = 20_000  # entries; past it, all are dropped and rendered again

    def __init__(self) -> None:
        self._rows: dict[int, tuple[tuple[object, ...], str, Comparison | None]] = {}
        self._lock = threading.Lock()

    def row(self, a: Attempt, by_id: dict[int, Attempt], config: Config,
            runs: Mapping[int, list[Measurement]] | None, compared: Compared
            ) -> tuple[str, Comparison | None]:
        """`a`'s history row and its comparison with its parent (`compared(a)`)."""
        parent = by_id.get(a.parent) if a.parent is not None else None
        key = (a, parent, config, *_runs_of(a, runs), None, *_runs_of(parent, runs))
        found = self._rows.get(id(a))
        if found is not None and len(found[0]) == len(key) and all(
                x is y for x, y in zip(found[0], key, strict=True)):
            return found[1], found[2]
        comparison = compared(a)
        text = history_row(a, by_id, config.objective.direction, comparison)
        with self._lock:
            if len(self._rows) >= self.LIMIT:
                self._rows.clear()
            self._rows[id(a)] = (key, text, comparison)
        return text, comparison


def _runs_of(a: Attempt | None, runs: Mapping[int, list[Measurement]] | None
             ) -> tuple[object, ...]:
    if a is None or runs is None:
        return ()
    return tuple(runs.get(a.id, ()))


ROWS = RememberedRows()


def _history(done: list[Attempt], by_id: dict[int, Attempt], config: Config,
             runs: Mapping[int, list[Measurement]] | None, compared: Compared
             ) -> list[Section]:
    """Every decided attempt, one line each (the llm prompt drops the oldest to fit), and
    the logs of the last failures (none when no attempt)."""
    if not done:
        return []
    rendered = [ROWS.row(a, by_id, config, runs, compared) for a in done]
    rows = tuple(text for text, _ in rendered)
    comparisons = [c for _, c in rendered]
    title = METRICS_TITLE if any(c and c.metrics for c in comparisons) else HISTORY_TITLE
    out = [Section(SectionKind.HISTORY, title, items=rows, noun="attempts")]
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
             "Every idea in the history was tried, none is forbidden: take one up again only "
             "with a change that addresses why it ended (the metric it lost on, the check that "
             "failed it)."]
    if workdir:
        lines.append(f"Edit the files in place in `{workdir}`; do not commit, hone does that.")
    return Section(SectionKind.TASK, "What to do", tuple(lines))


def build_brief(config: Config, history: list[Attempt], champion: Attempt, parent: Attempt,
                editable: list[str], workdir: str | None = None,
                extra_sections: list[Section] | None = None,
                measurements: Iterable[Measurement] | None = None) -> Brief:
    """The brief for one attempt: goal, objective (with the thresholds of the decision and
    the starting point's metrics per seed and per case), files, every attempt with its metrics
    and why it ended, the `extra_sections` (lessons, search notes, simplification) and what to
    do. `measurements`: the run's, for medians and seeds (else each attempt's last run)."""
    by_id = {a.id: a for a in history}
    done = [a for a in history if a.id != 0 and a.status is not Status.RUNNING]
    runs = by_attempt(measurements) if measurements is not None else None
    compared = comparer(config, by_id, runs=runs)
    sections = [
        Section(SectionKind.GOAL, "Goal", (config.run.goal.strip(),)),
        _objective(config, by_id, champion, parent, compared),
        *_files(config, editable),
        *_history(done, by_id, config, runs, compared),
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
