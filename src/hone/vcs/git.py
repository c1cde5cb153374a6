"""Thin, typed wrapper over the git CLI; every call is explicit about its working directory.

hone writes only to its own refs (`refs/hone/...`), its own worktrees and the object database;
it never runs a command that moves the user's HEAD, index, branches or working tree.
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from hone import faults
from hone.errors import HoneError, UsageError
from hone.resolve import resolved
from hone.vcs import fast_change, objects, refs
from hone.vcs.change import ARGS as CHANGE_ARGS
from hone.vcs.change import Change, parse
from hone.vcs.libgit import Unsupported
from hone.vcs.ref_queue import RefQueue

IDENTITY = {
    "GIT_AUTHOR_NAME": "hone", "GIT_AUTHOR_EMAIL": "hone@localhost",
    "GIT_COMMITTER_NAME": "hone", "GIT_COMMITTER_EMAIL": "hone@localhost",
}
# Neutralise user settings that would make hone's own commits interactive or side-effecting.
SAFE_CONFIG = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false",
               "-c", "core.autocrlf=false", "-c", "advice.detachedHead=false"]


# Per-commit answers kept by a Repo (commits never change); bounded for long runs.
_CACHED_COMMITS = 256
_K = TypeVar("_K")
_V = TypeVar("_V")


class GitError(HoneError):
    """A git command failed."""


def _env() -> dict[str, str]:
    return {**os.environ, **IDENTITY, "GIT_TERMINAL_PROMPT": "0"}


def run_git(*args: str, cwd: Path, input: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd` with hone's identity and safe settings; the caller reads the result."""
    return subprocess.run(["git", *SAFE_CONFIG, *args], cwd=cwd, input=input,
                          capture_output=True, text=True, env=_env())


def run_git_bytes(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """`run_git` for output that is not text (file contents)."""
    return subprocess.run(["git", *SAFE_CONFIG, *args], cwd=cwd, capture_output=True,
                          env=_env())


_CACHE_LOCK = threading.Lock()  # parallel slots share one Repo


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    """Store `value` under `key`, dropping the oldest entries past the bound."""
    with _CACHE_LOCK:
        cache[key] = value
        while len(cache) > _CACHED_COMMITS:
            del cache[next(iter(cache))]
    return value


# The repositories this process opened with `Repo.at`, by resolved top-level directory.
_OPEN: dict[Path, Repo] = {}


def git(*args: str, cwd: Path, input: str | None = None, check: bool = True) -> str:
    """Run git in `cwd` and return stdout (stripped of the final newline)."""
    proc = run_git(*args, cwd=cwd, input=input)
    if check and proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(f"git {args[0]} failed: {msg[-1] if msg else proc.returncode}")
    return proc.stdout.removesuffix("\n")


@dataclass(frozen=True)
class DiffStat:
    """What a commit changed against another: line counts and the paths touched."""

    added: int
    removed: int
    paths: list[str]

    @property
    def files(self) -> int:
        return len(self.paths)


class Repo:
    """The user's repository, addressed by its top-level directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # A commit's file list, tree and changes never change; the loop asks for them several
        # times per attempt, so each is computed once (and some read from disk, see objects.py).
        self._tracked: dict[str, dict[str, str]] = {}
        self._plain: dict[str, bool] = {}  # commit -> all its files regular, not executable
        self._trees: dict[str, str] = {}
        self._changes: dict[tuple[str, str], Change] = {}
        self._common: Path | None = None
        self._logs_all_refs: bool | None = None
        self._later = RefQueue(self.set_ref)

    @classmethod
    def at(cls, root: Path) -> Repo:
        """The one `Repo` of this process for the repository at `root`, so that the loop and
        an executor in the same process share what they learnt about commits (file lists,
        trees, changes: facts of immutable objects, never stale). A Ray worker has its own."""
        key = resolved(root)
        with _CACHE_LOCK:
            repo = _OPEN.get(key)
            if repo is None:
                repo = _OPEN[key] = cls(root)
        return repo

    @classmethod
    def find(cls, path: Path) -> Repo:
        if not path.is_dir():
            raise UsageError(f"no such directory: {path}")
        try:
            top = git("rev-parse", "--show-toplevel", cwd=path)
        except GitError:
            raise UsageError(f"not a git repository: {path}") from None
        return cls.at(Path(top))

    def head(self) -> str:
        """The commit at HEAD; UsageError when the repository has no commit yet."""
        sha = git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", cwd=self.root, check=False)
        if not sha:
            raise UsageError(f"the repository at {self.root} has no commits yet; commit first")
        return sha

    def is_dirty(self) -> bool:
        return bool(git("status", "--porcelain", "--untracked-files=no", cwd=self.root))

    def git_path(self, name: str) -> Path:
        """A path inside the common git dir (shared by all worktrees)."""
        if self._common is None:
            p = Path(git("rev-parse", "--git-common-dir", cwd=self.root))
            self._common = p if p.is_absolute() else self.root / p
        return self._common / name

    def exclude(self, pattern: str) -> None:
        """Add `pattern` to .git/info/exclude once, so hone's files never show in `git status`."""
        path = self.git_path("info/exclude")
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_text().splitlines() if path.exists() else []
        if pattern not in lines:
            with path.open("a") as fh:
                fh.write(("" if not lines or path.read_text().endswith("\n") else "\n")
                         + pattern + "\n")

    def tracked_files(self, commit: str) -> list[str]:
        return list(self.blobs(commit))

    def knows(self, commit: str) -> bool:
        """Whether `commit`'s file list is at hand without a git process."""
        return commit in self._tracked

    def plain_files(self, commit: str) -> bool:
        """Whether every file of `commit` is known to be a regular file without the executable
        bit (no links, no scripts): then its content alone says whether a file matches."""
        return self._plain.get(commit, False)

    def blobs(self, commit: str) -> dict[str, str]:
        """Every tracked file of `commit` with its blob id (submodules excepted)."""
        listing = self._tracked.get(commit)
        if listing is None:
            out = git("ls-tree", "-r", "-z", commit, cwd=self.root)
            listing = {}
            plain = True
            for record in out.split("\0"):
                if record:
                    meta, path = record.split("\t", 1)
                    mode, kind, sha = meta.split()
                    if kind == "blob":
                        listing[path] = sha
                        plain = plain and mode == "100644"
            if objects.is_sha(commit):  # a name like HEAD may move: never remembered
                _remember(self._plain, commit, plain)
                _remember(self._tracked, commit, listing)
        return dict(listing)

    def diff(self, old: str, new: str, paths: list[str] | None = None) -> str:
        return git("diff", "--no-color", "--no-ext-diff", old, new, "--", *(paths or []),
                   cwd=self.root)

    def change(self, old: str, new: str) -> Change:
        """Line counts, paths, new blob ids and the context-free patch from `old` to `new`,
        as one git process says them (`fast_change` in-process, else git), computed once per
        pair. When `old`'s file list is known, `new`'s
        follows from it without asking git (`blobs`)."""
        change = self._changes.get((old, new))
        if change is not None:
            return change
        try:
            change = fast_change.change(self.root, old, new)  # in-process where git agrees
        except Unsupported:
            change = self.change_with_git(old, new)
        faults.point("git:diffed")  # a change computed (not remembered), either way
        if not (objects.is_sha(old) and objects.is_sha(new)):
            return change  # names that may move are never remembered
        _remember(self._changes, (old, new), change)
        before = self._tracked.get(old)
        if before is not None and new not in self._tracked:
            listing = {**before, **{p: b for p, b in change.blobs.items() if b}}
            for path, sha in change.blobs.items():
                if sha is None:
                    listing.pop(path, None)
            _remember(self._plain, new, self._plain.get(old, False) and change.plain)
            _remember(self._tracked, new, listing)
        return change

    def change_with_git(self, old: str, new: str) -> Change:
        """`change` read from one git process, remembering nothing."""
        out = git(*CHANGE_ARGS, old, new, cwd=self.root)
        return parse(out + "\n" if out else "")  # git() took the patch's last newline

    def diffstat(self, old: str, new: str) -> DiffStat:
        """Lines added and removed, and the paths touched, between two commits (one git call,
        shared with `change`)."""
        change = self.change(old, new)
        return DiffStat(change.added, change.removed, list(change.paths))

    def show_file(self, commit: str, path: str) -> bytes | None:
        """The content of `path` at `commit`, None when it has no such file."""
        sha = self._tracked.get(commit, {}).get(path)
        data = objects.blob(self.git_path("objects"), sha) if sha else None
        if data is not None:
            return data
        proc = run_git_bytes("show", f"{commit}:{path}", cwd=self.root)
        return proc.stdout if proc.returncode == 0 else None

    def set_ref(self, ref: str, sha: str) -> None:
        """Point `ref` at `sha`. hone's own refs are written as files when git's files backend
        holds them and no reflog is asked for (see refs.write_loose); anything else, git."""
        if self._logs_all_refs is None:
            self._logs_all_refs = git("config", "--get", "core.logAllRefUpdates",
                                      cwd=self.root, check=False).lower() == "always"
        if self._logs_all_refs or not refs.write_loose(self.git_path(""), ref, sha):
            git("update-ref", ref, sha, cwd=self.root)
        faults.point("git:update-ref")  # the ref is written, the journal may not know it

    def set_ref_soon(self, ref: str, sha: str) -> None:
        """`set_ref` on a worker thread, after the ones asked before (vcs/ref_queue.py): for
        a ref the journal already records, which a resumed run puts back. `flush_refs` waits."""
        self._later.put(ref, sha)

    def flush_refs(self) -> None:
        """Wait for the writes `set_ref_soon` queued; raise the first that failed."""
        self._later.flush()

    def set_refs(self, updates: dict[str, str]) -> None:
        """Point several refs at once (one git process, all or none), e.g. an attempt's ref
        and the champion's."""
        if updates:
            git("update-ref", "--stdin", "-z", cwd=self.root,
                input="".join(f"update {ref}\0{sha}\0\0" for ref, sha in updates.items()))

    def read_ref(self, ref: str) -> str | None:
        return git("rev-parse", "--verify", "--quiet", ref, cwd=self.root, check=False) or None

    def refs(self, prefix: str) -> dict[str, str]:
        out = git("for-each-ref", "--format=%(refname) %(objectname)", prefix, cwd=self.root)
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def create_branch(self, name: str, sha: str, force: bool = False) -> None:
        if git("check-ref-format", "--branch", name, cwd=self.root, check=False) == "":
            raise UsageError(f"not a valid branch name: {name!r}")
        if self.read_ref(f"refs/heads/{name}") and not force:
            raise UsageError(f"branch {name!r} already exists (choose another name)")
        git("branch", *(["--force"] if force else []), name, sha, cwd=self.root)

    def tree_of(self, commit: str) -> str:
        """The tree id of `commit`: read from the loose object when it is one (every commit
        hone just made), else asked of git; remembered either way."""
        tree = self._trees.get(commit)
        if tree is None:
            tree = (objects.commit_tree(self.git_path("objects"), commit)
                    or git("rev-parse", f"{commit}^{{tree}}", cwd=self.root))
            if objects.is_sha(commit):  # a name like HEAD may move: never remembered
                _remember(self._trees, commit, tree)
        return tree

    def merge_tree(self, ours: str, theirs: str) -> tuple[str | None, list[str]]:
        """Three-way merge of two commits over their merge base, in the object database only:
        (the merged tree, []) when clean, (None, conflicted paths) otherwise."""
        proc = run_git("merge-tree", "--write-tree", "--name-only", "-z", "--no-messages",
                       ours, theirs, cwd=self.root)
        fields = proc.stdout.split("\0")
        if proc.returncode == 0:
            return fields[0].strip(), []
        if proc.returncode == 1:
            return None, sorted({p for p in fields[1:] if p})
        raise GitError(f"git merge-tree failed: {proc.stderr.strip() or proc.returncode}")
