"""A repository opened for hone: its config, journal, worktrees, path rules and verifier."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from filelock import FileLock

from hone.config.load import load_config
from hone.config.model import Config
from hone.loop.locks import RunLocks, file_name
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

    def run_dir(self, run: str) -> Path:
        """`run`'s own folder, `.hone/runs/<run>/`: its worktrees (`worktrees/`) and scratch
        space (`tmp/`). Two runs going at once never share a worktree."""
        return self.dir / "runs" / file_name(run)

    def worktrees(self, run: str) -> Worktrees:
        """The worktrees of `run` (`baseline`, `propose-N`, `exec-N`, `ask-...`)."""
        return Worktrees(self.repo, self.run_dir(run) / "worktrees")

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

    def lock(self, run: str, command: str = "") -> FileLock:
        """An exclusive, non-blocking lock on `run` for `command` (`run`, `ask`, ...),
        released even by `kill -9`; RunLocked when another process works on the run. Runs
        have their own worktrees (`run_dir`), so other runs may go at the same time."""
        return self.locks.acquire(run, command)

    @property
    def locks(self) -> RunLocks:
        return RunLocks(self.dir / "locks")
