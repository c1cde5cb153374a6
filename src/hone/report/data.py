"""What the report and the dashboard show, read from the journal as plain JSON-able dicts.

`overview` is cheap (no git calls) so the dashboard can poll it; `details` adds one attempt's
diff, measurements, logs and texts.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hone.decide.ranks import gains, hodges_lehmann, u_for_z, z_two_sided
from hone.direction import Direction, relative
from hone.flags import flags
from hone.loop.brief import vs_baseline, vs_parent
from hone.loop.repair import repair_counts
from hone.loop.view import RunView
from hone.records import Attempt, Measurement, Status, spend_json
from hone.report.diff import diff_html
from hone.store.extra import encode as encode_extra
from hone.verify.scrub import scrub
from hone.views import review_ids

# Diffs above this size are cut in the report so one huge attempt cannot bloat the file.
MAX_DIFF_CHARS = 200_000
LOG_TAIL_LINES = 40


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def gain_interval(cand: Sequence[float], base: Sequence[float], direction: Direction,
                  confidence: float) -> dict[str, Any] | None:
    """Hodges-Lehmann improvement of `cand` over `base` as a fraction of the baseline's median,
    with its distribution-free interval (None ends when the samples are too small to bound)."""
    if not cand or not base:
        return None
    ref = statistics.median(base)
    if ref == 0:
        return None
    z = z_two_sided(confidence)
    hl = hodges_lehmann(gains(cand, direction), gains(base, direction),
                        u_for_z(z, len(cand), len(base)))
    return {"estimate": relative(hl.estimate, ref), "low": _finite(relative(hl.low, ref)),
            "high": _finite(relative(hl.high, ref)), "confidence": confidence,
            "runs": len(cand), "baseline_runs": len(base)}


def _scores(measurements: Sequence[Measurement], kind: str = "objective") -> list[float]:
    return [m.score for m in measurements
            if m.kind == kind and m.score is not None and math.isfinite(m.score)]


def _depths(attempts: list[Attempt]) -> dict[int, int]:
    """Generation of each attempt: the number of parent links up to the baseline."""
    by_id = {a.id: a for a in attempts}
    depth: dict[int, int] = {}
    for a in attempts:  # parents always have smaller ids, so one pass in id order suffices
        p = by_id.get(a.parent) if a.parent is not None else None
        depth[a.id] = depth.get(p.id, 0) + 1 if p is not None else 0
    return depth


@dataclass(frozen=True)
class _Journal:
    """What every part of the overview reads: the attempts, their measurements, the axis."""

    attempts: list[Attempt]
    by_id: dict[int, Attempt]
    by_attempt: dict[int, list[Measurement]]
    t0: float
    direction: Direction
    confidence: float
    deterministic: bool  # the noise floor says so: no interval (a seed spread is not noise)

    @property
    def baseline(self) -> Attempt | None:
        return self.by_id.get(0)

    def runs(self, attempt_id: int) -> list[float]:
        """The finite objective scores measured for one attempt."""
        return _scores(self.by_attempt.get(attempt_id, []))

    def gain_interval(self, attempt_id: int) -> dict[str, Any] | None:
        """The attempt's gain over the baseline with its interval; None for a deterministic
        objective, whose runs differ by seed only."""
        if self.deterministic:
            return None
        return gain_interval(self.runs(attempt_id), self.runs(0), self.direction,
                             self.confidence)


def overview(engine: RunView) -> dict[str, Any]:
    """Everything but per-attempt details: summary, attempts, champion path, holdout."""
    info = engine.info()
    config = engine.ws.config
    attempts = engine.history()
    measurements = engine.store.measurements(engine.run)
    by_attempt: dict[int, list[Measurement]] = {}
    for m in measurements:
        by_attempt.setdefault(m.attempt_id, []).append(m)
    by_id = {a.id: a for a in attempts}
    baseline = by_id.get(0)
    j = _Journal(attempts, by_id, by_attempt,
                 t0=baseline.started if baseline else info.created,
                 direction=config.objective.direction,
                 confidence=config.acceptance.confidence,
                 deterministic=bool((info.meta.get("noise") or {}).get("deterministic")))
    depth = _depths(attempts)
    rows = [_attempt_row(j, a, depth[a.id]) for a in attempts]
    return {
        "run": engine.run,
        "repo": str(engine.ws.repo.root),
        "generated": time.time(),
        "started": j.t0,
        "direction": j.direction,
        "score_expr": config.objective.score,
        "objective": config.objective.run,
        "goal": config.run.goal,
        "confidence": j.confidence,
        # A holdout scored like the objective shares its axis; another metric gets its own.
        "holdout_own_axis": bool(getattr(getattr(config, "holdout", None), "score", "")
                                 not in ("", config.objective.score)),
        "summary": _summary(j, rows, by_id.get(info.champion, baseline), measurements),
        "attempts": rows,
        "champion_steps": _champion_steps(j),
        "version": _version(attempts, measurements),
    }


def _attempt_row(j: _Journal, a: Attempt, depth: int) -> dict[str, Any]:
    """One attempt's row of the overview: status, score, gains, spend, code size, holdout."""
    return {
        "id": a.id, "parent": a.parent, "parent2": a.parent2, "repair_of": a.repair_of,
        "status": a.status.value, "score": _finite(a.score), "hypothesis": a.hypothesis,
        "mutator": a.mutator, "stage": a.stage, "reason": a.reason, "commit": a.commit,
        "started": a.started - j.t0,
        "finished": None if a.finished is None else a.finished - j.t0,
        "seconds": a.seconds, "depth": depth,
        "vs_parent": vs_parent(a, j.by_id, j.direction),
        "vs_baseline": vs_baseline(a, j.by_id, j.direction),
        **spend_json(a.cost),
        "lines_added": a.code.lines_added,
        "lines_removed": a.code.lines_removed,
        "complexity": a.code.complexity,
        "slot": a.placement.slot if a.placement else None,
        "decision": a.decision.to_json() if a.decision else None,
        "holdout": [m.score for m in j.by_attempt.get(a.id, []) if m.kind == "holdout"],
        "flags": flags(a),  # overfit, audit findings: what a person should look at twice
        # What vetting a would-be champion found: a clean re-verification and the holdout.
        "reverified": a.vetting.reverified, "holdout_check": a.vetting.holdout,
        "held_back": a.vetting.held_back,
        "review": a.review.to_json() if a.review else None, "tainted": a.tainted,
    }


def _champion_steps(j: _Journal) -> list[dict[str, Any]]:
    """The champion after each decision, in the order decisions were made (the engine makes a
    kept attempt the champion), starting from the baseline when it has a score."""
    baseline = j.baseline
    base_score = baseline.score if baseline else None
    steps: list[dict[str, Any]] = []
    if baseline is not None and baseline.score is not None:
        steps.append({"id": 0, "t": 0.0, "score": baseline.score, "gain": 0.0,
                      "interval": None})
    # A vetoed attempt and its tainted descendants are no longer steps of the champion's line.
    for a in sorted((a for a in j.attempts if a.status is Status.KEPT and a.finished
                     and not a.tainted),
                    key=lambda a: a.finished or 0.0):
        steps.append({"id": a.id, "t": (a.finished or j.t0) - j.t0, "score": a.score,
                      "gain": j.direction.gain(a.score, base_score),
                      "interval": j.gain_interval(a.id)})
    return steps


def _summary(j: _Journal, rows: list[dict[str, Any]], champion: Attempt | None,
             measurements: list[Measurement]) -> dict[str, Any]:
    """The run at a glance: baseline, champion and its gain, counts by status, time, spend."""
    baseline = j.baseline
    base_score = baseline.score if baseline else None
    counts: dict[str, int] = {}
    for a in j.attempts[1:]:
        counts[a.status.value] = counts.get(a.status.value, 0) + 1
    return {
        "baseline": base_score,
        "champion": None if champion is None else {"id": champion.id,
                                                    "score": champion.score},
        "gain": j.direction.gain(champion.score if champion else None, base_score),
        "gain_interval": j.gain_interval(champion.id)
        if champion and champion.id != 0 else None,
        "attempts": len(j.attempts) - 1 if j.attempts else 0,
        "by_status": counts,
        "elapsed": _elapsed(j),
        "running": any(a.status is Status.RUNNING for a in j.attempts),
        **{key: _total(rows, key) for key in ("usd", "tokens_in", "tokens_out")},
        "holdout_runs": sum(1 for m in measurements if m.kind == "holdout"),
        "repairs": repair_counts(j.attempts).to_json(),  # made, passed (measured), kept
        "review": review_ids(j.attempts),
    }


def _elapsed(j: _Journal) -> float:
    """Seconds from the run's start to the latest start or finish of any attempt."""
    ends = [a.finished for a in j.attempts if a.finished] + [a.started for a in j.attempts]
    return (max(ends) - j.t0) if ends else 0.0


def _total(rows: list[dict[str, Any]], key: str) -> Any:
    """The sum of one spend column over the rows that have it; None when none has."""
    values = [r[key] for r in rows if r[key] is not None]
    return sum(values) if values else None


def _version(attempts: list[Attempt], measurements: list[Measurement]) -> str:
    """Changes whenever the journal does, so the dashboard can skip redrawing."""
    last = max((max(a.started, a.finished or 0.0) for a in attempts), default=0.0)
    done = sum(1 for a in attempts if a.status.decided)
    return f"{len(attempts)}-{done}-{len(measurements)}-{last:.3f}"


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 16_384))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return scrub("\n".join(text.rstrip().splitlines()[-lines:]))


def details(engine: RunView, attempt_id: int) -> dict[str, Any]:
    """One attempt's diff (as highlighted HTML), measurements, log tails, lessons and texts."""
    a = engine.get(attempt_id)
    diff = engine.diff_from_parent(a)
    truncated = len(diff) > MAX_DIFF_CHARS
    if truncated:
        diff = diff[:MAX_DIFF_CHARS]
    texts = engine.store.get_texts(engine.run, a.id)
    # The playbook as the proposer saw it (the llm mutator stores it with the attempt's texts).
    lessons = {k: v for k, v in texts.items() if "lesson" in k.lower()}
    return {
        "id": a.id,
        "diff_html": diff_html(diff) if diff else "",
        "diff_truncated": truncated,
        "measurements": [{"kind": m.kind, "seed": m.seed, "score": _finite(m.score),
                          "seconds": round(m.seconds, 4), "metrics": m.metrics}
                         for m in engine.store.measurements(engine.run, a.id)],
        "metrics": a.metrics,
        "log_tail": scrub(a.log_tail),
        "logs": _log_tails(engine.logs_dir / f"{a.id:05d}"),
        "lessons": lessons,
        "texts": {k: v[-20_000:] for k, v in texts.items() if k not in lessons},
        "extra": {k: v for k, v in encode_extra(a).items() if k != "decision"},
    }


def _log_tails(logs_dir: Path) -> dict[str, str]:
    """The tail of each non-empty log file in `logs_dir`, by file name, in name order."""
    logs = {}
    if logs_dir.is_dir():
        for path in sorted(logs_dir.iterdir()):
            tail = _tail(path) if path.is_file() else ""
            if tail:
                logs[path.name] = tail
    return logs


def all_details(engine: RunView) -> dict[str, dict[str, Any]]:
    return {str(a.id): details(engine, a.id) for a in engine.history()}
