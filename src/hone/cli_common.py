"""What every command module of the CLI shares: the common options, JSON output, and the
read-only view of a run (which still opens when hone.toml is broken)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hone.errors import ConfigError

if TYPE_CHECKING:
    from hone.loop.view import RunView
    from hone.loop.workspace import Workspace



def _run_name(name: str | None) -> str | None:
    """`--run` checked as `[run] name` is: it becomes a git ref and a folder name."""
    from hone.config.names import run_name_problem

    problem = run_name_problem(name) if name is not None else None
    if problem:
        raise typer.BadParameter(problem)
    return name


# Ids and counts fit SQLite's integers: `show 99999999999999999999` is bad usage, not a crash.
MAX_ID = 2**63 - 1


def in_range(value: int | None) -> int | None:
    """A callback for ids and counts: `value` when it is between 0 and MAX_ID (checked by
    hand rather than by a Click range, whose bounds would widen every help page)."""
    if value is not None and not 0 <= value <= MAX_ID:
        raise typer.BadParameter(f"{value} is not between 0 and {MAX_ID}")
    return value


DirOpt = Annotated[Path, typer.Option("-C", help="Run as if hone was started in DIR.")]
RunOpt = Annotated[str | None, typer.Option("--run", callback=_run_name, metavar="NAME",
                                            help="Run name (default: \\[run] name).")]
IdArg = Annotated[int, typer.Argument(metavar="ID", callback=in_range)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

# The version of every `--json` output's shape: raised when a key changes meaning or goes away
# (new keys may appear within a version). 2: `best --json` "gain" is a number, not text.
JSON_SCHEMA = 2


def print_json(obj: dict[str, Any]) -> None:
    """`obj` with its `schema_version`, as indented JSON on stdout."""
    out = {"schema_version": JSON_SCHEMA, **obj}
    sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")


def open_view(directory: Path, run: str | None) -> RunView:
    """A read-only view of the run (no git process, no verifier). When the config is broken
    (a typo in hone.toml) the run is read with the config its journal recorded at creation,
    and the config's problem is one warning line on stderr."""
    from hone.loop.view import RunView
    from hone.loop.workspace import Workspace

    try:
        ws = Workspace.open(directory)
    except ConfigError as exc:
        return _from_journal(directory, run, exc)
    return RunView(ws, run or ws.config.run.name)


def open_workspace(directory: Path) -> Workspace:
    """The repository opened for a command that reads or tidies all its runs (`runs`, `gc`);
    with a broken config, opened with the config a run of its journal recorded."""
    from hone.loop.workspace import Workspace

    try:
        return Workspace.open(directory)
    except ConfigError as exc:
        return _from_journal(directory, None, exc, any_run=True).ws


def _from_journal(directory: Path, run: str | None, problem: ConfigError,
                  any_run: bool = False) -> RunView:
    """The run as its journal recorded it (with `any_run`, the newest when the named one is
    missing); re-raises `problem` when there is no such run."""
    from hone.config.load import CONFIG_FILE
    from hone.config.model import Config
    from hone.loop.view import RunView
    from hone.loop.workspace import Workspace, journal_paths
    from hone.store import SQLiteStore
    from hone.vcs.git import Repo

    repo = Repo.find(directory)
    # The journal's place, or the working tree's before it moved.
    db = next((p for p in journal_paths(repo) if p.is_file()), None)
    if db is None:
        raise problem
    runs = {info.name: info for info in SQLiteStore(db).list_runs()}
    name = run or _configured_name(repo.root) or (next(iter(runs)) if len(runs) == 1 else "")
    info = runs.get(name) or (list(runs.values())[-1] if any_run and runs else None)
    if info is None:
        raise problem
    try:
        config = Config.model_validate(info.config)
    except ValueError:  # a journal older than the config's shape
        raise problem from None
    sys.stderr.write(f"hone: warning: {str(problem).splitlines()[0]}; "
                     f"reading run {info.name!r} with the config it started with\n")
    return RunView(Workspace(repo, repo.root / CONFIG_FILE, config), info.name)


def _configured_name(root: Path) -> str | None:
    """`[run] name` from the config file when it can be read at all, else None."""
    from hone.config.load import find_config

    try:
        _, raw = find_config(root)
    except ConfigError:
        return None
    section = raw.get("run")
    name = section.get("name") if isinstance(section, dict) else None
    return name if isinstance(name, str) else "main"


def normalise_args(args: list[str]) -> list[str]:
    """The command line as Typer wants it: `--debug` anywhere (moved before the command), and
    `--squash` bare, `--squash one` or `--squash=one` (a bare one given its default)."""
    out: list[str] = []
    debug = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":  # everything after it is an argument, as given
            out += [arg, *rest]
            break
        if arg == "--debug":
            debug = True
        elif arg == "--squash":
            value = rest.pop(0) if rest and rest[0] in ("one", "ideas") else "ideas"
            out.append(f"--squash={value}")
        else:
            out.append(arg)
    return (["--debug"] if debug else []) + out
