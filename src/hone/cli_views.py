"""The `hone runs`, `hone diff` and `hone gc` commands (registered on the app by `register`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hone.cli_common import (
    DirOpt,
    JsonOpt,
    RunOpt,
    in_range,
    open_view,
    open_workspace,
    print_json,
)


def runs(as_json: JsonOpt = False, directory: DirOpt = Path(".")) -> None:
    """The runs of this repository: attempts, best score, gain, state."""
    import time

    from hone.direction import fmt_gain
    from hone.loop.brief import fmt
    from hone.runs import run_rows
    from hone.table import Column, fit, terminal_width

    rows = run_rows(open_workspace(directory))
    if as_json:
        print_json({"runs": [r.to_json() for r in rows]})
        return
    if not rows:
        typer.echo("no runs yet; start one with `hone run`")
        return
    columns = [Column("run", cap=40), Column("state"), Column("created"),
               Column("attempts", right=True), Column("kept", right=True),
               Column("best", right=True), Column("gain", right=True),
               Column("champion", right=True), Column("direction")]
    cells = [[r.name, r.state, time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created)),
              str(r.attempts), str(r.kept), fmt(r.best) if r.best is not None else "",
              fmt_gain(r.gain), f"#{r.champion}", r.direction] for r in rows]
    for line in fit(columns, cells, terminal_width(), ("direction", "champion", "created")):
        typer.echo(line)


def diff(a: Annotated[int, typer.Argument(metavar="A", callback=in_range)],
         b: Annotated[int, typer.Argument(metavar="B", callback=in_range)],
         stat: Annotated[bool, typer.Option("--stat", help="Only files and line counts.")]
         = False,
         directory: DirOpt = Path("."), run_name: RunOpt = None) -> None:
    """The change from attempt A to attempt B (a unified diff)."""
    from hone.runs import attempts_diff

    text = attempts_diff(open_view(directory, run_name), a, b, stat)
    sys.stdout.write(text + ("\n" if text else ""))


def gc(dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go; remove "
                                              "nothing.")] = False,
       as_json: JsonOpt = False, directory: DirOpt = Path(".")) -> None:
    """Remove the worktrees and logs under .hone/ that no run needs."""
    from hone.gc import collect, human_size

    ws = open_workspace(directory)
    done = collect(ws, dry_run)
    if as_json:
        print_json(done.to_json())
        return
    verb = "would remove" if dry_run else "removed"
    for r in done.removals:
        typer.echo(f"{verb} {r.path.relative_to(ws.repo.root)} ({human_size(r.size)}): {r.why}")
    typer.echo(f"{verb} {len(done.removals)} folder(s), {human_size(done.size)}"
               if done.removals else "nothing to remove")
    if done.skipped_busy:
        typer.echo("a run is going: the worktrees it reuses were left in place")


def register(app: typer.Typer) -> None:
    """Add these commands to `app`."""
    app.command()(runs)
    app.command()(diff)
    app.command()(gc)
