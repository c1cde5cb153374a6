"""Interpreter hygiene for Python objectives: what a change may not bring in, how commands run.

A new file named like a standard-library or installed module (`json.py`, `time/__init__.py`)
is imported in its place by a script in the same folder, harness included; committed
bytecode (`__pycache__/`, `.pyc`) and other binary files carry code the diff does not show.
`hygiene_failures` rejects both (the loop calls it when an attempt is materialised).
`python_env` is the environment every command gets: no user site-packages, and bytecode
written outside the worktree, so that a stale or planted `.pyc` there is never read.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import pkgutil
import site
import sys
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path, PurePosixPath

import pathspec

from hone.resolve import resolved
from hone.safe_read import read_capped

# Names some distributions install at top level by mistake; a project's own folder of that
# name is not shadowing anything anyone imports.
_SLOPPY = frozenset({"tests", "test", "docs", "doc", "examples", "scripts", "benchmarks",
                     "bench", "src", "build", "tools", "utils"})
_SUFFIXES = (".py", ".pyc", ".pyw", ".pyd", ".so")
_SNIFF = 8000  # bytes read to decide that a file is binary, as git does


def python_env(pycache_prefix: str) -> dict[str, str]:
    """Variables for every command: no user site, bytecode under `pycache_prefix` (outside
    the worktree; Python then also ignores `__pycache__` folders in the worktree)."""
    return {"PYTHONNOUSERSITE": "1", "PYTHONPYCACHEPREFIX": pycache_prefix}


@functools.cache
def installed_modules() -> frozenset[str]:
    """Top-level module names importable from site-packages of this interpreter."""
    names: set[str] = set(importlib.metadata.packages_distributions())
    dirs = [p for p in [*site.getsitepackages(), site.getusersitepackages(), *sys.path]
            if "site-packages" in p or "dist-packages" in p]
    names.update(m.name for m in pkgutil.iter_modules(dirs))
    return frozenset(n for n in names if n.isidentifier() and n not in _SLOPPY)


def module_name(path: str) -> str | None:
    """The top-level module a file defines when its folder is on sys.path: `json.py`,
    `json/__init__.py`, `json.cpython-311-x86_64-linux-gnu.so` all define `json`."""
    p = PurePosixPath(path)
    if "__pycache__" in p.parts:
        return None
    if p.name in ("__init__.py", "__init__.pyc") and len(p.parts) >= 2:
        return p.parent.name
    if not p.name.endswith(_SUFFIXES):
        return None
    return p.name.split(".", 1)[0]


def shadowing(paths: Iterable[str], baseline_paths: Collection[str] = ()) -> list[str]:
    """Reasons, one per path that would be imported in place of a standard-library or
    installed module. Paths that existed at the baseline are the project's own layout."""
    out: list[str] = []
    for path in paths:
        if path in baseline_paths:
            continue
        name = module_name(path)
        if not name or name.startswith("__") or not name.isidentifier():
            continue
        if name in sys.stdlib_module_names:
            out.append(f"{path} shadows the standard-library module {name!r}")
        elif name in installed_modules():
            out.append(f"{path} shadows the installed module {name!r}")
    return out


def binaries(workdir: Path, paths: Iterable[str], allow: Sequence[str] = ()) -> list[str]:
    """Reasons, one per committed bytecode or binary file not matched by `allow` (gitignore
    patterns): the diff shows them as "Binary files differ", so no one can review them."""
    allowed = pathspec.GitIgnoreSpec.from_lines(list(allow))
    out: list[str] = []
    for path in paths:
        if allowed.match_file(path):
            continue
        p = PurePosixPath(path)
        if "__pycache__" in p.parts or p.suffix in (".pyc", ".pyo"):
            out.append(f"{path} is committed bytecode, which runs instead of the source")
        elif _is_binary(workdir / path):
            out.append(f"{path} is a binary file (allow it with a pattern if it is data)")
    return out


def escapes(workdir: Path, paths: Iterable[str]) -> list[str]:
    """Reasons, one per path that is a symlink leaving `workdir` (absolute, or `..` out of
    it) or that is or leads to a special file (a device, FIFO or socket): hone and the
    commands would act on something outside the candidate's own files."""
    root = resolved(workdir)
    out: list[str] = []
    for path in paths:
        file = workdir / path
        if file.is_symlink():
            target = os.readlink(file)
            lands = (file.parent / target).resolve()
            if os.path.isabs(target) or not lands.is_relative_to(root):
                out.append(f"{path} is a symlink that leaves the worktree ({target})")
                continue
            file = lands
        if file.exists() and not (file.is_file() or file.is_dir()):
            out.append(f"{path} is a special file (a device, FIFO or socket)")
    return out


def hygiene_failures(workdir: Path, changed_paths: Iterable[str], allow: Sequence[str] = (),
                     baseline_paths: Collection[str] = ()) -> list[str]:
    """Why a change must be rejected before anything runs: files in `changed_paths` (added,
    renamed or modified, relative to `workdir`) that are symlinks leaving it or special files,
    that shadow a module, and committed bytecode or binaries not matched by `allow`. Empty
    when the change is clean."""
    paths = list(dict.fromkeys(changed_paths))
    return (escapes(workdir, paths) + shadowing(paths, baseline_paths)
            + binaries(workdir, paths, allow))


def _is_binary(path: Path) -> bool:
    return b"\0" in (read_capped(path, _SNIFF, head=True) or b"")
