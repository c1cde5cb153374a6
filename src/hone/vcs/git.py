"""Thin, typed wrapper over the git CLI; every call is explicit about its working directory.

hone writes only to its own refs (`refs/hone/...`), its own worktrees and the object database;
it never runs a command that moves the user's HEAD, index, branches or working tree.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hone.errors import HoneError, UsageError

IDENTITY = {
    "GIT_AUTHOR_NAME": "hone", "GIT_AUTHOR_EMAIL": "hone@localhost",
    "GIT_COMMITTER_NAME": "hone", "GIT_COMMITTER_EMAIL": "hone@localhost",
}
# Neutralise user settings that would make hone's own commits interactive or side-effecting.
SAFE_CONFIG = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false",
               "-c", "core.autocrlf=false", "-c", "advice.detachedHead=false"]


class GitError(HoneError):
    """A git command failed."""


def run_git(*args: str, cwd: Path, input: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd` with hone's identity and safe settings; the caller reads the result."""
    return subprocess.run(
        ["git", *SAFE_CONFIG, *args], cwd=cwd, input=input, capture_output=True, text=True,
        env={**os.environ, **IDENTITY, "GIT_TERMINAL_PROMPT": "0"},
    )


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
        # A commit's file list never changes; the loop asks for it several times per attempt.
        self._tracked: dict[str, dict[str, str]] = {}

    @classmethod
    def find(cls, path: Path) -> Repo:
        if not path.is_dir():
            raise UsageError(f"no such directory: {path}")
        try:
            top = git("rev-parse", "--show-toplevel", cwd=path)
        except GitError:
            raise UsageError(f"not a git repository: {path}") from None
        return cls(Path(top))

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
        p = Path(git("rev-parse", "--git-common-dir", cwd=self.root))
        return (p if p.is_absolute() else self.root / p) / name

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

    def blobs(self, commit: str) -> dict[str, str]:
        """Every tracked file of `commit` with its blob id (submodules excepted)."""
        if commit not in self._tracked:
            out = git("ls-tree", "-r", "-z", commit, cwd=self.root)
            listing: dict[str, str] = {}
            for record in out.split("\0"):
                if record:
                    meta, path = record.split("\t", 1)
                    _mode, kind, sha = meta.split()
                    if kind == "blob":
                        listing[path] = sha
            self._tracked[commit] = listing
        return dict(self._tracked[commit])

    def changed_paths(self, old: str, new: str) -> list[str]:
        out = git("diff", "--name-only", "-z", "--no-renames", old, new, cwd=self.root)
        return [p for p in out.split("\0") if p]

    def diff(self, old: str, new: str, paths: list[str] | None = None) -> str:
        return git("diff", "--no-color", "--no-ext-diff", old, new, "--", *(paths or []),
                   cwd=self.root)

    def diffstat(self, old: str, new: str) -> DiffStat:
        """Lines added and removed, and the paths touched, between two commits (one git call)."""
        added = removed = 0
        paths: list[str] = []
        # -z: "added<TAB>removed<TAB>path<NUL>" per file; binary files count "-" lines.
        out = git("diff", "--numstat", "-z", "--no-renames", old, new, cwd=self.root)
        for record in out.split("\0"):
            if not record:
                continue
            a, r, path = record.split("\t", 2)
            added += int(a) if a.isdigit() else 0
            removed += int(r) if r.isdigit() else 0
            paths.append(path)
        return DiffStat(added, removed, paths)

    def show_file(self, commit: str, path: str) -> bytes | None:
        proc = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=self.root,
                              capture_output=True)
        return proc.stdout if proc.returncode == 0 else None

    def set_ref(self, ref: str, sha: str) -> None:
        git("update-ref", ref, sha, cwd=self.root)

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

    def is_ancestor(self, a: str, b: str) -> bool:
        return subprocess.run(["git", "merge-base", "--is-ancestor", a, b], cwd=self.root,
                              capture_output=True).returncode == 0

    def tree_of(self, commit: str) -> str:
        return git("rev-parse", f"{commit}^{{tree}}", cwd=self.root)

    def merge_tree(self, ours: str, theirs: str) -> tuple[str | None, list[str]]:
        """Three-way merge of two commits over their merge base, in the object database only:
        (the merged tree, []) when clean, (None, conflicted paths) otherwise."""
        proc = subprocess.run(
            ["git", *SAFE_CONFIG, "merge-tree", "--write-tree", "--name-only", "-z",
             "--no-messages", ours, theirs],
            cwd=self.root, capture_output=True, text=True)
        fields = proc.stdout.split("\0")
        if proc.returncode == 0:
            return fields[0].strip(), []
        if proc.returncode == 1:
            return None, sorted({p for p in fields[1:] if p})
        raise GitError(f"git merge-tree failed: {proc.stderr.strip() or proc.returncode}")
