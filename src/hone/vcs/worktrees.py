"""Worktrees that hone owns under `.hone/worktrees/`, reused from attempt to attempt.

They are detached checkouts with their own index and HEAD, so nothing done in them touches the
user's working tree; `.hone/` is listed in `.git/info/exclude`, so they never show in `git status`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import threading
from pathlib import Path

from hone import faults
from hone.vcs import fast_commit
from hone.vcs.git import GitError, Repo, git, run_git
from hone.vcs.libgit import Unsupported

# Past this many tracked files, walking the worktree to spare `git clean` costs more than it saves.
_WALK_LIMIT = 5000
# Past this many bytes of tracked files, reading them to spare `git checkout` costs too much.
_READ_LIMIT = 4 << 20

# `git commit` starts `git maintenance run --auto` (`gc --auto` before git 2.29) after every
# commit: a second git process per attempt that almost always finds nothing to do. hone turns
# that off for its commits and runs the same check itself once every MAINTAIN_EVERY commits.
NO_AUTO_MAINTENANCE = ("-c", "maintenance.auto=false", "-c", "gc.auto=0")
MAINTAIN_EVERY = 100
_commits: dict[Path, int] = {}
_commits_lock = threading.Lock()

# `git worktree add/remove/prune` edit the repository's shared worktree list; parallel slots
# create theirs from several threads, so those commands take turns.
_ADMIN = threading.RLock()


class Worktrees:
    def __init__(self, repo: Repo, base: Path) -> None:
        self.repo, self.base = repo, base

    def path(self, name: str) -> Path:
        return self.base / name

    def checkout(self, name: str, commit: str) -> Path:
        """A clean worktree `name` at `commit` (created on first use, reset after)."""
        path = self.path(name)
        if (path / ".git").exists():
            try:
                if self._holds(name, commit):
                    return path
                git("checkout", "--quiet", "--force", "--detach", commit, cwd=path)
                if self.has_strays(path, commit):
                    git("clean", "-ffdxq", cwd=path)
                return path
            except GitError:
                self.remove(name)  # a broken worktree (e.g. half-deleted): start it afresh
        with _ADMIN:
            if path.exists():
                shutil.rmtree(path)
            git("worktree", "prune", cwd=self.repo.root)
            path.parent.mkdir(parents=True, exist_ok=True)
            git("worktree", "add", "--quiet", "--detach", "--force", str(path), commit,
                cwd=self.repo.root)
        return path

    def _holds(self, name: str, commit: str) -> bool:
        """Whether worktree `name` is already a clean checkout of `commit` (its HEAD, every
        tracked file with the content of its blob, nothing else), so that checking it out
        again would change nothing. Decided without git for small trees of plain files whose
        list is known; False (check out) whenever unsure, e.g. when a filter rewrites files."""
        path = self.path(name)
        if (self.head(name) != commit or not self.repo.plain_files(commit)
                or self.has_strays(path, commit)):
            return False
        total = 0
        for rel, sha in self.repo.blobs(commit).items():
            try:
                info = os.lstat(path / rel)
            except OSError:
                return False
            total += info.st_size
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o111 or total > _READ_LIMIT:
                return False
            data = (path / rel).read_bytes()
            digest = hashlib.sha1 if len(sha) == 40 else hashlib.sha256
            if digest(b"blob %d\0" % len(data) + data).hexdigest() != sha:
                return False
        return True

    def has_strays(self, path: Path, commit: str) -> bool:
        """Whether the worktree, checked out at `commit`, may hold a file `commit` does not
        track (untracked or ignored files, empty folders): what `git clean` would remove and
        `git add --all` might add. Answers from a walk when the commit's file list is already
        known; True (clean, add) when unsure. `path` is a worktree (or any folder) whose
        tracked files are those of `commit`, e.g. before a verification: False means that
        `git clean -ffdxq` there would do nothing."""
        if not self.repo.knows(commit):
            return True
        tracked = self.repo.blobs(commit)
        if len(tracked) > _WALK_LIMIT:
            return True
        folders = {str(Path(p).parent) for p in tracked}
        folders |= {str(parent) for f in list(folders) for parent in Path(f).parents}
        for top, dirs, files in os.walk(path):
            rel = Path(top).relative_to(path)
            if rel == Path("."):
                files = [f for f in files if f != ".git"]  # the worktree's link to git
            for name in dirs:
                sub = str(rel / name)
                if os.path.islink(os.path.join(top, name)):
                    files.append(name)  # a link to a folder: a file to git
                elif sub not in folders:
                    return True
            if any(str(rel / f) not in tracked for f in files):
                return True
        return False

    def commit(self, name: str, message: str, allowed_empty: bool = False) -> str | None:
        """Commit everything in the worktree on top of its HEAD (tracked changes, deletions,
        new files that are not ignored), leaving HEAD detached at the new commit; None when
        nothing changed. In-process (`fast_commit`) where that commits what git would, else
        with git as `commit_with_git`. When the worktree may hold files its HEAD does not
        track, `git add --all` decides which to stage (ignore rules are git's), and the index
        is committed in-process."""
        path = self.path(name)
        head = self.head(name)
        faults.point("git:commit")  # nothing written yet
        strays = self.has_strays(path, head)
        if strays:
            git("add", "--all", cwd=path)
        try:
            sha = fast_commit.commit(path, head, message, allowed_empty, staged=strays)
        except Unsupported:
            sha = self._git_commit(name, message, allowed_empty, staged=strays)
        faults.point("git:committed")  # the commit made and HEAD moved, nobody told yet
        if sha is not None:
            _maintain(self.repo.root)
        return sha

    def commit_with_git(self, name: str, message: str, allowed_empty: bool = False
                        ) -> str | None:
        """`commit` by git processes alone (one, or two with new files)."""
        path = self.path(name)
        strays = self.has_strays(path, self.head(name))
        if strays:
            git("add", "--all", cwd=path)  # new files (or unsure): stage everything first
        return self._git_commit(name, message, allowed_empty, staged=strays)

    def _git_commit(self, name: str, message: str, allowed_empty: bool, staged: bool
                    ) -> str | None:
        # With no file git does not know, `commit --all` stages the changes and deletions
        # itself, one git process instead of two.
        stage = [] if staged else ["--all"]
        path = self.path(name)
        if allowed_empty:
            git(*NO_AUTO_MAINTENANCE, "commit", "--quiet", "--no-verify", "--allow-empty",
                *stage, "-m", message, cwd=path)
        # Without --allow-empty git refuses an empty commit: that refusal is our "unchanged"
        # test, one git call fewer per attempt than asking `git status` first.
        else:
            proc = run_git(*NO_AUTO_MAINTENANCE, "commit", "--quiet", "--no-verify", *stage,
                           "-m", message, cwd=path)
            if proc.returncode != 0:
                if "nothing to commit" in proc.stdout + proc.stderr:
                    return None
                out = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
                raise GitError(f"git commit failed: {out[-1] if out else proc.returncode}")
        return self.head(name)

    def head(self, name: str) -> str:
        """The commit checked out in worktree `name`."""
        # hone's worktrees are always detached, so their HEAD file holds the sha itself:
        # reading it spares a git process per attempt. Anything else asks git.
        try:
            gitdir = (self.path(name) / ".git").read_text().removeprefix("gitdir:").strip()
            sha = (Path(gitdir) / "HEAD").read_text().strip()
        except OSError:
            sha = ""
        if len(sha) in (40, 64) and all(c in "0123456789abcdef" for c in sha):
            return sha
        return git("rev-parse", "HEAD", cwd=self.path(name))

    def clear_stale_locks(self, run_refs: str) -> list[Path]:
        """Delete the git lock files a killed hone left behind; return what was deleted.

        Covers the admin folders of hone's own worktrees (index.lock, HEAD.lock) and the
        run's refs under `run_refs` (e.g. `refs/hone/main/`). Call it only while holding the
        run's lock: then no git process of hone can still be using them, and git would
        otherwise refuse every later commit or ref update with "File exists".
        """
        stale: list[Path] = []
        admin = self.repo.git_path("worktrees")
        base = self.base.resolve()
        for folder in admin.iterdir() if admin.is_dir() else []:
            try:
                target = Path((folder / "gitdir").read_text().strip()).resolve()
            except OSError:
                continue
            if base in target.parents:
                stale += folder.glob("*.lock")
        refs = self.repo.git_path(run_refs.rstrip("/"))
        if refs.is_dir():
            stale += refs.rglob("*.lock")
        for lock in stale:
            lock.unlink(missing_ok=True)
        return stale

    def remove(self, name: str) -> None:
        path = self.path(name)
        with _ADMIN:
            git("worktree", "remove", "--force", str(path), cwd=self.repo.root, check=False)
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            git("worktree", "prune", cwd=self.repo.root, check=False)


def _maintain(root: Path) -> None:
    """Count a commit in the repository at `root`; every MAINTAIN_EVERY commits, the automatic
    maintenance git's own commits would have run (it packs loose objects when there are many)."""
    with _commits_lock:
        _commits[root] = count = _commits.get(root, 0) + 1
    if count % MAINTAIN_EVERY:
        return
    proc = run_git("maintenance", "run", "--auto", "--quiet", cwd=root)
    if proc.returncode != 0:  # git before 2.29 has no `maintenance`
        run_git("gc", "--auto", "--quiet", cwd=root)
