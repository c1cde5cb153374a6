"""The jail that gates, objective and holdout run in: bubblewrap, resource limits, a clean env.

`launch(command, workdir, settings)` is a pure function of its arguments (it reads the worktree
and the machine, keeps no state between calls), so a remote worker builds the same jail from the
same config. Inside: no network, every file read-only except the worktree and a private /tmp,
the user's repository (its .git, .hone and holdout files) hidden, protected files bound
read-only, limits on memory, CPU time, file size and processes, and only allow-listed
environment variables: API keys never reach the candidate's code.
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
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hone.config.model import SandboxSection
from hone.errors import HoneError

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
# Credential stores under $HOME, hidden inside the jail when they exist.
HOME_SECRETS = (".ssh", ".aws", ".gnupg", ".netrc", ".docker", ".kube", ".pypirc",
                ".git-credentials", ".config/gcloud", ".config/gh", ".config/openai", ".codex",
                ".claude", ".anthropic", ".azure")
CGROUP_BASES = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


class SandboxUnavailable(HoneError):
    """`[sandbox] enabled = true` but bubblewrap is missing or cannot start."""


@dataclass(frozen=True)
class Launch:
    """How to start one command: its argv, environment and a hook run in the child."""

    argv: list[str]
    env: dict[str, str]
    preexec: Callable[[], None] | None = None
    sandboxed: bool = False
    notes: list[str] = field(default_factory=list)


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
    return ""


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


def repo_root_of(workdir: Path) -> Path | None:
    """The user's repository a hone worktree belongs to (the parent of its common git dir)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--path-format=absolute",
                              "--git-common-dir"], cwd=workdir, capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    common = Path(out.stdout.strip())
    if out.returncode != 0 or common.name != ".git":
        return None
    return common.parent


def toolchain_dirs(masked: Sequence[Path]) -> list[Path]:
    """PATH entries and hone's own virtual environment that lie under a masked directory.

    A `bin` folder of a virtual environment stands for the whole environment (its libraries
    live beside it). Under the repository only virtual environments are shown (never the
    user's other files, holdout included); paths that contain a masked directory never are.
    """
    candidates = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    if sys.prefix != sys.base_prefix:
        candidates.append(Path(sys.prefix))
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]))
    found: list[Path] = []
    for path in candidates:
        if not path.is_absolute() or not path.is_dir():
            continue
        path = path.resolve()
        if (path.parent / "pyvenv.cfg").exists():
            path = path.parent
        inside = [m for m in masked if _under(path, m.resolve()) and path != m.resolve()]
        if any(m != Path("/tmp") for m in inside) and not (path / "pyvenv.cfg").exists():
            continue
        if inside and path not in found and not any(_under(p, path) for p in found):
            found = [p for p in found if not _under(p, path)] + [path]
    return found


def bwrap_argv(command: str, workdir: Path, settings: SandboxSection,
               readonly: Sequence[str] = (), hide: Sequence[str] = ()) -> list[str]:
    """The bwrap command line that runs `command` with bash in the jail.

    `readonly` are paths inside the worktree bound read-only (protected files); `hide` are
    paths inside the worktree masked (holdout files when the proposer's code runs).
    """
    workdir = workdir.resolve()
    argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/tmp", "--tmpfs", "/dev/shm", "--tmpfs", "/run"]
    # Before the masks: a writable cache that contains the repository does not expose it.
    for extra in settings.rw_paths:
        p = Path(extra).expanduser()
        if p.is_absolute() and p.exists():
            argv += ["--bind", str(p), str(p)]
    root = repo_root_of(workdir)
    hidden_dirs: list[Path] = [root] if root is not None else []
    home = Path(os.path.expanduser("~"))
    for rel in HOME_SECRETS:
        p = home / rel
        if p.is_dir():
            hidden_dirs.append(p)
        elif p.exists():
            argv += ["--ro-bind", "/dev/null", str(p)]
    for d in hidden_dirs:
        # The repository is masked whole; the worktree inside it is bound back below.
        if d == root or not _under(workdir, d):
            argv += ["--tmpfs", str(d)]
    # Toolchains that the masks above would hide (a venv inside the repository, anything
    # under /tmp) are shown again read-only, so that `python3` on PATH still works.
    for tool in toolchain_dirs([Path("/tmp"), *hidden_dirs]):
        argv += ["--ro-bind", str(tool), str(tool)]
    # The worktree is bound after the masks above so that it shows through them.
    argv += ["--bind", str(workdir), str(workdir)]
    for extra in settings.ro_paths:
        p = Path(extra).expanduser()
        p = p if p.is_absolute() else (root or workdir) / p
        if p.exists():
            argv += ["--ro-bind", str(p), str(p)]
    for rel in readonly:
        p = workdir / rel
        if p.is_file() and not p.is_symlink():
            argv += ["--ro-bind", str(p), str(p)]
    for rel in hide:
        p = workdir / rel
        if p.is_dir():
            argv += ["--tmpfs", str(p)]
        elif p.exists():
            argv += ["--ro-bind", "/dev/null", str(p)]
    argv += ["--unshare-all", *([] if not settings.network else ["--share-net"]),
             "--cap-drop", "ALL", "--die-with-parent", "--new-session",
             "--hostname", "hone-sandbox", "--chdir", str(workdir), "--"]
    return argv + limits_argv(settings) + ["bash", "-c", command]


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def limits_argv(settings: SandboxSection) -> list[str]:
    """`prlimit` flags for the configured limits; [] when none is set."""
    mib = 1024 * 1024
    flags = []
    if settings.memory_mb:
        flags.append(f"--as={settings.memory_mb * mib}")
    if settings.cpu_seconds:
        flags.append(f"--cpu={settings.cpu_seconds}")
    if settings.file_size_mb:
        flags.append(f"--fsize={settings.file_size_mb * mib}")
    if settings.processes:
        # Enforced for users other than root; for root the pids cgroup does it.
        flags.append(f"--nproc={settings.processes}")
    if not flags or shutil.which("prlimit") is None:
        return []
    return ["prlimit", *flags, "--"]


@contextlib.contextmanager
def pids_cgroup(limit: int) -> Iterator[Callable[[], None] | None]:
    """A throwaway pids cgroup capped at `limit`, and a hook that moves the child into it.

    RLIMIT_NPROC does not bind root (uid 0 maps to the kernel's root user even in a user
    namespace), so when hone runs as root the process cap comes from a cgroup. Yields None
    where no writable pids controller exists.
    """
    group = _make_cgroup(limit) if limit and os.geteuid() == 0 else None
    if group is None:
        yield None
        return
    procs = str(group / "cgroup.procs")

    def enter() -> None:
        with open(procs, "w") as fh:
            fh.write("0")

    try:
        yield enter
    finally:
        for _ in range(50):  # the jail's pid namespace may take a moment to empty
            try:
                group.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                import time

                time.sleep(0.02)


def _make_cgroup(limit: int) -> Path | None:
    for base in _pids_bases():
        _sweep(base)
        group = base / f"hone-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            group.mkdir()
            (group / "pids.max").write_text(str(limit))
            return group
        except OSError:
            with contextlib.suppress(OSError):
                group.rmdir()
    return None


def _sweep(base: Path) -> None:
    """Remove empty cgroups left by a hone process that was killed before it cleaned up."""
    for stale in base.glob("hone-*"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            with contextlib.suppress(OSError):
                stale.rmdir()


def _pids_bases() -> list[Path]:
    """Writable places for a pids cgroup: the v1 pids hierarchy, or the v2 root."""
    bases = []
    v1, v2 = CGROUP_BASES
    if (v1 / "cgroup.procs").exists():
        bases.append(v1)
    try:
        if "pids" in (v2 / "cgroup.subtree_control").read_text().split():
            bases.append(v2)
    except OSError:
        pass
    return bases


@contextlib.contextmanager
def launch(command: str, workdir: Path, settings: SandboxSection, environ: Mapping[str, str],
           readonly: Sequence[str] = (), hide: Sequence[str] = ()) -> Iterator[Launch]:
    """How to run `command` in `workdir` under `settings`; cleans up after the block."""
    if settings.enabled is False:
        yield Launch(["bash", "-c", command], dict(environ))
        return
    env = scrub_env(environ, settings)
    if not use_bwrap(settings):
        yield Launch(["bash", "-c", command], env)
        return
    argv = bwrap_argv(command, workdir, settings, readonly, hide)
    with pids_cgroup(settings.processes) as enter:
        notes = []
        if settings.processes and os.geteuid() == 0 and enter is None:
            notes.append("no pids cgroup: the process limit is not enforced for root")
        yield Launch(argv, env, enter, True, notes)


def describe(argv: Sequence[str]) -> str:
    """The command line as one shell-quoted string, for logs."""
    return shlex.join(argv)
