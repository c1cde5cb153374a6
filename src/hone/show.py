"""`hone show`: one attempt's record as data (`--json`) and as text: hypothesis, gains, every
metric against the parent (median, per seed, per case), the objective's feedback, decision,
measurements, texts, the playbook's size and churn, logs and diff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hone.direction import fmt_gain
from hone.flags import flags
from hone.loop.brief import comparer, fmt, vs_baseline, vs_parent
from hone.loop.metric_change import Comparison, MetricChange
from hone.loop.notice import version_of
from hone.loop.repair import repaired_by
from hone.loop.view import RunView
from hone.mutators.llm.lessons import playbook_line, read_lessons
from hone.records import Attempt, Status
from hone.store.extra import encode as encode_extra
from hone.vcs import refs
from hone.verify.metrics import CASES
from hone.verify.scrub import scrub
from hone.views import evidence_line

if TYPE_CHECKING:
    from rich.console import Console


def show_view(engine: RunView, attempt_id: int) -> dict[str, Any]:
    a = engine.get(attempt_id)
    parent = engine.get(a.parent) if a.parent is not None else None
    # The attempt, its parent and the baseline: all that its gains need.
    by_id = {x.id: x for x in (engine.get(0), parent, a) if x is not None}
    direction = engine.ws.config.objective.direction
    diff = engine.diff_from_parent(a)
    logs_dir = engine.logs_dir / f"{a.id:05d}"
    logs = sorted(str(p) for p in logs_dir.iterdir()) if logs_dir.is_dir() else []
    runs = engine.store.measurements(engine.run, a.id)
    parent_runs = engine.store.measurements(engine.run, parent.id) if parent else []
    compared = comparer(engine.ws.config, by_id, runs + parent_runs)(a)
    return {
        "id": a.id, "parent": a.parent, "parent2": a.parent2, "status": a.status.value,
        "score": a.score, "commit": a.commit, "ref": refs.attempt_ref(engine.run, a.id),
        "vs_parent": vs_parent(a, by_id, direction),
        "vs_baseline": vs_baseline(a, by_id, direction),
        "hypothesis": a.hypothesis, "mutator": a.mutator, "stage": a.stage,
        "reason": scrub(a.reason), "log_tail": scrub(a.log_tail), "metrics": a.metrics,
        "seconds": a.seconds, "extra": encode_extra(a),  # the journal's record, as stored
        "measurements": [{"seed": m.seed, "score": m.score, "kind": m.kind,
                          "seconds": round(m.seconds, 4), "metrics": m.metrics}
                         for m in runs],
        # every metric against the parent: median, per seed, per case, lost or gained
        "compared": (compared or Comparison()).to_json(), "feedback": scrub(a.feedback),
        "texts": engine.store.get_texts(engine.run, a.id),
        "lessons": read_lessons(engine.ws.dir, engine.run),
        "playbook": playbook_line(engine.ws.dir, engine.run),
        "logs": logs, "diff": diff, "flags": flags(a),
        "repair_of": a.repair_of, "repaired_by": repaired_by(engine.history(), a.id),
        "config_version": version_of(engine.ws, engine.run, a.id),  # 1: as the run began
    }


def print_show(view: dict[str, Any]) -> None:
    """Print one attempt's `show` view: header, code, decision, measurements, texts, logs, diff."""
    from rich.console import Console
    from rich.syntax import Syntax

    console = Console()
    _show_header(console, view)
    _show_decision(console, view)
    for line in metric_lines(view):
        console.print(line, markup=False, highlight=False)
    _show_measurements(console, view)
    _show_texts(console, view)
    if view["logs"]:
        console.print("logs: " + ", ".join(view["logs"]), markup=False)
    if view["diff"]:
        console.print(Syntax(view["diff"], "diff", theme="ansi_dark"))


def _show_header(console: Console, view: dict[str, Any]) -> None:
    """Print the id line, the gains over parent and baseline, the hypothesis and the code."""
    parent = f"  parent #{view['parent']}" if view["parent"] is not None else ""
    parent += f"  repaired by #{view['repaired_by']}" if view.get("repaired_by") else ""
    console.print(f"[bold]#{view['id']}[/] {view['status']}  score {fmt(view['score'])}"
                  f"{parent}  commit {view['commit'] or '—'}", highlight=False)
    gains = [f"{fmt_gain(view[key])} {over}" for key, over in (
        ("vs_parent", f"over parent #{view['parent']}"), ("vs_baseline", "over baseline"))
        if view[key] is not None and view["id"] != 0]
    if gains:
        console.print("gain: " + ", ".join(gains), markup=False, highlight=False)
    if view["hypothesis"]:
        console.print(f"hypothesis: {view['hypothesis']}", markup=False)
    line = _code_line(view.get("extra") or {})
    if line:
        console.print(line, markup=False)


def _code_line(extra: dict[str, Any]) -> str:
    """The 'code: +A/-R lines in N file(s); ...' line, or '' when nothing was measured."""
    cx = extra.get("complexity") or {}
    if "lines_added" not in extra and not cx:
        return ""
    return (f"code: +{extra.get('lines_added', 0)}/-{extra.get('lines_removed', 0)} "
            f"lines in {extra.get('files_touched', 0)} file(s)"
            + (f"; editable code {cx.get('nloc')} lines, complexity {cx.get('ccn')}, "
               f"{cx.get('functions')} functions" if cx else ""))


def _show_decision(console: Console, view: dict[str, Any]) -> None:
    """Print the stage and reason, the flags, the decision's evidence and the noise lines."""
    if view["stage"] or view["reason"]:
        console.print("  ".join(f"{k}: {view[k]}" for k in ("stage", "reason") if view[k]),
                      markup=False)
    for flag in view["flags"]:
        console.print(f"[bold yellow]flag[/] {flag}", highlight=False)
    if view["extra"].get("decision"):
        console.print(f"decision: {evidence_line(view['extra']['decision'])}", markup=False)
    if view["extra"].get("noise"):
        from hone.loop.brief import noise_lines
        from hone.records import Noise

        noise = Noise(view["extra"]["noise"], view["extra"].get("noise_warning", ""))
        for line in noise_lines(Attempt("", 0, None, None, Status.BASELINE, noise=noise)):
            console.print(line, markup=False)


def _show_measurements(console: Console, view: dict[str, Any]) -> None:
    """Print one line per measurement, the log tail and the spend (tokens, dollars)."""
    if view["measurements"]:
        console.print("runs:", markup=False)
    for m in view["measurements"]:
        console.print(f"  {m['kind']} seed {m['seed']}: {fmt(m['score'])} ({m['seconds']}s)")
    if view["log_tail"]:
        console.print("log tail:", markup=False)
        console.print(view["log_tail"], markup=False)
    for key in ("tokens_in", "tokens_out", "usd"):
        if key in view["extra"]:
            console.print(f"{key}: {view['extra'][key]}", highlight=False)


def _show_texts(console: Console, view: dict[str, Any]) -> None:
    """Print the stored texts (prompt, response, reflections) in full, then the run's lessons."""
    for name, text in view["texts"].items():
        console.rule(f"{name} ({len(text)} chars)")
        console.print(text, markup=False, highlight=False)
    if view["playbook"]:
        console.print(view["playbook"], markup=False, highlight=False)
    if view["lessons"]:
        console.rule("lessons of the run (helpful/harmful)")
        for x in view["lessons"]:
            console.print(f"[{x['id']} +{x['helpful']}/-{x['harmful']}] {x['text']}",
                          markup=False, highlight=False)


def metric_lines(view: dict[str, Any]) -> list[str]:
    """Every metric against the parent (median [per seed], change, lost or gained), the
    per-case metrics, and the objective's feedback, as text lines."""
    compared = view.get("compared") or {}
    against = f" (change against #{view['parent']})" if view["parent"] is not None else ""
    lines: list[str] = []
    for key, title in (("metrics", "metrics: median [per seed]"), ("cases", "cases: median")):
        if compared.get(key):
            lines.append(f"{title}{against}:")
            lines += [f"  {MetricChange.from_json(name, data).text(key == 'metrics')}"
                      .replace(f"  {CASES}", "  ", 1)
                      for name, data in compared[key].items()]
    if compared.get("lost_on"):
        lines.append("lost on: " + ", ".join(compared["lost_on"]))
    if view.get("feedback"):
        lines += ["feedback:", *(f"  {line}" for line in view["feedback"].splitlines())]
    return lines
