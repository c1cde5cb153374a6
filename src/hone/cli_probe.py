"""The `hone probe` command (registered on the app by `register`)."""

from __future__ import annotations

from pathlib import Path

import typer

from hone.cli_common import DirOpt, JsonOpt, print_json


def probe(as_json: JsonOpt = False, directory: DirOpt = Path(".")) -> None:
    """Try generic cheats against this config's verifier on HEAD; report what would be kept.

    Runs in a throwaway clone: the repository's runs, branches and files are untouched. Exit
    1 when a cheat would be kept with no flag and no hold."""
    from hone.config.load import load_config
    from hone.loop.workspace import Workspace
    from hone.probe.runner import run_probe
    from hone.probe.table import render
    from hone.table import terminal_width
    from hone.vcs.git import Repo

    def progress(result: object) -> None:
        if not as_json:
            typer.echo(".", nl=False, err=True)

    # Not Workspace.open: a probe writes nothing into the repository, not even `.hone/`.
    repo = Repo.find(directory)
    repo.head()
    config_path, config = load_config(repo.root)
    report = run_probe(Workspace(repo, config_path, config), on_result=progress)
    if as_json:
        print_json(report.to_json())
    else:
        typer.echo("", err=True)
        for line in render(report, terminal_width()):
            typer.echo(line)
    if report.kept:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `hone probe` to `app`."""
    app.command()(probe)
