"""`hone init`: write a commented `hone.toml` from flags, with sensible protected files."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from hone.config.load import CONFIG_FILE, find_config, parse_config
from hone.direction import Direction
from hone.errors import ConfigError, UsageError
from hone.expr.score import ScoreExpr
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules, files_named_in


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def render_config(objective: str, score: str, direction: str, editable: list[str],
                  protect: list[str], gates: list[str], goal: str) -> str:
    lines = [
        "# hone configuration. Reference: README.md (Config).",
        "",
        "[run]",
        "# The goal in your words; every proposer reads it first.",
        f"goal = {_toml_str(goal)}",
        "",
        "[objective]",
        "# Prints metrics: a JSON object on its last line, or `name: value` lines.",
        "# {seed} is replaced by the seed; HONE_SEED is set too.",
        f"run = {_toml_str(objective)}",
        "# A metric name or an expression of metric names, e.g. \"fmax_mhz * iter_per_cycle\".",
        f"score = {_toml_str(score)}",
        f"direction = {_toml_str(direction)}  # max or min",
        "timeout = 600  # seconds per run of the objective",
        "repeats = 1    # runs per measurement (or: seeds = [1, 2, 3])",
        "",
    ]
    for i, gate in enumerate(gates, 1):
        lines += ["# Gates run in order before the objective; a gate passes iff it exits 0.",
                  "[[gates]]", f"name = \"gate{i}\"",
                  f"run = {_toml_str(gate)}", "timeout = 600", ""]
    lines += [
        "[files]",
        "# gitignore-style patterns. No editable pattern: every tracked file not protected.",
        f"editable = {_toml_list(editable)}",
        "# A change to a protected file is rejected. hone.toml is always protected.",
        f"protect = {_toml_list(protect)}",
        "",
        "[mutator]",
        "kind = \"classic\"  # classic (offline), llm, or agent",
        "",
    ]
    return "\n".join(lines)


def init_config(root: Path, objective: str, score: str = "score", direction: str = "max",
                editable: list[str] | None = None, protect: list[str] | None = None,
                gates: list[str] | None = None, force: bool = False,
                goal: str = "Improve the score of the objective.") -> Path:
    repo = Repo.find(root)
    path = repo.root / CONFIG_FILE
    if path.exists() and not force:
        raise UsageError(f"{path} already exists (use --force to overwrite)")
    if not force and not path.exists():
        with contextlib.suppress(ConfigError):  # a broken pyproject.toml is not ours to judge
            other, _ = find_config(repo.root)
            # hone.toml would silently take precedence over the user's [tool.hone].
            raise UsageError(f"{other} already has [tool.hone] (use --force to write "
                             f"{CONFIG_FILE}, which takes precedence)")
    if direction not in list(Direction):
        raise UsageError(f"--direction must be max or min, not {direction!r}")
    ScoreExpr(score)  # a malformed --score is a one-line error now, not at the first `hone run`
    tracked = repo.tracked_files(repo.head())
    protected = list(protect or [])
    for found in files_named_in([objective, *(gates or [])], repo.root, tracked):
        if found not in protected:
            protected.append(found)
    text = render_config(objective, score, direction, list(editable or []), protected,
                         list(gates or []), goal)
    import tomllib

    parse_config(tomllib.loads(text))  # never write a config hone itself would refuse
    if editable:
        rules = PathRules(editable, protected)
        if not rules.editable_files(tracked):
            raise UsageError(f"--editable {' '.join(editable)} matches no tracked file")
    path.write_text(text, encoding="utf-8")
    return path
