"""What the report and the dashboard show, read from the journal as plain JSON-able dicts.

`overview` is cheap (no git calls) so the dashboard can poll it; `details` adds one attempt's
diff, measurements, logs and texts.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hone.decide.ranks import gains, hodges_lehmann, u_for_z, z_two_sided
from hone.direction import Direction, relative
from hone.loop.brief import vs_baseline, vs_parent
from hone.loop.view import RunView
from hone.records import Attempt, Measurement, Status, spend_json
from hone.report.diff import diff_html
from hone.store.extra import encode as encode_extra

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


def overview(engine: RunView) -> dict[str, Any]:
    """Everything but per-attempt details: summary, attempts, champion path, holdout."""
    info = engine.info()
    config = engine.ws.config
    direction = config.objective.direction
    attempts = engine.history()
    measurements = engine.store.measurements(engine.run)
    by_attempt: dict[int, list[Measurement]] = {}
    for m in measurements:
        by_attempt.setdefault(m.attempt_id, []).append(m)
    by_id = {a.id: a for a in attempts}
    baseline = by_id.get(0)
    base_score = baseline.score if baseline else None
    base_runs = _scores(by_attempt.get(0, []))
    t0 = baseline.started if baseline else info.created
    depth = _depths(attempts)
    confidence = config.acceptance.confidence

    rows = []
    for a in attempts:
        rows.append({
            "id": a.id, "parent": a.parent, "parent2": a.parent2, "status": a.status.value,
            "score": _finite(a.score), "hypothesis": a.hypothesis, "mutator": a.mutator,
            "stage": a.stage, "reason": a.reason, "commit": a.commit,
            "started": a.started - t0,
            "finished": None if a.finished is None else a.finished - t0,
            "seconds": a.seconds, "depth": depth[a.id],
            "vs_parent": vs_parent(a, by_id, direction),
            "vs_baseline": vs_baseline(a, by_id, direction),
            **spend_json(a.cost),
            "lines_added": a.code.lines_added,
            "lines_removed": a.code.lines_removed,
            "complexity": a.code.complexity,
            "slot": a.placement.slot if a.placement else None,
            "decision": a.decision.to_json() if a.decision else None,
            "holdout": [m.score for m in by_attempt.get(a.id, []) if m.kind == "holdout"],
        })

    # The champion after each decision, in the order decisions were made (the engine makes a
    # kept attempt the champion).
    steps: list[dict[str, Any]] = []
    if baseline is not None and baseline.score is not None:
        steps.append({"id": 0, "t": 0.0, "score": baseline.score, "gain": 0.0,
                      "interval": None})
    for a in sorted((a for a in attempts if a.status is Status.KEPT and a.finished),
                    key=lambda a: a.finished or 0.0):
        steps.append({"id": a.id, "t": (a.finished or t0) - t0, "score": a.score,
                      "gain": direction.gain(a.score, base_score),
                      "interval": gain_interval(_scores(by_attempt.get(a.id, [])), base_runs,
                                                direction, confidence)})

    champion = by_id.get(info.champion, baseline)
    counts: dict[str, int] = {}
    for a in attempts[1:]:
        counts[a.status.value] = counts.get(a.status.value, 0) + 1
    ends = [a.finished for a in attempts if a.finished] + [a.started for a in attempts]
    running = any(a.status is Status.RUNNING for a in attempts)
    elapsed = (max(ends) - t0) if ends else 0.0
    usd = [r["usd"] for r in rows if r["usd"] is not None]
    tok_in = [r["tokens_in"] for r in rows if r["tokens_in"] is not None]
    tok_out = [r["tokens_out"] for r in rows if r["tokens_out"] is not None]
    champ_runs = _scores(by_attempt.get(champion.id, [])) if champion else []
    return {
        "run": engine.run,
        "repo": str(engine.ws.repo.root),
        "generated": time.time(),
        "started": t0,
        "direction": direction,
        "score_expr": config.objective.score,
        "objective": config.objective.run,
        "goal": config.run.goal,
        "confidence": confidence,
        # A holdout scored like the objective shares its axis; another metric gets its own.
        "holdout_own_axis": bool(getattr(getattr(config, "holdout", None), "score", "")
                                 not in ("", config.objective.score)),
        "summary": {
            "baseline": base_score,
            "champion": None if champion is None else {"id": champion.id,
                                                        "score": champion.score},
            "gain": direction.gain(champion.score if champion else None, base_score),
            "gain_interval": gain_interval(champ_runs, base_runs, direction, confidence)
            if champion and champion.id != 0 else None,
            "attempts": len(attempts) - 1 if attempts else 0,
            "by_status": counts,
            "elapsed": elapsed,
            "running": running,
            "usd": sum(usd) if usd else None,
            "tokens_in": sum(tok_in) if tok_in else None,
            "tokens_out": sum(tok_out) if tok_out else None,
            "holdout_runs": sum(1 for m in measurements if m.kind == "holdout"),
        },
        "attempts": rows,
        "champion_steps": steps,
        "version": _version(attempts, measurements),
    }


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
    return "\n".join(text.rstrip().splitlines()[-lines:])


def details(engine: RunView, attempt_id: int) -> dict[str, Any]:
    """One attempt's diff (as highlighted HTML), measurements, log tails, lessons and texts."""
    a = engine.get(attempt_id)
    diff = engine.diff_from_parent(a)
    truncated = len(diff) > MAX_DIFF_CHARS
    if truncated:
        diff = diff[:MAX_DIFF_CHARS]
    logs_dir = engine.logs_dir / f"{a.id:05d}"
    logs = {}
    if logs_dir.is_dir():
        for path in sorted(logs_dir.iterdir()):
            tail = _tail(path) if path.is_file() else ""
            if tail:
                logs[path.name] = tail
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
        "log_tail": a.log_tail,
        "logs": logs,
        "lessons": lessons,
        "texts": {k: v[-20_000:] for k, v in texts.items() if k not in lessons},
        "extra": {k: v for k, v in encode_extra(a).items() if k != "decision"},
    }


def all_details(engine: RunView) -> dict[str, dict[str, Any]]:
    return {str(a.id): details(engine, a.id) for a in engine.history()}
