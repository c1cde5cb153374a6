"""What the jail hides and shows again, read from files (no subprocess) and memoised.

The user's repository however it is checked out (plain, submodule, linked worktree, bare plus
worktrees), the home folder except the toolchains on PATH, git's binaries, and unix sockets
bound on the filesystem. Used by verify/sandbox.py to build the bwrap command line.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from hone.resolve import resolved

# Credential stores under $HOME: hidden even inside a path that is shown again.
HOME_SECRETS = (".ssh", ".aws", ".gnupg", ".netrc", ".docker", ".kube", ".pypirc",
                ".git-credentials", ".config/gcloud", ".config/gh", ".config/openai", ".codex",
                ".claude", ".anthropic", ".azure", ".npmrc", ".cargo/credentials",
                ".cargo/credentials.toml", ".cache/huggingface/token", ".huggingface/token",
                ".config/git/credentials", ".gitconfig", ".config/git/config", ".vault-token",
                ".pgpass", ".claude.json", ".env", ".bash_history", ".zsh_history",
                ".python_history", ".local/share/keyrings", ".password-store", ".terraform.d")
# What git needs besides `git` itself; all are hidden so that no git runs in the jail.
GIT_NAMES = ("git", "git-shell", "git-receive-pack", "git-upload-pack", "git-upload-archive",
             "git-cvsserver", "gitk", "scalar")
GIT_EXEC_DIRS = (Path("/usr/lib/git-core"), Path("/usr/libexec/git-core"))
RESOLV_CONF = Path("/etc/resolv.conf")
_T = TypeVar("_T")
_WORKTREE = re.compile(r"^\s*worktree\s*=\s*(.+?)\s*$", re.MULTILINE)


def under(path: Path, parent: Path) -> bool:
    """Whether `path` is `parent` or inside it (both absolute, resolved)."""
    return path == parent or parent in path.parents


def _gitdir(checkout: Path) -> Path | None:
    """The git directory of a checkout: `.git` itself, or where a `.git` file points."""
    dotgit = checkout / ".git"
    try:
        if dotgit.is_dir():
            return dotgit
        text = dotgit.read_text(errors="replace")
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:"):].strip())
    return (checkout / target).resolve() if not target.is_absolute() else target.resolve()


def _common(gitdir: Path) -> Path:
    try:
        rel = (gitdir / "commondir").read_text().strip()
    except OSError:
        return gitdir
    return (gitdir / rel).resolve()


def _checkouts(common: Path) -> list[Path]:
    """Every working tree of the repository whose common git dir is `common`."""
    found: list[Path] = []
    try:  # a submodule's (or --separate-git-dir) main checkout is named in its config
        match = _WORKTREE.search((common / "config").read_text(errors="replace"))
    except OSError:
        match = None
    if match:
        found.append((common / match.group(1)).resolve())
    elif common.name == ".git":
        found.append(common.parent)
    try:
        linked = list((common / "worktrees").iterdir())
    except OSError:
        linked = []
    for entry in linked:
        try:
            found.append(Path((entry / "gitdir").read_text().strip()).resolve().parent)
        except OSError:
            continue
    return found


def _stamp(paths: Iterable[Path]) -> tuple[int, ...]:
    stamps = []
    for p in paths:
        try:
            stamps.append(p.stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


class _Memo(Generic[_T]):
    """Answers per worktree, each kept until one of the files it was found from (`watched`)
    changes its modification time. Thread-safe."""

    def __init__(self) -> None:
        self._found: dict[Path, tuple[tuple[Path, ...], tuple[int, ...], _T]] = {}
        self._lock = threading.Lock()

    def get(self, workdir: Path) -> tuple[bool, _T | None]:
        """(True, the answer) while it holds, else (False, None)."""
        with self._lock:
            cached = self._found.get(workdir)
        if cached is not None and _stamp(cached[0]) == cached[1]:
            return True, cached[2]
        return False, None

    def put(self, workdir: Path, watched: Sequence[Path], answer: _T) -> _T:
        with self._lock:
            self._found[workdir] = (tuple(watched), _stamp(watched), answer)
        return answer


_hidden: _Memo[tuple[Path, ...]] = _Memo()
_checkout: _Memo[Path | None] = _Memo()


def repo_hidden(workdir: Path) -> tuple[Path, ...]:
    """Directories that hold the user's repository as seen from `workdir` (a hone worktree).

    The checkouts above `workdir`, the common git dir, every checkout of the repository, and for
    a submodule the superproject's `.git` and checkout. Memoised per workdir until a git dir's
    list of worktrees changes.
    """
    workdir = resolved(workdir)
    held, known = _hidden.get(workdir)
    if held and known is not None:
        return known
    hidden: list[Path] = []
    watched: list[Path] = [workdir / ".git"]
    for checkout in [workdir, *workdir.parents]:
        gitdir = _gitdir(checkout)
        if gitdir is None:
            continue
        if checkout != workdir:
            hidden.append(checkout)
        common = _common(gitdir)
        watched.append(common / "worktrees")
        hidden += [common, *_checkouts(common)]
        if ".git" in common.parts[:-1]:  # a submodule: .../super/.git/modules/<name>
            top = Path(*common.parts[:common.parts.index(".git") + 1])
            hidden += [top, top.parent]
    return _hidden.put(workdir, watched, _outermost(p for p in hidden if p != Path("/")))


def user_checkout(workdir: Path) -> Path | None:
    """The user's checkout a hone worktree belongs to: the nearest checkout above it (hone's
    worktrees live inside it), else the repository's main checkout; None when there is none.
    Memoised per workdir until one of the git files it was found from changes."""
    workdir = resolved(workdir)
    held, known = _checkout.get(workdir)
    if held:
        return known
    watched = [p / ".git" for p in (workdir, *workdir.parents)]
    return _checkout.put(workdir, watched, _user_checkout(workdir, watched))


def _user_checkout(workdir: Path, watched: list[Path]) -> Path | None:
    for checkout in workdir.parents:
        if _gitdir(checkout) is not None:
            return checkout
    gitdir = _gitdir(workdir)
    if gitdir is None:
        return None
    common = _common(gitdir)
    watched += [gitdir / "commondir", common / "config", common / "worktrees"]
    found = _checkouts(common)
    return found[0] if found and found[0] != workdir else None


def _outermost(paths: Iterable[Path]) -> tuple[Path, ...]:
    kept: list[Path] = []
    for p in sorted(set(paths), key=lambda q: len(q.parts)):
        if not any(under(p, k) for k in kept):
            kept.append(p)
    return tuple(kept)


@functools.lru_cache(maxsize=64)
def toolchains(masked: tuple[Path, ...], repos: tuple[Path, ...], path_var: str,
               env_roots: tuple[str, ...]) -> tuple[Path, ...]:
    """Toolchain paths under a masked directory, to show again read-only.

    From PATH entries, hone's own interpreter and the roots named by VIRTUAL_ENV, CONDA_PREFIX,
    PYENV_ROOT, CARGO_HOME/RUSTUP_HOME (`env_roots`). A `bin` folder of a virtual environment
    stands for the whole environment; any other `bin` brings its sibling `lib`; `~/.cargo/bin`
    brings the rustup toolchains; pyenv shims bring the pyenv root. Under a repository in
    `repos` only virtual environments are shown (never the user's other files).
    """
    dirs = [Path(p) for p in path_var.split(os.pathsep) if p]
    dirs += [Path(sys.prefix), Path(sys.executable).parent]
    roots = [Path(r) for r in env_roots if r]
    found = [path for candidate in [*dirs, *roots]
             for path in _expand(candidate, is_root=candidate in roots)
             if _to_show(path, masked, repos)]
    return _outermost(found)


def _to_show(path: Path, masked: tuple[Path, ...], repos: tuple[Path, ...]) -> bool:
    """Whether a toolchain path lies under a mask and may be shown again."""
    inside = [m for m in masked if under(path, m)]
    if not inside or path in masked or any(under(m, path) for m in masked):
        return False
    return not any(m in repos for m in inside) or (path / "pyvenv.cfg").exists()


def _expand(path: Path, is_root: bool) -> list[Path]:
    """The folders a PATH entry (or an environment root) needs to run its programs."""
    if not path.is_absolute() or not path.is_dir():
        return []
    path = path.resolve()
    if (path.parent / "pyvenv.cfg").exists():
        path = path.parent
    if is_root or (path / "pyvenv.cfg").exists() or (path / "conda-meta").is_dir():
        return [path, *_venv_base(path)]
    if path.name == "shims" and (path.parent / "versions").is_dir():  # pyenv
        return [path.parent]
    out = [path]
    if path.name == "bin" and (path.parent / "lib").is_dir():
        out.append(path.parent / "lib")
    if path.name == "bin" and path.parent.name == ".cargo":
        rustup = path.parent.parent / ".rustup"
        out += [rustup] if rustup.is_dir() else []
    return out


def _venv_base(venv: Path) -> list[Path]:
    """The interpreter installation a virtual environment was made from (pyvenv.cfg `home`)."""
    try:
        text = (venv / "pyvenv.cfg").read_text(errors="replace")
    except OSError:
        return []
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            home = Path(value.strip())
            return [home.parent] if home.is_absolute() and home.is_dir() else []
    return []


def secrets_shown(workdir: Path, home: Path | None, shown: Sequence[Path],
                  named: Sequence[Path]) -> list[Path]:
    """The home's credential stores that the jail would show and must mask again.

    All of them when the home folder is not masked (`home` None), else those under a path
    shown again (`shown`). A store that the config names itself (`ro_paths = ["~/.claude"]`,
    or a path inside it: `named`) is the user's choice and stays shown, as does one that holds
    or lies in the worktree.
    """
    if home is None:
        secrets: Sequence[Path] = home_secrets(Path(os.path.expanduser("~")))
    else:
        # Only those under a shown path are looked for: most jails show nothing of the home
        # but a toolchain, and each look is a system call per command.
        names = _reached(home, shown)
        secrets = home_secrets(home, names) if names else ()
    return [s for s in secrets if not any(under(p, s) for p in named)
            and not under(s, workdir) and not under(workdir, s)]


def _reached(home: Path, shown: Sequence[Path]) -> Sequence[str]:
    """The credential stores (names in the home) that a shown path reaches: a store is reached
    when it is that path or lies inside it. A path that holds the home reaches all of them,
    one inside it those under its part; any other, none."""
    tops = [str(p).rstrip("/") for p in shown]
    if any(f"{home}/".startswith(top + "/") for top in tops):
        return HOME_SECRETS
    parts = [top[len(f"{home}/"):] for top in tops if top.startswith(f"{home}/")]
    return [rel for rel in HOME_SECRETS
            if any(rel == part or rel.startswith(part + "/") for part in parts)]


def resolver() -> Path | None:
    """Where /etc/resolv.conf leads when it links elsewhere (often into /run, which the jail
    masks): to show again when the jail has the network, or DNS fails. None otherwise."""
    target = RESOLV_CONF.resolve()
    return target if target != RESOLV_CONF and target.is_file() else None


def home_secrets(home: Path, names: Sequence[str] = HOME_SECRETS) -> tuple[Path, ...]:
    """The credential files and folders (`names`, relative to `home`) that exist under it."""
    return tuple(home / rel for rel in names if os.path.lexists(home / rel))


@functools.lru_cache(maxsize=16)
def git_paths(path_var: str) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(git binaries, git exec dirs) found through `path_var`, resolved, to hide in the jail."""
    files: list[Path] = []
    exec_dirs = [d for d in GIT_EXEC_DIRS if d.is_dir()]
    for entry in path_var.split(os.pathsep):
        for name in GIT_NAMES:
            p = Path(entry) / name
            if entry and os.path.isfile(p):
                real = p.resolve()
                if real not in files:
                    files.append(real)
                if name == "git":
                    for rel in ("lib/git-core", "libexec/git-core"):
                        d = (real.parent.parent / rel).resolve()
                        if d.is_dir() and d not in exec_dirs:
                            exec_dirs.append(d)
    files = [f for f in files if not any(under(f, d) for d in exec_dirs)]
    return tuple(files), tuple(exec_dirs)


def unix_sockets() -> list[Path]:
    """Unix sockets bound on the filesystem in hone's network namespace (/proc/net/unix).

    Abstract sockets are not listed here: the jail's own network namespace isolates them.
    A socket bound with a relative path cannot be located and is not listed.
    """
    try:
        lines = Path("/proc/net/unix").read_text(errors="replace").splitlines()[1:]
    except OSError:
        return []
    found: list[Path] = []
    for line in lines:
        fields = line.split(None, 7)
        if len(fields) == 8 and fields[7].startswith("/"):
            p = Path(fields[7])
            try:
                if stat.S_ISSOCK(os.lstat(p).st_mode) and p not in found:
                    found.append(p)
            except OSError:
                continue
    return found
