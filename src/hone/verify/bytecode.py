"""Where the Python commands hone runs keep their bytecode: never in a worktree, never shared
writable between jails, and the environment's own modules compiled once per hone process.

Python reads a `.pyc` whenever its header matches the source's size and modification time, so
whoever can write the bytecode folder can change what another command runs. Hence:
- Unjailed commands share one folder (`shared`): an unjailed candidate can write anywhere anyway.
- Each worktree has its own folder for jailed commands (`own`), writable in the jail, and made
  exactly a copy of `trusted` before every jailed command (`restore`): what one command left
  there (a forged `.pyc` of `os`, say) is gone before the next command, of this attempt or of
  any other, runs.
- `trusted` is written only by hone: after a jailed command, the `.pyc` files it left in `own`
  name the modules it imported, and hone compiles *those modules' sources from the host* into
  `trusted` (a candidate's bytecode is never copied, only used as a list of names). So the
  standard library and site-packages are compiled once per hone process, not once per command
  (about 60-100 ms of a small Python script's start). Sources a candidate can write (its
  worktree, the sandbox's writable paths, temporary folders) and the user's repository (its
  virtual environments excepted) are never compiled.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import py_compile
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hone.resolve import resolved
from hone.verify.jail_paths import repo_hidden, under, user_checkout

# A file's ctime is set from a coarse clock (a timer tick, at most ~10 ms behind): a ctime
# this much before the moment a file was read cannot be matched by a change made after it.
RACY_NS = 100_000_000
MAX_LEARN = 5000  # sources compiled after one command at most (a candidate can name many)
_PREFIX = "hone-pycache-"  # then the process id, a dash and mkdtemp's letters
_TAG = sys.implementation.cache_tag  # bytecode of another interpreter is not ours to compile
# (device, inode, size, mtime, ctime) of a file in an `own` folder, times in nanoseconds
_Stamp = tuple[int, int, int, int, int]


class BytecodeCache:
    """One per hone process (`CACHE`): a root folder removed at exit, holding `shared`,
    `trusted` and one `own-*` folder per worktree. Thread-safe; two commands never run at once
    in one worktree."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._lock = threading.Lock()
        # Relative .pyc paths (strings: a few hundred per command, pathlib is slow for that).
        self._known: set[str] = set()  # looked at (compiled or refused)
        self._trusted: set[str] = set()  # compiled into trusted
        # Per `own` folder: the files that last held the trusted content, by their stamp.
        self._clean: dict[Path, dict[str, _Stamp]] = {}
        self._owns: dict[Path, Path] = {}  # `own`, per worktree path as given

    @property
    def root(self) -> Path:
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
                sweep(self._root.parent)
                (self._root / "shared").mkdir()
                (self._root / "trusted").mkdir()
                atexit.register(shutil.rmtree, self._root, True)
            return self._root

    def shared(self) -> Path:
        """The folder every unjailed command uses."""
        return self.root / "shared"

    def own(self, workdir: Path) -> Path:
        """The folder jailed commands in `workdir` use (call `restore` before each)."""
        found = self._owns.get(workdir)
        if found is None:
            key = hashlib.sha256(str(workdir.resolve()).encode()).hexdigest()[:12]
            found = self._owns[workdir] = self.root / f"own-{key}"
        return found

    def forget(self, workdir: Path) -> None:
        """Drop the shared bytecode of `workdir`'s own files before a new verification there.
        Python trusts a .pyc whose source has the same size and modification second, and a
        worktree is checked out at one commit after another within a second: without this, a
        candidate could be measured with its parent's bytecode."""
        mirror = self.shared() / resolved(workdir).relative_to("/")
        shutil.rmtree(mirror, ignore_errors=True)

    def restore(self, own: Path) -> None:
        """Make `own` exactly the trusted bytecode: every other file removed, every trusted file
        present with the trusted content. A link, special file or file with other names anywhere
        in it, or too many files, and the folder is made anew.

        A file's content is compared with the trusted copy unless its inode, size and times are
        those recorded when it last matched and that record is not racy (git's racy-clean rule:
        its ctime, which no process can set, lay clearly before the moment it was read). Any
        write or `utime` since sets a later ctime, so the record no longer matches."""
        trusted, into = f"{self.root}/trusted/", f"{own}/"
        with self._lock:
            expected = set(self._trusted)
            clean = self._clean.pop(own, {})
        settled = time.time_ns() - RACY_NS  # a ctime before this cannot change unseen
        found = _plain_files(own, limit=2 * len(expected) + 1000)
        if found is None:
            _discard(own)
            found = {}
        own.mkdir(exist_ok=True)
        for rel in found.keys() - expected:
            with contextlib.suppress(OSError):
                os.unlink(into + rel)
        matched: dict[str, _Stamp] = {}
        for rel in expected:
            target, source = into + rel, trusted + rel
            info = found.get(rel)
            stamp = _stamp(info) if info is not None else None
            if stamp is not None and (clean.get(rel) == stamp or _same(target, source)):
                if stamp[4] < settled:
                    matched[rel] = stamp
                continue
            with contextlib.suppress(OSError):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
                shutil.copyfile(source, target)
        with self._lock:
            self._clean[own] = matched

    def learn(self, own: Path, workdir: Path, writable: Sequence[str | Path]) -> int:
        """Compile into `trusted`, from the host's sources, the modules whose bytecode a jailed
        command left in `own`; returns how many were compiled. Sources under `workdir`, under
        `writable`, in a temporary folder or in the user's repository are refused."""
        trusted = self.root / "trusted"
        found = _plain_files(own, limit=2 * len(self._known) + MAX_LEARN) or {}
        suffix = f".{_TAG}.pyc"
        fresh = sorted(rel for rel in found.keys() - self._known
                       if rel.endswith(suffix)
                       and os.path.basename(rel).count(".") == 2)[:MAX_LEARN]
        if not fresh:
            return 0
        barred = _barred(workdir, writable)
        compiled = 0
        for rel in fresh:
            source = _source_of(rel)
            ok = source is not None and _compile(source, trusted / rel, barred)
            with self._lock:
                self._known.add(rel)
                if ok:
                    self._trusted.add(rel)
            compiled += ok
        return compiled


def sweep(folder: Path, idle: float = 60.0) -> int:
    """Remove the caches that hone processes killed before their exit left in `folder` (the
    folder's name holds the process id: one still running keeps its cache, and so does a
    cache changed in the last `idle` seconds); how many were removed."""
    removed = 0
    with contextlib.suppress(OSError), os.scandir(folder) as listing:
        for entry in list(listing):
            pid = entry.name.removeprefix(_PREFIX).partition("-")[0]
            if not (entry.name.startswith(_PREFIX) and pid.isdigit()) or _alive(int(pid)):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode) and time.time() - info.st_mtime > idle:
                    shutil.rmtree(entry.path)
                    removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


def _plain_files(folder: Path, limit: int) -> dict[str, os.stat_result] | None:
    """The files under `folder`, by path relative to it, with their `lstat`; {} when `folder`
    does not exist; None when it holds anything but folders and single-named regular files,
    more than `limit` files, or a folder that cannot be listed."""
    found: dict[str, os.stat_result] = {}
    top = str(folder)
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            with os.scandir(f"{top}/{rel}" if rel else top) as listing:
                entries = list(listing)
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):  # the listing's type: no lstat
                    pending.append(name)
                    continue
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    pending.append(name)
                elif not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or len(found) >= limit:
                    return None
                else:
                    found[name] = info
        except FileNotFoundError:
            if rel:
                return None  # a folder went away while we looked
        except OSError:
            return None  # e.g. a folder made unreadable: its files could still be opened
    return found


def _discard(folder: Path) -> None:
    """Remove `folder` whatever it holds: first renamed away (that needs no permission inside
    it), then deleted as far as it can be, folders made listable and writable again."""
    gone = folder.with_name(f"{folder.name}.gone-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(folder, gone)
    except OSError:
        gone = folder
    for _ in range(2):
        shutil.rmtree(gone, ignore_errors=True)
        if not os.path.lexists(gone):
            return
        with contextlib.suppress(OSError):
            os.chmod(gone, 0o700)
        for top, dirs, _files in os.walk(gone):  # each folder opened before it is entered
            for name in dirs:
                path = os.path.join(top, name)
                with contextlib.suppress(OSError):
                    if not os.path.islink(path):  # never the target of a planted link
                        os.chmod(path, 0o700)


def _stamp(info: os.stat_result) -> _Stamp:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _same(a: str, b: str) -> bool:
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def _source_of(rel: str) -> Path | None:
    """The source that a prefix-relative `.pyc` path was compiled from: `a/b/m.TAG.pyc` is
    `/a/b/m.py`."""
    folder, name = os.path.split(rel)
    stem = name.split(".", 1)[0]
    return Path("/", folder, stem + ".py") if stem else None


@dataclass(frozen=True)
class _Barred:
    """Where sources are never compiled from: `places`, and the user's repository except its
    virtual environments (which the jail shows read-only and hone never checks out)."""

    places: tuple[Path, ...]
    repos: tuple[Path, ...]

    def refuses(self, path: Path) -> bool:
        if any(under(path, p) for p in self.places):
            return True
        return any(under(path, r) and not _in_venv(path, r) for r in self.repos)


def _in_venv(path: Path, top: Path) -> bool:
    """Whether a folder between `top` (excluded) and `path` is a virtual environment."""
    return any((p / "pyvenv.cfg").is_file() for p in path.parents if under(p, top) and p != top)


def _barred(workdir: Path, writable: Sequence[str | Path]) -> _Barred:
    places = [workdir, *map(Path, writable), Path(tempfile.gettempdir()), Path("/tmp"),
              Path("/var/tmp"), Path("/dev/shm")]
    checkout = user_checkout(workdir)
    if checkout is not None:
        places.append(checkout / ".hone")  # hone's worktrees: checked out again and again
    return _Barred(tuple(p.resolve() for p in places),
                   tuple(p.resolve() for p in repo_hidden(workdir)))


def _compile(source: Path, cfile: Path, barred: _Barred) -> bool:
    """Compile `source` (a regular file no candidate can write) to `cfile`; False if refused
    or if it does not compile."""
    try:
        real = source.resolve(strict=True)
    except OSError:
        return False
    if not real.is_file() or barred.refuses(real) or barred.refuses(source):
        return False
    try:
        cfile.parent.mkdir(parents=True, exist_ok=True)
        # dfile: the name Python itself would record when compiling the module in place.
        py_compile.compile(str(source), cfile=str(cfile), dfile=str(source), doraise=True)
    except (OSError, py_compile.PyCompileError, ValueError, SyntaxError):
        return False
    return True


CACHE = BytecodeCache()
