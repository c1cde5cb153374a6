"""Proposal contexts on real git worktrees, one per attempt, as the loop gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hone.config.model import Config
from hone.mutators.base import ProposalContext
from hone.records import Attempt, Status
from hone.sections import Brief, Section, SectionKind
from tests.conftest import git


def head(repo: Path) -> str:
    return git("rev-parse", "HEAD", cwd=repo)


def baseline(repo: Path, score: float = 3.0) -> Attempt:
    return Attempt("main", 0, None, head(repo), Status.BASELINE, score=score)


def context(repo: Path, attempt_id: int, config: Config, history: list[Attempt],
            parent: Attempt | None = None, hints: dict[str, Any] | None = None
            ) -> ProposalContext:
    """A worktree of `repo` at the parent's commit (the last of `history` by default) and a
    brief that names the attempt, in a hone folder beside the repository (laid out like the
    loop's `.hone`, kept out of the repository so that its status shows only edits)."""
    parent = parent or history[-1]
    assert parent.commit is not None
    workdir = repo.parent / f"{repo.name}-wt{attempt_id}"
    git("worktree", "add", "-q", "--detach", str(workdir), parent.commit, cwd=repo)
    brief_path = repo.parent / f"{repo.name}.hone" / "briefs" / "main" / f"{attempt_id:05d}.md"
    brief_path.parent.mkdir(parents=True, exist_ok=True)
    sections = Brief((Section(SectionKind.GOAL, "Goal", (
        config.run.goal, "", f"This is attempt number {attempt_id}.")),))
    brief = sections.render()
    brief_path.write_text(brief)
    return ProposalContext("main", attempt_id, parent, parent, history, config, workdir, brief,
                           brief_path, list(config.files.editable), hints=dict(hints or {}),
                           sections=sections)


def changed(workdir: Path) -> list[str]:
    """The files a proposal changed in its worktree (not committed)."""
    out = git("ls-files", "--modified", "--deleted", "--others", "--exclude-standard",
              cwd=workdir)
    return sorted(set(out.splitlines()))
