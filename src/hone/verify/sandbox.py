"""The jail that gates, objective and holdout run in: bubblewrap, limits, a clean env.

`launch(command, workdir, settings, environ)` builds the jail from its arguments and the machine
(what it reads from files is memoised, no subprocess runs), so a remote worker builds the same
jail from the same config. Deny by default inside: no network, every file read-only except the
worktree and a private /tmp, the home folder hidden except the toolchains on PATH (read-only,
credential files masked even there), the user's repository hidden however it is checked out, no
git, no unix socket of the host, limits on memory (aggregate, a cgroup), CPU time (a watchdog),
file size, disk and processes, and only allow-listed environment variables.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hone.config.model import SandboxSection
from hone.errors import HoneError
from hone.resolve import resolved
from hone.verify import cgroups, jail_paths, jail_tmp, limits
from hone.verify.jail_paths import HOME_SECRETS, under

__all__ = ["HOME_SECRETS", "Launch", "SandboxUnavailable", "bwrap_argv", "bwrap_problem",
           "command_argv", "launch", "scrub_env", "use_bwrap"]

# Variables a build or benchmark legitimately needs; anything else must be named in
# `[sandbox] env`.
ALLOWED_ENV = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TZ",
               "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "JAVA_HOME", "GOPATH", "CARGO_HOME",
               "RUSTUP_HOME", "PYENV_ROOT", "PYENV_VERSION", "NODE_PATH", "CC", "CXX",
               "CFLAGS", "CXXFLAGS", "LDFLAGS", "PKG_CONFIG_PATH", "LD_LIBRARY_PATH",
               "CUDA_VISIBLE_DEVICES"}  # set per slot by `[executor] gpus`
ALLOWED_PREFIXES = ("LC_", "HONE_")
# Even an allow-listed name never passes when it looks like a credential.
SECRET = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION", re.IGNORECASE)
# Environment roots whose toolchains are shown again read-only when they lie under $HOME.
ROOT_VARS = ("VIRTUAL_ENV", "CONDA_PREFIX", "PYENV_ROOT", "CARGO_HOME", "RUSTUP_HOME")
# Characters that make a command need a shell (pipes, lists, redirections, expansions, globs,
# quoting escapes, comments); when in doubt bash runs it, which is always correct.
SHELL_CHARS = frozenset("|&;<>()$`\\*?[]{}~!#\n\r")
SHELL_WORDS = frozenset({
    "cd", "export", "source", ".", "exit", "set", "unset", "ulimit", "exec", "eval", ":",
    "alias", "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
    "esac", "function", "time", "[[", "declare", "local", "read", "trap", "umask", "shopt",
    "pushd", "popd", "wait", "readonly", "typeset", "let", "type", "command", "builtin", "hash",
    "jobs", "fg", "bg", "disown", "return", "shift", "break", "continue", "enable", "history",
    "select", "coproc"})
# Masked in every jail: sockets and state of host services. (/dev, /dev/shm included, is
# bwrap's own fresh tmpfs from `--dev`.)
SYSTEM_MASKS = (Path("/run"), Path("/var/run"))
DEFAULT_TMP_MB = 4096  # the private /tmp's size when no `disk_mb` is configured


class SandboxUnavailable(HoneError):
    """`[sandbox] enabled = true` but bubblewrap is missing or cannot start."""


@dataclass(frozen=True)
class Launch:
    """How to start one command: its argv, environment and the jail's supervisor.

    Pass `preexec` (the supervisor) to `process.run_command`: it starts the jail's limits,
    watches CPU time and disk, and kills what the jail holds.
    """

    argv: list[str]
    env: dict[str, str]
    supervisor: limits.Supervisor | None = None
    sandboxed: bool = False

    @property
    def preexec(self) -> limits.Supervisor | None:
        """The name `Verifier._run` passes to `run_command` (kept for callers of the old API)."""
        return self.supervisor


def scrub_env(environ: Mapping[str, str], settings: SandboxSection) -> dict[str, str]:
    """The allow-listed part of `environ`, plus `[sandbox] env` (NAME or NAME=VALUE)."""
    env = {k: v for k, v in environ.items()
           if (k in ALLOWED_ENV or k.startswith(ALLOWED_PREFIXES)) and not SECRET.search(k)}
    for item in settings.env:
        name, sep, value = item.partition("=")
        if sep:
            env[name] = value
        elif name in environ:
            env[name] = environ[name]  # named explicitly by the user: their choice
    env["TMPDIR"] = "/tmp"
    return env


@functools.lru_cache(maxsize=256)
def command_argv(command: str) -> list[str]:
    """The argv that runs `command`: its words when it needs no shell, else `bash -c command`.

    Exec'ing directly saves a bash start per command; anything shell-like goes to bash.
    """
    shell = ["bash", "-c", command]
    if SHELL_CHARS.intersection(command):
        return shell
    try:
        words = shlex.split(command)
    except ValueError:
        return shell
    if not words or words[0] in SHELL_WORDS or "=" in words[0]:
        return shell
    return words


@functools.cache
def bwrap_problem() -> str:
    """Why bubblewrap cannot jail a command here; '' when it can. Probed once per process."""
    exe = shutil.which("bwrap")
    if exe is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        proc = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "--cap-drop", "ALL",
                               "--die-with-parent", "--", "true"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap cannot start: {exc}"
    if proc.returncode != 0:
        return "bwrap cannot start: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    jail_tmp.sweep()  # once per process: private /tmp mounts of a killed hone
    return ""


@functools.cache
def _bwrap_exe() -> str:
    # Absolute: spares the PATH search (an execve per PATH entry) on every launch.
    return shutil.which("bwrap") or "bwrap"


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # One warning per process, not per command: a run makes thousands of commands.
    if message not in _warned:
        _warned.add(message)
        sys.stderr.write(f"hone: warning: {message}\n")


def use_bwrap(settings: SandboxSection) -> bool:
    """Whether to jail: `true` requires bwrap (else a one-line error), `auto` falls back."""
    if settings.enabled is False:
        return False
    problem = bwrap_problem()
    if not problem:
        return True
    if settings.enabled is True:
        raise SandboxUnavailable(f"[sandbox] enabled = true, but {problem}; install bubblewrap "
                                 "(apt-get install bubblewrap) or set enabled = \"auto\"")
    _warn_once(f"{problem}: commands run unsandboxed (network, files and environment "
               "are reachable); install bubblewrap to jail them")
    return False


def _mask(path: Path) -> list[str]:
    if path.is_dir() and not path.is_symlink():
        return ["--tmpfs", str(path)]
    return ["--ro-bind", "/dev/null", str(path)]


def _home_of(env: Mapping[str, str]) -> Path | None:
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    if not home.is_absolute() or not home.is_dir():
        return None
    home = resolved(home)
    # A home that holds the system (HOME=/) or is /tmp cannot be masked whole.
    return None if home in (Path("/"), Path("/tmp")) or len(home.parts) < 2 else home


def bwrap_argv(argv: Sequence[str], workdir: Path, settings: SandboxSection,
               readonly: Sequence[str] = (), hide: Sequence[str] = (),
               env: Mapping[str, str] | None = None, tmp: Path | None = None) -> list[str]:
    """The bwrap command line that runs `argv` in the jail.

    `readonly` are paths inside the worktree bound read-only (protected files); `hide` are
    paths inside the worktree masked (holdout files when the proposer's code runs); `env` is
    the jail's environment (its HOME and PATH decide what is hidden and shown); `tmp` a folder
    to serve as /tmp (a size-capped tmpfs), else bwrap's own tmpfs.
    """
    env = os.environ if env is None else env
    workdir = resolved(workdir)
    home = _home_of(env)
    jail, masked = _base_masks(home, tmp)
    path_var = env.get("PATH", "")
    # Before the repository masks: a writable cache that contains the repository does not
    # expose it.
    binds, named = _named_binds(settings.rw_paths, "--bind", None)
    jail += binds
    shown = list(named)
    repos = jail_paths.repo_hidden(workdir)
    jail += [a for d in repos for a in ("--tmpfs", str(d))]
    # Toolchains the masks above hide (a venv in $HOME or in the repository, anything under
    # /tmp) are shown again read-only, so that `python3` on PATH still works.
    roots = tuple(env.get(name, "") for name in ROOT_VARS)
    tools = jail_paths.toolchains(tuple(masked) + repos, repos, path_var, roots)
    jail += [a for t in tools for a in ("--ro-bind", str(t), str(t))]
    shown += tools
    # The worktree is bound after the masks above so that it shows through them.
    jail += ["--bind", str(workdir), str(workdir)]
    root = jail_paths.user_checkout(workdir) or workdir
    binds, ro_named = _named_binds(settings.ro_paths, "--ro-bind", root)
    jail += binds
    shown += ro_named
    named += ro_named  # paths the config names: a credential store named itself shows
    resolver = jail_paths.resolver() if settings.network else None
    jail += ["--ro-bind", str(resolver), str(resolver)] if resolver else []
    jail += _masks_inside(workdir, readonly, hide)
    jail += _git_masks(path_var)
    jail += _late_masks(workdir, home, [*masked, *repos], shown, named)
    # No --new-session (it cost about 5 ms per command here): run_command starts bwrap in a
    # session of its own with stdin from /dev/null, so the jail has no controlling terminal to
    # inject keystrokes into (what --new-session guards against, CVE-2017-5226).
    jail += ["--unshare-all", *([] if not settings.network else ["--share-net"]),
             "--cap-drop", "ALL", "--die-with-parent", "--hostname", "hone-sandbox",
             "--chdir", str(workdir)]
    return [*jail, "--", *argv]


def _base_masks(home: Path | None, tmp: Path | None) -> tuple[list[str], list[Path]]:
    """The jail's root, /tmp, system and home (`_home_of`) masks; and the masked folders."""
    jail = [_bwrap_exe(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    jail += ["--bind", str(tmp), "/tmp"] if tmp is not None else ["--tmpfs", "/tmp"]
    masked = [Path("/tmp"), Path("/dev")]
    for system in SYSTEM_MASKS:
        if system.is_dir() and not system.is_symlink():
            jail += ["--tmpfs", str(system)]
            masked.append(system)
    if home is not None:
        jail += ["--tmpfs", str(home)]
        masked.append(home)
    return jail, masked


def _git_masks(path_var: str) -> list[str]:
    """git hidden: its binaries on PATH and its exec folders. After every bind that shows a
    folder again (a toolchain on PATH under /tmp or the home folder, the worktree, a named
    path), which would otherwise show a git inside it."""
    git_files, git_dirs = jail_paths.git_paths(path_var)
    return ([a for d in git_dirs for a in ("--tmpfs", str(d))]
            + [a for f in git_files for a in ("--ro-bind", "/dev/null", str(f))])


def _masks_inside(workdir: Path, readonly: Sequence[str], hide: Sequence[str]) -> list[str]:
    out: list[str] = []
    for rel in readonly:
        p = workdir / rel
        if p.is_file() and not p.is_symlink():
            out += ["--ro-bind", str(p), str(p)]
    for rel in hide:
        p = workdir / rel
        if p.exists():
            out += _mask(p)
    return out


def _named_binds(paths: Sequence[str], flag: str, root: Path | None
                 ) -> tuple[list[str], list[Path]]:
    """`flag` (`--bind`, `--ro-bind`) for each of the config's extra paths that exists, and
    those paths resolved. A relative path lies under `root` (None: it is ignored)."""
    args: list[str] = []
    found: list[Path] = []
    for extra in paths:
        p = Path(extra).expanduser()
        if not p.is_absolute():
            if root is None:
                continue
            p = root / p
        if p.exists():
            args += [flag, str(p), str(p)]
            found.append(resolved(p))
    return args, found


def _late_masks(workdir: Path, home: Path | None, masked: Sequence[Path],
                shown: Sequence[Path], named: Sequence[Path] = ()) -> list[str]:
    """Credential files that a shown-again path exposes, and host unix sockets.

    A credential store that the config names itself (`ro_paths = ["~/.claude"]`, or a path
    inside it) is the user's choice and stays shown; one inside a named folder is masked.
    """
    out = [a for secret in jail_paths.secrets_shown(workdir, home, shown, named)
           for a in _mask(secret)]
    for sock in jail_paths.unix_sockets():
        hidden = any(under(sock, m) for m in masked)
        if under(sock, workdir) or (hidden and not any(under(sock, p) for p in shown)):
            continue
        out += ["--ro-bind", "/dev/null", str(sock)]
    return out


def jail_argv(argv: Sequence[str], workdir: Path, settings: SandboxSection,
              readonly: Sequence[str], hide: Sequence[str], env: Mapping[str, str],
              tmp: Path | None, flags: Sequence[str]) -> list[str]:
    """The command line `launch` starts: `bwrap_argv` with the supervisor's hand-shake
    `flags` right after bwrap (verify/prestart.py builds it again to compare)."""
    jail = bwrap_argv(argv, workdir, settings, readonly, hide, env, tmp)
    jail[1:1] = flags
    return jail


def plan_of(settings: SandboxSection) -> limits.Plan:
    """The limits `settings` ask for, in bytes and seconds."""
    mib = limits.MIB
    # `[sandbox] disk_mb`: the worktree's quota and /tmp's size (0: no quota, a default /tmp).
    disk_mb = settings.disk_mb
    return limits.Plan(memory_bytes=settings.memory_mb * mib, cpu_seconds=settings.cpu_seconds,
                       file_size_bytes=settings.file_size_mb * mib,
                       processes=settings.processes, disk_bytes=disk_mb * mib,
                       tmp_bytes=(disk_mb or DEFAULT_TMP_MB) * mib)


@contextlib.contextmanager
def launch(command: str, workdir: Path, settings: SandboxSection, environ: Mapping[str, str],
           readonly: Sequence[str] = (), hide: Sequence[str] = ()) -> Iterator[Launch]:
    """How to run `command` in `workdir` under `settings`; cleans up after the block."""
    argv = command_argv(command)
    if settings.enabled is False:
        yield Launch(list(argv), dict(environ))
        return
    env = scrub_env(environ, settings)
    if not use_bwrap(settings):
        yield Launch(list(argv), env)
        return
    plan = plan_of(settings)
    group = cgroups.POOL.take(cgroups.Limits(plan.memory_bytes, plan.processes))
    try:
        with jail_tmp.private_tmp(plan.tmp_bytes) as tmp:
            supervisor = limits.Supervisor(plan, group, workdir)
            try:
                jail = jail_argv(argv, workdir, settings, readonly, hide, env, tmp,
                                 supervisor.bwrap_flags())
                yield Launch(jail, env, supervisor, True)
            finally:
                supervisor.close()
    finally:
        if group is not None:
            cgroups.POOL.give(group)
