"""`hone init` and `hone check`: write a config that explains itself, then try it once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hone.cli_common import DirOpt, JsonOpt, print_json
from hone.errors import UsageError
from hone.mcp.cli import AgentOpt

if TYPE_CHECKING:
    from hone.loop.check import Checked, Stage

TAIL_LINES = 10  # of a failed stage's output, on the terminal (the log has it all)


def init(
    objective: Annotated[str | None, typer.Option(
        "--objective", help="Command that prints metrics.")] = None,
    score: Annotated[str, typer.Option(help="Metric name or expression.")] = "score",
    direction: Annotated[str, typer.Option(help="max or min.")] = "max",
    editable: Annotated[list[str] | None, typer.Option(help="Editable glob (repeatable).")] = None,
    protect: Annotated[list[str] | None, typer.Option(help="Protected glob (repeatable).")] = None,
    gate: Annotated[list[str] | None, typer.Option(help="Gate command (repeatable).")] = None,
    goal: Annotated[str, typer.Option(help="The goal in your words.")] =
        "Improve the score of the objective.",
    force: Annotated[bool, typer.Option(help="Overwrite an existing hone.toml.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Then run the gates and the objective once on HEAD.")] = False,
    agent: AgentOpt = None,
    directory: DirOpt = Path("."),
) -> None:
    """Write a commented hone.toml; say what is editable and protected, and why.

    --agent alone: only a coding agent's instructions."""
    from hone.init import init_config
    from hone.mcp.hosts import write_agent_files

    if objective is None and agent is None:
        raise UsageError("Missing option '--objective'.")
    if objective is not None:
        done = init_config(directory, objective, score, direction, editable or [],
                           protect or [], gate or [], force, goal)
        for line in done.explain():
            typer.echo(line)
        typer.echo(f"wrote {done.path}")
    for path in write_agent_files(directory, agent) if agent else []:
        typer.echo(f"wrote {path}")
    if check and objective is not None:
        code = check_command(directory, as_json=False)
        if code:
            typer.echo("hone.toml is written: fix the failing stage (or the config), then "
                       "run `hone check`")
        raise typer.Exit(code)


def check(as_json: JsonOpt = False, directory: DirOpt = Path(".")) -> None:
    """Run the gates and the objective once on HEAD, as a run's baseline.

    No run is created. Exit 0 when every stage passes, 1 when one fails."""
    raise typer.Exit(check_command(directory, as_json))


def check_command(directory: Path, as_json: bool) -> int:
    """Check HEAD and print the stages; the exit code (0 all pass, 1 a stage failed)."""
    from hone.loop.check import check_head
    from hone.loop.workspace import Workspace

    ws = Workspace.open(directory)
    if not as_json:
        typer.echo(f"checking HEAD {ws.repo.head()[:10]}: gates and objective once, "
                   "as `hone run` measures its baseline")
    checked = check_head(ws)
    if as_json:
        print_json(checked.to_json())
    else:
        print_checked(checked, ws.repo.root)
    return 0 if checked.ok else 1


def print_checked(checked: Checked, root: Path) -> None:
    width = max((len(s.stage) for s in checked.stages), default=0)
    for stage in checked.stages:
        typer.echo(_stage_line(stage, width))
        if not stage.ok and not stage.retried:
            tail = stage.log_tail.splitlines()[-TAIL_LINES:]
            typer.echo("  output (last lines):" if tail else "  output: (none)")
            for line in tail:
                typer.echo(f"  | {line}")
            for log in stage.logs:
                typer.echo(f"  log: {_relative(log, root)}")
    if checked.dirty:
        typer.echo("note: uncommitted changes are not measured (hone measures commits)")
    typer.echo("every stage passes" if checked.ok else "a stage fails: `hone run` would "
               "stop at the baseline")


def _stage_line(stage: Stage, width: int) -> str:
    from hone.loop.brief import fmt

    mark = "pass" if stage.ok else "fail" if stage.retried else "FAIL"
    head = f"{mark} {stage.stage:<{width}} {stage.seconds:7.2f}s"
    if not stage.ok:
        return f"{head}  {stage.reason}"
    shown = ", ".join(f"{k}={fmt(v)}" for k, v in stage.metrics.items())
    score = f"score {fmt(stage.score)}" if stage.score is not None else ""
    return "  ".join(part for part in (head, score, f"metrics: {shown}" if shown else "")
                     if part)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def register(app: typer.Typer) -> None:
    """Add these commands to `app`."""
    app.command()(init)
    app.command()(check)
