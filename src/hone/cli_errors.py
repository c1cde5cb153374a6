"""How the command line reports why a command stopped: one line on stderr and an exit code
(2 bad usage or config, 130 interrupted, 1 any other failure)."""

from __future__ import annotations

import sys

import typer

from hone.errors import HoneError


def failure(exc: BaseException, debug: bool = False) -> int:
    """Say why the command stopped, in one line (plus a log tail's context); its exit code.
    With `--debug` (or HONE_DEBUG) a usage or hone error shows its traceback instead."""
    if isinstance(exc, typer.Exit):
        return int(exc.exit_code)
    if isinstance(exc, typer.Abort):
        sys.stderr.write("hone: interrupted\n")
        return 130
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("hone: interrupted; `hone run` resumes\n")
        return 130
    if debug:
        raise exc
    if isinstance(exc, typer.TyperException):  # bad usage: unknown option, missing argument
        message = (exc.format_message().splitlines() or ["bad usage"])[0]
        sys.stderr.write(f"hone: error: {message}\n")
        return 2
    assert isinstance(exc, HoneError)
    lines = str(exc).splitlines() or [type(exc).__name__]
    sys.stderr.write(f"hone: error: {lines[0]}\n")
    # Extra lines (a failing gate's log tail) are context, indented under the message.
    for line in lines[1:]:
        sys.stderr.write(f"  | {line}\n")
    return exc.exit_code
