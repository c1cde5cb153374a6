"""Protected files around a verification: restored from the baseline before, unchanged after.

A `Guard` is taken once at run start (the baseline's protected and holdout files with their git
blob ids). Before gates and objective run on a worktree it removes everything not committed,
restores the protected files from the baseline and removes the holdout files; afterwards it
says which protected file the candidate's code changed while it ran.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from hone.config.load import CONFIG_FILE
from hone.vcs.git import git
from hone.vcs.paths import PathRules, files_named_in


@dataclass(frozen=True)
class Guard:
    """The run's reference: `protected` maps path -> blob id at the baseline; `hidden` are
    the holdout's files, never present while the proposer or its code runs."""

    baseline: str
    protected: dict[str, str]
    hidden: tuple[str, ...] = ()

    @classmethod
    def snapshot(cls, root: Path, commit: str, rules: PathRules,
                 hidden_patterns: Iterable[str] = ()) -> Guard:
        spec = pathspec.PathSpec.from_lines("gitwildmatch", list(hidden_patterns))
        protected: dict[str, str] = {}
        hidden: list[str] = []
        for line in git("ls-tree", "-r", "-z", "--full-tree", commit, cwd=root).split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            _, kind, blob = meta.split()
            if kind != "blob":
                continue
            if spec.match_file(path):
                hidden.append(path)
            elif rules.is_protected(path):
                protected[path] = blob
        return cls(commit, protected, tuple(hidden))

    def prepare(self, workdir: Path, hide: bool = True,
                tree: Mapping[str, str] | None = None, keep: Sequence[str] = ()) -> None:
        """Make `workdir` exactly its commit, protected files as at the baseline, and (with
        `hide`) no holdout files. `tree` (path -> blob id) says that `workdir` was just
        checked out cleanly at a commit with those files: nothing to clean, and only the
        protected files whose blob differs from the baseline's are restored. Untracked files
        matching `keep` (gitignore patterns) stay."""
        if tree is None:
            # Ignored files survive `git add --all`: a stale .pyc or a planted .pth must not.
            git("clean", "-ffdxq", *[a for p in keep for a in ("-e", p)], cwd=workdir)
        stale = [p for p, blob in self.protected.items() if tree is None or tree.get(p) != blob]
        if stale:
            git("checkout", self.baseline, "--", *stale, cwd=workdir)
        if hide:
            self.hide(workdir)

    def refresh(self, workdir: Path, keep: Sequence[str] = (), hide: bool = True) -> None:
        """Between two commands of one verification: make `workdir` its commit again (what
        the last command changed in tracked files is undone, every file it added is removed)
        except the untracked files matching `keep` (gitignore patterns: the outputs stages
        declared), with protected files as at the baseline. Git compares the files' stat data,
        ctime included, so a rewrite that keeps size and modification time is undone too."""
        git("reset", "--hard", "--quiet", cwd=workdir)
        self.prepare(workdir, hide, keep=keep)

    def hide(self, workdir: Path, paths: Sequence[str] | None = None) -> None:
        """Remove the hidden files (or those of them in `paths`) from `workdir`."""
        for rel in self.hidden if paths is None else paths:
            path = workdir / rel
            path.unlink(missing_ok=True)
            # Leave no empty folder behind: its name alone says where the holdout lives.
            for folder in path.parents:
                if folder == workdir or not folder.is_relative_to(workdir):
                    break
                try:
                    folder.rmdir()
                except OSError:
                    break

    def unhide(self, workdir: Path, commit: str) -> None:
        """Bring back the hidden files the proposer did not create itself, so that hiding them
        is not committed as a deletion."""
        missing = [rel for rel in self.hidden if not (workdir / rel).exists()]
        if missing:
            git("checkout", commit, "--", *missing, cwd=workdir)

    def fingerprint(self, workdir: Path) -> dict[str, str]:
        return {rel: _sha256(workdir / rel) for rel in self.protected}

    def changed(self, workdir: Path, before: dict[str, str]) -> list[str]:
        """Protected files whose content differs from `before` (taken before the run)."""
        return [rel for rel, digest in self.fingerprint(workdir).items()
                if before.get(rel) != digest]


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def hidden_patterns(holdout_run: str, holdout_files: Iterable[str], root: Path,
                    tracked: Iterable[str]) -> list[str]:
    """The holdout's files: `[holdout] files` plus the tracked files its command names."""
    if not holdout_run:
        return []
    # The config names the holdout's command, so the proposer does not see it either.
    patterns = [*holdout_files, "/" + CONFIG_FILE]
    for found in files_named_in([holdout_run], root, tracked):
        if found not in patterns:
            patterns.append(found)
    return patterns
