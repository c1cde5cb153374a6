"""The `hone retry` command (registered on the app by `register`)."""

from __future__ import annotations

from pathlib import Path

import typer

from hone.cli_common import DirOpt, IdArg, JsonOpt, RunOpt, print_json
from hone.errors import RunLocked, UsageError


def retry(attempt_id: IdArg, as_json: JsonOpt = False, directory: DirOpt = Path("."),
          run_name: RunOpt = None) -> None:
    """Verify a failed or rejected attempt's change again (a flaky gate, a timeout), as a new
    attempt."""
    from hone.loop.asktell import Told
    from hone.loop.brief import fmt
    from hone.loop.retry import retry as do_retry
    from hone.loop.session import open_engine
    from hone.loop.workspace import Workspace

    ws = Workspace.open(directory)
    name = run_name or ws.config.run.name
    try:
        lock = ws.lock(name, "retry")
    except RunLocked as exc:  # a retry waits for no one: say so, as for bad usage
        raise UsageError(f"cannot retry now: {exc}") from None
    with lock, open_engine(ws, name) as engine:
        attempt = do_retry(engine, attempt_id)
        told = Told(attempt, engine.champion())
    if as_json:
        print_json({**told.to_json(), "stage": attempt.stage, "retry_of": attempt_id})
        return
    typer.echo(f"#{attempt.id} (retry of #{attempt_id}) {attempt.status.value} score "
               f"{fmt(attempt.score)} (champion #{told.champion.id} "
               f"{fmt(told.champion.score)})" + (f" {attempt.reason}" if attempt.reason else ""))
    for flake in attempt.flakes:
        typer.echo(f"flag: {flake}")


def register(app: typer.Typer) -> None:
    """Add `retry` to `app`."""
    app.command()(retry)
