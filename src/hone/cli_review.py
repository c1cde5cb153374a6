"""`hone approve` and `hone veto`: a person's word on a held or kept attempt (registered on the
app by `register`). The rules are in `hone.loop.review`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hone.cli_common import DirOpt, IdArg, JsonOpt, RunOpt, print_json

NoteOpt = Annotated[str, typer.Option("--reason", help="Why, in your words (journaled).")]


def approve(attempt_id: IdArg, reason: NoteOpt = "", as_json: JsonOpt = False,
            directory: DirOpt = Path("."), run_name: RunOpt = None) -> None:
    """Keep a held attempt; it becomes champion when its score beats the champion's."""
    from hone.loop.review import approve as do_approve
    from hone.loop.workspace import Workspace

    ws = Workspace.open(directory)
    done = do_approve(ws, run_name or ws.config.run.name, attempt_id, reason)
    if as_json:
        print_json(done.to_json())
        return
    _say(f"#{done.attempt.id} approved: kept", done.champion.id, done.champion.score,
         done.champion_before.id)


def veto(attempt_id: IdArg, reason: NoteOpt = "", as_json: JsonOpt = False,
         directory: DirOpt = Path("."), run_name: RunOpt = None) -> None:
    """Take a kept or held attempt back; its descendants are tainted, the champion falls back."""
    from hone.loop.review import veto as do_veto
    from hone.loop.workspace import Workspace

    ws = Workspace.open(directory)
    done = do_veto(ws, run_name or ws.config.run.name, attempt_id, reason)
    if as_json:
        print_json(done.to_json())
        return
    _say(f"#{done.attempt.id} vetoed", done.champion.id, done.champion.score,
         done.champion_before.id)
    if done.tainted:
        typer.echo("tainted (descend from it): " + ", ".join(f"#{i}" for i in done.tainted))


def _say(head: str, champion: int, score: float | None, before: int) -> None:
    from hone.loop.brief import fmt

    moved = f" (was #{before})" if champion != before else " (unchanged)"
    typer.echo(f"{head}; champion #{champion} score {fmt(score)}{moved}")


def best_review_lines(view: dict[str, Any]) -> list[str]:
    """What `hone best` says of the champion's flags and of the attempts waiting for review."""
    lines = [f"flag: {flag}" for flag in view["flags"]]
    if view["held"]:
        lines.append("held for review: " + ", ".join(f"#{i}" for i in view["held"])
                     + " (hone approve ID / hone veto ID)")
    return lines


def register(app: typer.Typer) -> None:
    """Add these commands to `app`."""
    app.command()(approve)
    app.command()(veto)
