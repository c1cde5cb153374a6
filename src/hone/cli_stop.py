"""`hone stop`: ask the process working on a run to stop after its attempts in flight
(registered on the app by `register`)."""

from __future__ import annotations

from pathlib import Path

import typer

from hone.cli_common import DirOpt, RunOpt, open_workspace


def stop(directory: DirOpt = Path("."), run_name: RunOpt = None) -> None:
    """Ask a going run to stop after its attempts in flight; exit 1 when none goes."""
    ws = open_workspace(directory)
    name = run_name or ws.config.run.name
    if not ws.locks.request_stop(name):
        others = [r.name for r in ws.store.list_runs() if ws.locks.going(r.name)]
        typer.echo(f"run {name!r} is not going"
                   + (f" (going: {', '.join(others)}; name one with --run)" if others else ""),
                   err=True)
        raise typer.Exit(1)
    holder = ws.locks.holder(name)
    typer.echo(f"asked run {name!r} to stop after its attempts in flight"
               + (f" ({holder.describe()})" if holder else ""))


def register(app: typer.Typer) -> None:
    """Add `hone stop` to `app`."""
    app.command()(stop)
