"""A repository opened for hone: its config, journal, worktrees, path rules and verifier."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from filelock import FileLock, Timeout

from hone.config.load import load_config
from hone.config.model import Config
from hone.errors import RunLocked
from hone.store import Store
from hone.store.location import open_journal
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules
from hone.vcs.worktrees import Worktrees
from hone.verify.verifier import Verifier, build_verifier

HONE_DIR = ".hone"


def journal_paths(repo: Repo) -> tuple[Path, Path]:
    """(the journal: in the common git dir, shared by linked worktrees and out of reach of
    `git clean`; where older hones kept it, in the working tree). See store/location.py."""
    return repo.git_path("hone") / "hone.db", repo.root / HONE_DIR / "hone.db"


@dataclass(frozen=True)
class Workspace:
    """A repository opened for hone. Frozen: a command that lays flags over the config makes
    a new one (`dataclasses.replace`) before anything is built from it."""

    repo: Repo
    config_path: Path
    config: Config

    @classmethod
    def open(cls, path: Path) -> Workspace:
        """Open the repository containing `path`; UsageError for no repo, commit or config."""
        repo = Repo.find(path)
        repo.head()
        config_path, config = load_config(repo.root)
        ws = cls(repo, config_path, config)
        ws.dir.mkdir(exist_ok=True)
        repo.exclude(f"/{HONE_DIR}/")
        return ws

    @property
    def dir(self) -> Path:
        return self.repo.root / HONE_DIR

    @property
    def journal_path(self) -> Path:
        return journal_paths(self.repo)[0]

    @cached_property
    def store(self) -> Store:
        return open_journal(*journal_paths(self.repo),
                            lambda: list(self.repo.refs("refs/hone/")))

    @cached_property
    def worktrees(self) -> Worktrees:
        return Worktrees(self.repo, self.dir / "worktrees")

    @cached_property
    def rules(self) -> PathRules:
        from hone.verify.guard import hidden_patterns

        # The holdout's files are protected too (and hidden from proposers, see verify/guard).
        holdout = hidden_patterns(self.config.holdout.run, self.config.holdout.files,
                                  self.repo.root, self.repo.tracked_files(self.repo.head()))
        return PathRules(self.config.files.editable, [*self.config.files.protect, *holdout])

    def logs_dir(self, run: str) -> Path:
        return self.dir / "logs" / run

    def verifier(self, run: str) -> Verifier:
        return build_verifier(self.config, self.logs_dir(run))

    def brief_path(self, run: str, attempt_id: int) -> Path:
        path = self.dir / "briefs" / run / f"{attempt_id:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def lock(self, run: str) -> FileLock:
        """An exclusive, non-blocking lock on the repository's hone state, taken for `run`;
        released even by `kill -9`.

        One lock per repository, not per run: all runs share hone's worktrees (`baseline`,
        `slot-0`, ...), so two runs at once would measure each other's code.
        """
        folder = self.dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        holder = folder / "holder"
        lock = FileLock(str(folder / "repository.lock"), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            try:
                other = holder.read_text(encoding="utf-8").strip()
            except OSError:
                other = ""
            if other and other != run:
                raise RunLocked(f"run {run!r} must wait: run {other!r} is in use by another "
                                "hone process in this repository (runs share hone's "
                                "worktrees; wait for it to finish or stop it)") from None
            raise RunLocked(f"run {run!r} is in use by another hone process "
                            "(wait for it to finish or stop it)") from None
        holder.write_text(run + "\n", encoding="utf-8")
        return lock
