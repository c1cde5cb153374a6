"""The `hone probe` table and the lines under it: what would be kept, and how to stop it."""

from __future__ import annotations

import textwrap

from hone.probe.result import Outcome, ProbeReport, Result
from hone.table import Column, fit

HARNESS = ("run the candidate in a child process and measure from the parent (the harness "
           "pattern, as examples/circle-packing/evaluate.py does)")


def _note(result: Result) -> str:
    if result.outcome is Outcome.KEPT:
        return result.what
    if result.stage:
        return f"{result.stage}: {result.detail}"
    return result.detail


def render(report: ProbeReport, width: int) -> list[str]:
    """The table (one row per cheat, fitting `width`), then the fix for each cheat that would
    be kept, the in-process warning, the verdict and what the probe cost."""
    columns = [Column("cheat", cap=18), Column("outcome", cap=8), Column("gain", right=True),
               Column("how it was stopped, or what it did", flexible=True)]
    rows = [[r.cheat, r.outcome.value,
             f"{r.gain:+.0%}" if r.gain is not None and r.outcome is not Outcome.NO_GAIN
             else "", _note(r)] for r in report.results]
    lines = fit(columns, rows, width, ("gain",))

    def para(text: str) -> None:
        lines.extend(textwrap.wrap(text, width, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False))

    kept = report.kept
    para(f"{len(kept)} of {len(report.results)} cheats would be kept silently"
         + (": " + ", ".join(r.cheat for r in kept) if kept else ""))
    for result in kept:
        para(f"- {result.cheat}: {result.fix}")
    if report.in_process:
        para(f"the objective imports editable code into its own process "
             f"({', '.join(report.in_process)}): code there can print or time what it "
             f"reports; {HARNESS}")
    if report.measures_off:
        para(f"the score looks like a {report.measures_off} but [objective] measures = "
             f"\"other\": a claimed speed-up is not checked against the process's own CPU "
             f"time (work moved before the timer passes); set measures = "
             f"\"{report.measures_off}\"")
    para(f"probe took {report.seconds:.1f} s ({report.objective_runs} objective runs)")
    return lines
