"""The `hone` command line: each command parses, calls one library function, prints.

Errors for users are one line on stderr (exit 2 for bad usage or config, 1 otherwise);
`--debug` shows tracebacks.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from hone.cli_common import (
    DirOpt,
    IdArg,
    JsonOpt,
    RunOpt,
    in_range,
    normalise_args,
    open_view,
    print_json,
)
from hone.cli_errors import failure
from hone.cli_init import register as register_init
from hone.cli_probe import register as register_probe
from hone.cli_retry import register as register_retry
from hone.cli_review import best_review_lines
from hone.cli_review import register as register_review
from hone.cli_stop import register as register_stop
from hone.cli_views import register as register_views
from hone.errors import HoneError, UsageError
from hone.mcp.cli import mcp_command

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="hone: keep only the changes that make your program truly better.")
register_init(app)
register_views(app)
register_retry(app)
register_probe(app)
register_stop(app)
register_review(app)
state: dict[str, Any] = {"debug": False}

_view = open_view
_print_json = print_json


@contextmanager
def _engine(directory: Path, run: str | None) -> Iterator[Any]:
    """The run's engine and executor, under the repository's lock."""
    from hone.cli_run import baseline_progress
    from hone.loop.session import open_engine
    from hone.loop.workspace import Workspace

    ws = Workspace.open(directory)
    name = run or ws.config.run.name
    with ws.lock(name), open_engine(ws, name, on_event=baseline_progress) as engine:
        yield engine


def _version(value: bool) -> None:
    if value:
        from hone import __version__

        typer.echo(f"hone {__version__}")
        raise typer.Exit()


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
          version: Annotated[bool, typer.Option(
              "--version", callback=_version, is_eager=True,
              help="Print hone's version and exit.")] = False) -> None:
    state["debug"] = debug


@app.command()
def run(
    mutator: Annotated[str | None, typer.Option(help="llm, agent or classic.")] = None,
    model: Annotated[str | None, typer.Option(help="Model for the llm mutator.")] = None,
    attempts: Annotated[int | None, typer.Option(help="Total attempts for the run.")] = None,
    hours: Annotated[float | None, typer.Option(help="Wall-clock hours for this call.")] = None,
    budget_usd: Annotated[float | None, typer.Option(
        "--budget-usd", help="Stop when the run's LLM calls have cost this many dollars.")]
        = None,
    parallel: Annotated[int | None, typer.Option(help="Evaluation slots.")] = None,
    strategy: Annotated[str | None, typer.Option(help="greedy, population or islands.")] = None,
    executor: Annotated[str | None, typer.Option(help="local or ray.")] = None,
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster address.")] = None,
    rebase: Annotated[bool, typer.Option(
        "--rebase", help="Start a new run from HEAD whose briefs carry the run's tried ideas.")]
        = False,
    directory: DirOpt = Path("."),
    run_name: RunOpt = None,
) -> None:
    """Start or resume a run."""
    from hone.cli_run import run_command

    code = run_command(directory, run_name, mutator=mutator, model=model, attempts=attempts,
                       hours=hours, budget_usd=budget_usd, parallel=parallel,
                       strategy=strategy, executor=executor, ray_address=ray_address,
                       rebase=rebase)
    raise typer.Exit(code)


@app.command()
def simplify(
    mutator: Annotated[str | None, typer.Option(
        help="ablate (offline: undo pieces of the run's work), llm or agent.")] = None,
    attempts: Annotated[int, typer.Option(help="Simplification attempts to make.",
                                          callback=in_range)] = 10,
    hours: Annotated[float | None, typer.Option(help="Wall-clock hours for this call.")] = None,
    directory: DirOpt = Path("."),
    run_name: RunOpt = None,
) -> None:
    """Make the champion smaller or simpler while its score stays within noise."""
    from hone.cli_run import simplify_command

    simplify_command(directory, run_name, mutator, attempts, hours)


@app.command()
def status(
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_md: Annotated[bool, typer.Option("--md", help="Print a Markdown table.")] = False,
    columns: Annotated[str | None, typer.Option(help="Columns to show, e.g. id,score,hypothesis.")]
        = None,
    only: Annotated[str | None, typer.Option("--status", help="Only these, e.g. kept,held.")]
        = None,
    last: Annotated[int | None, typer.Option(help="Only the last N attempts shown.",
                                             callback=in_range)] = None,
    directory: DirOpt = Path("."),
    run_name: RunOpt = None,
) -> None:
    """The run's attempts and champion, one line each, fitted to the terminal."""
    from hone.status_table import parse_columns, parse_statuses
    from hone.views import status_view

    if as_json + as_csv + as_md > 1:
        raise UsageError("choose one of --json, --csv and --md")
    cols = parse_columns(columns)
    view = status_view(_view(directory, run_name)).select(parse_statuses(only), last)
    if as_json:
        _print_json(view.to_json())
    elif as_csv:
        sys.stdout.write(view.to_csv(cols))
    elif as_md:
        sys.stdout.write(view.to_markdown(cols))
    else:
        view.print_table(cols)


@app.command()
def show(attempt_id: IdArg, as_json: JsonOpt = False,
         directory: DirOpt = Path("."), run_name: RunOpt = None) -> None:
    """Hypothesis, diff, measurements and logs of one attempt."""
    from hone.show import show_view

    view = show_view(_view(directory, run_name), attempt_id)
    if as_json:
        _print_json(view)
    else:
        from hone.show import print_show

        print_show(view)


@app.command()
def best(
    as_json: JsonOpt = False,
    branch: Annotated[str | None, typer.Option(help="Make an ordinary branch of it.")] = None,
    confirm: Annotated[bool, typer.Option(
        "--confirm", help="Re-measure champion and baseline, interleaved, and report the gain.")]
        = False,
    squash: Annotated[str | None, typer.Option(
        "--squash", help="With --branch: one commit per kept idea (--squash) or a single "
        "commit with a summary (--squash=one).")] = None,
    directory: DirOpt = Path("."),
    run_name: RunOpt = None,
) -> None:
    """The champion; --branch NAME turns it into a branch."""
    from hone.direction import fmt_gain
    from hone.loop.brief import fmt
    from hone.views import best_view

    confirmation = None
    if confirm:
        from hone.loop.measure import confirm_champion

        with _engine(directory, run_name) as engine:
            engine.info()
            confirmation = confirm_champion(engine)
    view = best_view(_view(directory, run_name), branch, squash)
    if confirm:
        view["confirmation"] = confirmation.to_json() if confirmation else None
    if as_json:
        _print_json(view)
    else:
        gain = fmt_gain(view["gain"])
        typer.echo(f"champion #{view['id']} score {fmt(view['score'])} commit {view['commit']}")
        typer.echo(f"baseline score {fmt(view['baseline_score'])}"
                   + (f" ({gain} over baseline)" if gain else ""))
        for line in best_review_lines(view):
            typer.echo(line)
        if confirm:
            typer.echo(confirmation.summary() if confirmation else
                       "the champion is the baseline: nothing to confirm")
        if branch:
            how = f" ({view['commits']} commit(s) on the baseline)" if squash else ""
            typer.echo(f"branch {branch} -> {view['branch_commit']}{how}")


@app.command()
def ask(as_json: JsonOpt = False,
        parent: Annotated[int | None, typer.Option(help="Parent attempt (default champion).",
                                                   callback=in_range)]
        = None,
        directory: DirOpt = Path("."), run_name: RunOpt = None) -> None:
    """Reserve an attempt for an outside proposer: a worktree and a brief."""
    from hone.loop.asktell import ask as do_ask

    with _engine(directory, run_name) as engine:
        asked = do_ask(engine, parent)
        default = engine.ws.config.run.name
    if as_json:
        _print_json(asked.to_json())
    else:
        # Name the run when it is not the default, or the follow-up would tell another run.
        which = f" --run {engine.run}" if engine.run != default else ""
        typer.echo(f"attempt #{asked.id} from #{asked.parent}\n"
                   f"edit files in: {asked.workdir}\nbrief: {asked.brief}\n"
                   f"then: hone tell {asked.id}{which} --hypothesis '...'")


@app.command()
def tell(attempt_id: IdArg,
         hypothesis: Annotated[str, typer.Option(help="What you changed and why.")] = "",
         as_json: JsonOpt = False, directory: DirOpt = Path("."),
         run_name: RunOpt = None) -> None:
    """Commit, verify and decide an attempt made with `hone ask`."""
    from hone.loop.asktell import tell as do_tell

    with _engine(directory, run_name) as engine:
        told = do_tell(engine, attempt_id, hypothesis)
    if as_json:
        _print_json(told.to_json())
    else:
        from hone.loop.brief import fmt

        a = told.attempt
        typer.echo(f"#{a.id} {a.status.value} score {fmt(a.score)} "
                   f"(champion #{told.champion.id} {fmt(told.champion.score)})"
                   + (f" {a.reason}" if a.reason else ""))
        if told.compared is not None and told.compared.metrics:
            typer.echo(f"metrics: {told.compared.row()}")


@app.command()
def report(
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="HTML file to write.")] = None,
    directory: DirOpt = Path("."),
    run_name: RunOpt = None,
) -> None:
    """Write a self-contained HTML report of the run (default .hone/reports/RUN.html)."""
    from hone.report.render import write_report

    view = _view(directory, run_name)
    view.info()  # a one-line error for a run that does not exist
    path = output or view.ws.dir / "reports" / f"{view.run}.html"
    typer.echo(f"wrote {write_report(view, path)}")


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8765,
    directory: DirOpt = Path("."),
    run_name: RunOpt = None,
) -> None:
    """Serve a live dashboard of the run on 127.0.0.1."""
    from hone.report.server import serve

    try:
        serve(_view(directory, run_name), port)
    except KeyboardInterrupt:
        state["interrupted"] = False  # stopping the dashboard is its normal end
        typer.echo("hone ui: stopped")


app.command("mcp")(mcp_command)


def _interrupt(signum: int, frame: object) -> None:
    state["interrupted"] = True
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turn errors into one line and an exit code."""
    signal.signal(signal.SIGTERM, _interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
    command = typer.main.get_command(app)
    args = list(argv if argv is not None else sys.argv[1:])
    args = normalise_args(args)
    try:
        result = command.main(args=args, prog_name="hone", standalone_mode=False)
    except (typer.Exit, typer.Abort, typer.TyperException, HoneError, KeyboardInterrupt) as exc:
        return failure(exc, debug=bool(state["debug"] or os.environ.get("HONE_DEBUG")))
    if state.get("interrupted"):
        # Typer turns Ctrl-C into a plain exit code 130; say what happened.
        sys.stderr.write("hone: interrupted; `hone run` resumes\n")
        return 130
    return int(result) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
