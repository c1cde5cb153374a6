"""Every metric of an attempt against its parent: the median over its objective runs and per
seed, the change, and which metrics moved the score the wrong way (lost) or the right way
(gained), so that "-12.8%" reads as "cut cycles 5.5% but lost on fmax_mhz".

A metric *lost* when putting the attempt's value alone into the parent's metrics makes the
score worse (`Direction`), and *gained* when it makes it better; a metric the score does not
use (e.g. `luts` beside `fmax_mhz * iter_per_cycle`) is shown with its change only. Per-case
metrics (`cases/NAME`, see `verify.metrics`) are kept apart: a brief lists them for the parent.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hone.direction import Direction
from hone.expr.score import ScoreError, ScoreExpr
from hone.records import Attempt, Measurement
from hone.verify.metrics import CASES as CASE_PREFIX

MAX_ROW_METRICS = 8  # metrics a history row names; the others are counted


def fmt_value(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


def fmt_change(change: float | None) -> str:
    """A signed relative change of a metric ('+5.50%'); not oriented: metrics have no
    direction, only the score has."""
    return "" if change is None else f"{change:+.2%}"


@dataclass(frozen=True)
class MetricChange:
    """One metric: the attempt's median `value` (and per seed, `seeds`: (seed, median of that
    seed's runs) in seed order), the parent's, and its `effect` on the score: 1 gained, -1
    lost, 0 neither or not in the score."""

    name: str
    value: float
    parent: float | None = None
    seeds: tuple[tuple[int, float], ...] = ()
    parent_seeds: tuple[tuple[int, float], ...] = ()
    effect: int = 0

    @property
    def change(self) -> float | None:
        """(value - parent) / |parent|; None without a parent value or when it is 0."""
        if self.parent is None or not self.parent:
            return None
        return (self.value - self.parent) / abs(self.parent)

    @property
    def verdict(self) -> str:
        return {1: "gained", -1: "lost"}.get(self.effect, "")

    def text(self, per_seed: bool = True) -> str:
        """`fmax_mhz 80 [78, 80, 85] (-17.00%, lost)`: median, per seed (when the seeds
        disagree), change, effect."""
        values = [fmt_value(v) for _, v in self.seeds]
        seeds = f" [{', '.join(values)}]" if per_seed and len(set(values)) > 1 else ""
        note = ", ".join(filter(None, (fmt_change(self.change), self.verdict)))
        return f"{self.name} {fmt_value(self.value)}{seeds}" + (f" ({note})" if note else "")

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "parent": self.parent, "change": self.change,
                "effect": self.verdict or None,
                "seeds": {str(s): v for s, v in self.seeds},
                "parent_seeds": {str(s): v for s, v in self.parent_seeds}}

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> MetricChange:
        """The inverse of `to_json` (for views that read it back)."""
        def seeds(key: str) -> tuple[tuple[int, float], ...]:
            return tuple((int(s), float(v)) for s, v in (data.get(key) or {}).items())

        effect = {"gained": 1, "lost": -1}.get(str(data.get("effect")), 0)
        parent = data.get("parent")
        return cls(name, float(data["value"]), None if parent is None else float(parent),
                   seeds("seeds"), seeds("parent_seeds"), effect)


@dataclass(frozen=True)
class Comparison:
    """The metrics of one attempt against its parent, in the objective's order."""

    metrics: tuple[MetricChange, ...] = ()
    cases: tuple[MetricChange, ...] = ()

    @property
    def lost(self) -> tuple[MetricChange, ...]:
        return tuple(m for m in self.metrics if m.effect < 0)

    @property
    def gained(self) -> tuple[MetricChange, ...]:
        return tuple(m for m in self.metrics if m.effect > 0)

    def row(self, limit: int = MAX_ROW_METRICS) -> str:
        """Every metric in one line, those in the score first ('' when there are none)."""
        ranked = sorted(self.metrics, key=lambda m: m.effect == 0)
        shown = ", ".join(m.text() for m in ranked[:limit])
        more = len(ranked) - limit
        return shown + (f" (+{more} more)" if more > 0 else "")

    def lost_on(self) -> str:
        """'lost on fmax_mhz (-17.00%)' and what gained, '' when no metric lost."""
        if not self.lost:
            return ""
        gained = "; gained on " + ", ".join(
            f"{m.name} ({fmt_change(m.change)})" for m in self.gained) if self.gained else ""
        return ("lost on " + ", ".join(f"{m.name} ({fmt_change(m.change)})" for m in self.lost)
                + gained)

    def to_json(self) -> dict[str, Any]:
        return {"metrics": {m.name: m.to_json() for m in self.metrics},
                "cases": {m.name: m.to_json() for m in self.cases},
                "lost_on": [m.name for m in self.lost],
                "gained_on": [m.name for m in self.gained]}


def objective_runs(attempt: Attempt, measurements: Mapping[int, list[Measurement]] | None
                   ) -> list[Measurement]:
    """The attempt's objective runs; without a journal's measurements, its last run's metrics
    as one run."""
    runs = [m for m in (measurements or {}).get(attempt.id, []) if m.kind == "objective"]
    if runs or not attempt.metrics:
        return runs
    return [Measurement(attempt.id, 0, attempt.score, dict(attempt.metrics))]


def by_attempt(measurements: Iterable[Measurement]) -> dict[int, list[Measurement]]:
    out: dict[int, list[Measurement]] = {}
    for m in measurements:
        out.setdefault(m.attempt_id, []).append(m)
    return out


Summary = dict[str, tuple[float, tuple[tuple[int, float], ...]]]


def summary(runs: list[Measurement]) -> Summary:
    """Per metric, in the order printed: the median over the seeds of each seed's median
    (a seed run again, as the baseline's repeat, counts once), and the per-seed medians."""
    values: dict[str, dict[int, list[float]]] = {}
    for run in runs:
        for name, value in run.metrics.items():
            values.setdefault(name, {}).setdefault(run.seed, []).append(value)
    out: Summary = {}
    for name, per in values.items():
        seeds = tuple((s, _median(per[s])) for s in sorted(per))
        out[name] = (_median([v for _, v in seeds]), seeds)
    return out


def _median(values: list[float]) -> float:
    """`statistics.median`, without its cost for the one value most attempts have (a brief
    summarises every attempt of the history)."""
    return values[0] if len(values) == 1 else statistics.median(values)


def _effect(name: str, value: float, base: dict[str, float], score: ScoreExpr,
            direction: Direction) -> int:
    if name not in score.names or name not in base:
        return 0
    try:
        before, after = score.evaluate(base), score.evaluate({**base, name: value})
    except ScoreError:
        return 0
    change = direction.improvement(after, before)
    return 0 if not change else (1 if change > 0 else -1)


def compare(runs: list[Measurement], parent_runs: list[Measurement], score: ScoreExpr,
            direction: Direction) -> Comparison:
    """The attempt's metrics (`runs`) against its parent's (`parent_runs`). A metric named as
    the whole score expression is left out: the score says it already."""
    return compare_summaries(summary(runs), summary(parent_runs), score, direction)


def compare_summaries(mine: Summary, theirs: Summary, score: ScoreExpr, direction: Direction
                      ) -> Comparison:
    """`compare` of two `summary`s (a long history summarises each parent once)."""
    base = {name: median for name, (median, _) in theirs.items()}
    metrics: list[MetricChange] = []
    cases: list[MetricChange] = []
    for name, (median, seeds) in mine.items():
        if name == score.text:
            continue
        parent = theirs.get(name)
        change = MetricChange(name, median, parent[0] if parent else None, seeds,
                              parent[1] if parent else (),
                              _effect(name, median, base, score, direction))
        (cases if name.startswith(CASE_PREFIX) else metrics).append(change)
    return Comparison(tuple(metrics), tuple(cases))
