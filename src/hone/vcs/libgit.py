"""pygit2 (libgit2), loaded on first use, for the git work hone does on every attempt in-process.

It is a shortcut, never a second source of truth: every caller falls back to the git CLI when
pygit2 is missing, raises, or could answer differently from git here (`Unsupported`). What
could differ is decided by `check_env` and `check_config`, conservatively.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from pathlib import Path
from typing import Any

# Environment variables git honours and libgit2 does not (or not the same way): with any of
# them set, hone asks git.
_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
            "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "GIT_CONFIG", "GIT_CONFIG_GLOBAL",
            "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_COUNT",
            "GIT_CONFIG_PARAMETERS", "GIT_ATTR_NOSYSTEM", "GIT_REPLACE_REF_BASE",
            "GIT_NO_REPLACE_OBJECTS", "GIT_ICASE_PATHSPECS", "GIT_LITERAL_PATHSPECS")
GITLINK = 0o160000  # a submodule's entry in a tree

_LOCK = threading.Lock()
_IMPORT = threading.Lock()  # one import, whichever thread asks first
_loaded: Any = None  # the pygit2 module, False once its import failed


class Unsupported(Exception):
    """The in-process path could differ from git for this repository or call: ask git."""


def pygit2() -> Any:
    """The pygit2 module; `Unsupported` when it cannot be imported (imported once, lazily:
    it takes about 0.1 s, which commands that never commit should not pay)."""
    global _loaded
    with _IMPORT:
        if _loaded is None:
            try:
                _loaded = importlib.import_module("pygit2")
            except ImportError:
                _loaded = False
    if _loaded is False:
        raise Unsupported("pygit2 is not importable")
    return _loaded


def preload() -> None:
    """Import pygit2 in a background thread now (a run's start), so that the first attempt's
    commit does not wait for it."""
    threading.Thread(target=_import_quietly, daemon=True, name="hone-pygit2").start()


def _import_quietly() -> None:
    with contextlib.suppress(Unsupported):  # said again, and git used, where it is needed
        pygit2()


def check_env() -> None:
    """`Unsupported` when the environment tells git something libgit2 would not hear."""
    for name in _GIT_ENV:
        if name in os.environ:
            raise Unsupported(f"{name} is set")


# Settings under which libgit2 and hone's git calls (see git.SAFE_CONFIG) may write or print
# something else, with the value that is harmless (None: any value may matter).
_BOOLS = (("core.autocrlf", False), ("core.filemode", True), ("core.symlinks", True),
          ("core.ignorecase", False), ("core.precomposeunicode", False),
          ("core.sparsecheckout", False), ("core.splitindex", False), ("index.skiphash", False),
          ("core.quotepath", True), ("diff.indentheuristic", True), ("diff.relative", False),
          ("diff.noprefix", False), ("diff.mnemonicprefix", False),
          ("diff.suppressblankempty", False))
_VALUES: tuple[tuple[str, str | None], ...] = (
    ("core.eol", None), ("core.safecrlf", None), ("core.abbrev", None), ("commit.cleanup", None),
    ("i18n.commitencoding", None), ("diff.algorithm", "myers"), ("diff.orderfile", None),
    ("diff.interhunkcontext", "0"), ("diff.srcprefix", None), ("diff.dstprefix", None),
    ("core.bigfilethreshold", None))
_EXTENSIONS = ("extensions.noop", "extensions.worktreeconfig")


_CONFIG_OK: dict[str, tuple[tuple[int, int] | None, ...]] = {}


def check_config(repo: Any) -> None:
    """`Unsupported` when the repository's configuration (all levels) holds a setting under
    which libgit2 could commit or diff otherwise than git, or an extension libgit2 may not
    honour (libgit2 refuses to open repositories with extensions it does not know at all).
    Filter and diff drivers are the attributes' business (see the callers). A repository
    found fine is not read again until one of its configuration files changes."""
    key = str(repo.path)
    stamp = _config_stamp(repo)
    if _CONFIG_OK.get(key) == stamp:
        return
    if not _check_config(repo):  # it includes other files: read it every time
        return
    with _LOCK:
        _CONFIG_OK[key] = stamp


def _config_stamp(repo: Any) -> tuple[tuple[int, int] | None, ...]:
    """(mtime, size) of every file git reads configuration from for `repo` (None: absent)."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    try:  # a worktree's admin folder names the repository's own git folder
        with open(os.path.join(repo.path, "commondir")) as fh:
            common = os.path.join(repo.path, fh.read().strip())
    except OSError:
        common = repo.path
    paths = (os.path.join(repo.path, "config"), os.path.join(repo.path, "config.worktree"),
             os.path.join(common, "config"), os.path.join(common, "config.worktree"),
             os.path.join(home, ".gitconfig"), os.path.join(xdg, "git", "config"),
             "/etc/gitconfig")
    out: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = os.stat(path)
            out.append((info.st_mtime_ns, info.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def _check_config(repo: Any) -> bool:
    """`check_config` itself; whether the configuration is read from its files alone (no
    `include`), so that their stamps say when it may have changed."""
    config = repo.config
    try:
        for key, harmless in _BOOLS:
            if key in config and config.get_bool(key) != harmless:
                raise Unsupported(f"{key} is not {harmless}")
    except pygit2().GitError as error:  # not a boolean (core.autocrlf = input)
        raise Unsupported(str(error)) from None
    for key, value in _VALUES:
        if key in config and (value is None or str(config[key]).lower() != value):
            raise Unsupported(f"{key} is set")
    alone = True
    for entry in config:
        name = entry.name.lower()
        if name.startswith("extensions.") and name not in _EXTENSIONS:
            raise Unsupported(f"{name} is set")
        alone = alone and not name.startswith(("include.", "includeif."))
    return alone


class Opened:
    """Repositories (worktrees) opened once per process, each with a lock: a libgit2 handle is
    not safe to share between threads, and parallel slots commit at the same time."""

    def __init__(self) -> None:
        self._open: dict[Path, tuple[int, Any, threading.Lock]] = {}

    def get(self, path: Path) -> tuple[Any, threading.Lock]:
        """The handle and lock for the repository or worktree at `path`, reopened when its
        `.git` is another file or folder (a worktree removed and added again)."""
        stamp = os.stat(path / ".git").st_ino
        with _LOCK:
            held = self._open.get(path)
            if held is not None and held[0] == stamp:
                return held[1], held[2]
        handle = pygit2().Repository(str(path))
        lock = threading.Lock()
        with _LOCK:
            self._open[path] = (stamp, handle, lock)
        return handle, lock


OPENED = Opened()
