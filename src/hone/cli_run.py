"""`hone run`: flags over config, the lock, progress lines, the summary."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hone.config.model import Config
from hone.direction import Direction, fmt_gain
from hone.errors import UsageError
from hone.loop.brief import fmt, noise_lines
from hone.records import Attempt, Event, Status
from hone.table import cut

if TYPE_CHECKING:
    from hone.loop.session import SessionEnd
    from hone.loop.workspace import Workspace
    from hone.report.live import LiveView


def apply_overrides(config: Config, **flags: Any) -> Config:
    """The config with the command-line flags that were given laid over it."""
    def section(name: str, **values: Any) -> Any:
        current = getattr(config, name)
        given = {k: v for k, v in values.items() if v is not None}
        return current.model_copy(update=given) if given else current

    update = {
        "mutator": section("mutator", kind=flags.get("mutator")),
        "llm": section("llm", model=flags.get("model")),
        "search": section("search", strategy=flags.get("strategy")),
        "executor": section("executor", kind=flags.get("executor"),
                            parallel=flags.get("parallel"),
                            ray_address=flags.get("ray_address")),
        "budget": section("budget", attempts=flags.get("attempts"), hours=flags.get("hours"),
                          usd=flags.get("budget_usd")),
    }
    merged = config.model_copy(update=update)
    # model_copy skips validation; validate once so a bad flag is a one-line usage error.
    from hone.config.load import parse_config
    from hone.plugins import check

    return check(parse_config(merged.model_dump(), source="command line"), "command line")


class LinePrinter:
    """One line per event, for logs and terminals alike. A new champion's line shows its gain
    over the baseline (from `history` when resuming, else from the baseline event)."""

    def __init__(self, direction: Direction, history: list[Attempt] | None = None,
                 stream: Any = None) -> None:
        # sys.stdout when called, not at import: an in-process caller may have replaced it.
        self.direction, self.stream = direction, stream or sys.stdout
        self.baseline = next((a.score for a in history or [] if a.id == 0), None)
        self.t0 = time.monotonic()

    def __call__(self, event: Event, a: Attempt) -> None:
        clock = f"[{time.monotonic() - self.t0:7.1f}s]"
        if event == Event.BASELINE_START:
            self._out(f"{clock} measuring the baseline ({a.commit and a.commit[:10]})")
        elif event == Event.BASELINE_RUN:
            self._out(f"{clock} baseline: {a.reason}")
        elif event == Event.BASELINE:
            self.baseline = a.score
            self._out(f"{clock} baseline score {fmt(a.score)}")
            for line in noise_lines(a):
                self._out(f"{clock} {line}")
        elif event == Event.DECIDED and a.id != 0:
            mark = {"kept": "+", "discarded": "-", "failed": "x", "rejected": "!",
                    "duplicate": "=", "held": "h"}.get(
                a.status.value, "?")
            why = f"[{a.stage}: {a.reason}]" if a.status in (Status.FAILED, Status.REJECTED,
                                                               Status.HELD) else ""
            self._out(f"{clock} {mark} #{a.id:<4} {a.status.value:<9} score {fmt(a.score):>10}"
                      + (f"  (repair of #{a.repair_of})" if a.repair_of is not None else "")
                      + f"  {cut(a.hypothesis, 70)}" + (f" {cut(why, 120)}" if why else ""))
        elif event == Event.CHAMPION:
            gain = fmt_gain(self.direction.gain(a.score, self.baseline))
            self._out(f"{clock} * new champion #{a.id} score {fmt(a.score)}"
                      + (f" {gain} over baseline" if gain else ""))

    def _out(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def __enter__(self) -> LinePrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def baseline_progress(event: Event, attempt: Attempt) -> None:
    """For commands whose stdout is data (`hone ask --json`): the baseline's runs on stderr,
    one line each, so a long first measurement is not silent."""
    if event == Event.BASELINE_RUN:
        sys.stderr.write(f"hone: baseline: {attempt.reason}\n")
        sys.stderr.flush()


def event_view(config: Config, history: list[Attempt]) -> LinePrinter | LiveView:
    """The live view on a terminal; one line per event otherwise (CI, logs, pipes)."""
    if not sys.stdout.isatty() or os.environ.get("TERM") == "dumb":
        return LinePrinter(config.objective.direction, history)
    from hone.report.live import Limits, LiveView

    budget = config.budget
    return LiveView(Limits(budget.attempts, budget.hours, budget.usd),
                    config.objective.direction, history)


def run_command(directory: Path, run_name: str | None, **flags: Any) -> int:
    from hone.loop.budget import Budget
    from hone.loop.notify import Notice, Notifier
    from hone.loop.session import open_engine, run_session
    from hone.loop.workspace import Workspace
    from hone.mutators import make_mutator
    from hone.plugins import check
    from hone.strategies import make_strategy

    opened = Workspace.open(directory)
    config = apply_overrides(check(opened.config, opened.config_path.name), **flags)
    ws = replace(opened, config=config)
    if flags.get("ray_address") and config.executor.kind != "ray":
        raise UsageError("--ray-address needs --executor ray")
    name, origin = run_name or config.run.name, None
    if flags.get("rebase"):
        from hone.loop.rebase import plan_rebase

        origin, name = plan_rebase(ws, run_name)
    mutator = make_mutator(config.mutator.kind, config)
    strategy = make_strategy(config.search.strategy, config)
    with ws.lock(name, "run"):
        ws.locks.clear_stop(name)  # a request left from before is not for this process
        printer = event_view(config, ws.store.list_attempts(name))
        for line in _opening(ws, name, mutator.name, origin):
            printer._out(line)
        budget = Budget(config.budget.attempts, config.budget.hours, config.budget.usd,
                        stop_file=ws.locks.stop_file(name))
        try:
            with printer, open_engine(ws, name, on_event=printer) as engine:
                end = run_session(engine, mutator, strategy, budget, origin)
                champion, history = engine.champion(), engine.history()
        finally:
            ws.locks.clear_stop(name)
            Notifier(config.notify, name, ws.repo.root, ws.logs_dir(name)).send(
                Notice.STOPPED, _champion(ws, name))
    for line in _summary(end, champion, history, config):
        printer._out(line)
    # Name the run when it is not the default, or the hint would show another run.
    which = "" if name == config.run.name else f" --run {name}"
    printer._out(f"see: hone status -C {ws.repo.root}{which}   |   hone best{which} --branch NAME")
    return 0


def _champion(ws: Workspace, run: str) -> Attempt | None:
    """The run's champion as recorded (None when the run never got a baseline)."""
    info = ws.store.get_run(run)
    return ws.store.get_attempt(run, info.champion) if info is not None else None


def _opening(ws: Workspace, name: str, mutator: str, origin: str | None) -> list[str]:
    """What `hone run` says before it starts: resumed or new (rebased from `origin`), a moved
    branch or uncommitted changes, and with which proposer."""
    from hone.loop.notice import notice_tree

    info = ws.store.get_run(name)
    if info is not None:
        return [f"resuming run {name!r}", *notice_tree(ws, info)]
    lines = [f"starting run {name!r} from HEAD {ws.repo.head()[:10]}, rebased from run "
             f"{origin!r}: its briefs carry the ideas tried there"] if origin else []
    lines += notice_tree(ws, None)
    lines.append(f"mutator: {mutator}" + (" (offline, no LLM)" if mutator == "classic" else "")
                 + (f" (model {ws.config.llm.model})" if mutator == "llm" else ""))
    return lines


def _holdout_lines(final: dict[str, Any] | None) -> list[str]:
    """The final holdout on the champion: its verdict, and the hold it made."""
    if final is None:
        return []
    lines = ["holdout on the champion: " + (
        f"{fmt(final.get('score'))} vs baseline {fmt(final.get('reference'))}"
        if "score" in final else f"failed ({final['failed']})")
        + (" -> OVERFIT" if final.get("worse", True) else " (inconclusive: too few runs "
           "to tell a drop from noise)" if final.get("inconclusive") else "")]
    if "held" in final:
        lines.append(f"#{final['held']} held for review; champion back to #{final['champion']}")
    return lines


def _summary(end: SessionEnd, champion: Attempt, history: list[Attempt],
             config: Config) -> list[str]:
    """What `hone run` says when it stops: the holdout, why, how far, the cost, the
    confirmation."""
    lines = _holdout_lines(end.final_holdout)
    counts: dict[str, int] = {}
    for a in history[1:]:
        counts[a.status.value] = counts.get(a.status.value, 0) + 1
    lines.append(f"stopped: {end.stopped_because}")
    gain = fmt_gain(config.objective.direction.gain(champion.score, history[0].score))
    lines.append(f"baseline {fmt(history[0].score)} -> champion #{champion.id} "
                 f"{fmt(champion.score)}" + (f" ({gain})" if gain and champion.id else "")
                 + "; attempts: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    costs = [a.cost for a in history if a.cost is not None]
    tokens_in = sum(c.tokens_in for c in costs)
    if tokens_in:
        lines.append(f"LLM: {tokens_in} tokens in, "
                     f"{sum(c.tokens_out for c in costs)} out, "
                     f"${sum(c.usd for c in costs):.4f}")
    lines.append(end.confirmation.summary() if end.confirmation is not None
                 else "confirmation: the champion is the baseline, nothing to confirm")
    return lines + _repair_line(history) + _held_line(history)


def _repair_line(history: list[Attempt]) -> list[str]:
    """'3 repairs (2 passed, 1 kept)' when the run made any (loop/repair.py)."""
    from hone.loop.repair import repair_counts

    words = repair_counts(history).words()
    return [words] if words else []


def _held_line(history: list[Attempt]) -> list[str]:
    """The attempts that wait for a person, and what to do about them."""
    held = [f"#{a.id}" for a in history if a.status is Status.HELD]
    return [f"held for review: {', '.join(held)} (hone show ID; then hone approve ID or "
            "hone veto ID)"] if held else []


def simplify_command(directory: Path, run_name: str | None, mutator: str | None, attempts: int,
                     hours: float | None) -> None:
    """`hone simplify`: shrink the champion under the run's lock, then say what changed."""
    from hone.loop.session import open_engine
    from hone.loop.simplify import simplify as do_simplify
    from hone.loop.workspace import Workspace

    ws = Workspace.open(directory)
    name = run_name or ws.config.run.name
    printer = LinePrinter(ws.config.objective.direction, ws.store.list_attempts(name))
    with ws.lock(name, "simplify"), open_engine(ws, name, printer,
                                                simplify_only=True) as engine:
        done = do_simplify(engine, mutator, attempts, hours)
    a, b = done.cost(done.before), done.cost(done.after)
    printer._out(f"stopped: {done.stopped_because}")
    if done.after.id == done.before.id:
        printer._out(f"champion #{done.before.id} unchanged: nothing could be removed")
    else:
        printer._out(f"champion #{done.before.id} -> #{done.after.id}: score "
                     f"{fmt(done.before.score)} -> {fmt(done.after.score)}"
                     + (f", {a.nloc} -> {b.nloc} lines of code, complexity {a.ccn} -> {b.ccn}"
                        if a and b else ""))
