"""`hone init`: write a commented `hone.toml` from flags, protecting what the objective and
the gates really open and the test suite, and say what it made editable and protected, and why.

`plan.py` decides the files (with `commands.py`: what a command names, `reads.py`: the data a
script reads, `suite.py`: the test suite); `render.py` writes the file.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hone.config.load import CONFIG_FILE, find_config, parse_config
from hone.direction import Direction
from hone.errors import ConfigError, UsageError
from hone.expr.score import ScoreExpr
from hone.init.plan import Plan, Protection, plan_files
from hone.init.render import render_config
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules
from hone.verify.corroborate import MEASURES_NOTE, guess_measures

__all__ = ["Initialised", "Plan", "Protection", "init_config", "plan_files", "render_config"]


@dataclass(frozen=True)
class Initialised:
    """What `init_config` wrote: the file, the files plan, and the editable tracked files."""

    path: Path
    plan: Plan
    editable_files: tuple[str, ...]

    def explain(self) -> list[str]:
        """The lines `hone init` prints: editable, then protected with reasons, then notes."""
        files = self.editable_files
        shown = ", ".join(files[:5]) + (f", ... ({len(files)} files)" if len(files) > 5 else "")
        if self.plan.editable:
            lines = [f"editable {' '.join(self.plan.editable)} (you asked: {shown})"]
        else:
            lines = [f"editable every tracked file not protected ({shown})"]
        groups: list[tuple[str, list[str]]] = []
        for p in self.plan.protections:
            if groups and groups[-1][0] == p.reason:
                groups[-1][1].append(p.pattern)
            else:
                groups.append((p.reason, [p.pattern]))
        lines += [f"not protected: {', '.join(q[1:] for q in patterns)} ({reason})"
                  if patterns[0].startswith("!") else
                  f"protect {', '.join(patterns)} ({reason})" for reason, patterns in groups]
        lines.append(f"protect {CONFIG_FILE} (always: the run's rules)")
        return lines + list(self.plan.notes)


def _refuse_to_shadow(repo: Repo, path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise UsageError(f"{path} already exists (use --force to overwrite)")
    if not force and not path.exists():
        with contextlib.suppress(ConfigError):  # a broken pyproject.toml is not ours to judge
            other, _ = find_config(repo.root)
            # hone.toml would silently take precedence over the user's [tool.hone].
            raise UsageError(f"{other} already has [tool.hone] (use --force to write "
                             f"{CONFIG_FILE}, which takes precedence)")


def init_config(root: Path, objective: str, score: str = "score", direction: str = "max",
                editable: Sequence[str] = (), protect: Sequence[str] = (),
                gates: Sequence[str] = (), force: bool = False,
                goal: str = "Improve the score of the objective.") -> Initialised:
    """Write `hone.toml` at the root of the repository holding `root`; UsageError (nothing
    written) for an existing config without `force`, a bad direction or score, or editable
    patterns that leave no tracked file editable."""
    repo = Repo.find(root)
    path = repo.root / CONFIG_FILE
    _refuse_to_shadow(repo, path, force)
    if direction not in list(Direction):
        raise UsageError(f"--direction must be max or min, not {direction!r}")
    ScoreExpr(score)  # a malformed --score is a one-line error now, not at the first `hone run`
    tracked = repo.tracked_files(repo.head())
    plan = plan_files(repo.root, tracked, objective, gates, editable, protect)
    measures = guess_measures(sorted(ScoreExpr(score).names), direction)
    plan = replace(plan, notes=(*plan.notes, f"measures = {measures!r} (guessed from the score "
                                f"{score!r}; {MEASURES_NOTE[measures]}): correct it in "
                                f"[objective] if wrong"))
    text = render_config(objective, score, direction, plan.editable, plan.protect, gates, goal,
                         measures)
    parse_config(tomllib.loads(text))  # never write a config hone itself would refuse
    files = PathRules(plan.editable, plan.protect).editable_files(tracked)
    if not files:
        if editable:
            raise UsageError(f"--editable {' '.join(editable)} matches no tracked file that "
                             f"is not protected (protected: {', '.join(plan.protect)})")
        raise UsageError("no tracked file is left editable: every one is protected "
                         f"({', '.join(plan.protect)})")
    path.write_text(text, encoding="utf-8")
    return Initialised(path, plan, tuple(files))
