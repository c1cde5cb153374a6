"""The text of the `hone.toml` that `hone init` writes: every section of the config model,
the keys `init` sets written out, every other key commented out with its default (read from
`hone.config.model`, so a new key shows up here without an edit)."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from hone.config.model import Config

SECTION_HELP = {
    "run": "The run's name (a git ref) and the goal in your words; every proposer reads it.",
    "objective": "Prints metrics: a JSON object on its last line, or `name: value` lines.\n"
                 "{seed} is replaced by the seed; HONE_SEED is set too.",
    "files": "gitignore-style patterns. No editable pattern: every tracked file not "
             "protected.\nA change to a protected file is rejected. hone.toml is always "
             "protected.",
    "mutator": "What proposes changes: classic (offline), llm, or agent.",
    "llm": "The llm mutator: an OpenAI-compatible server (OPENAI_BASE_URL, OPENAI_API_KEY).",
    "agent": "The agent mutator: a coding-agent CLI run in hone's jail.",
    "acceptance": "When a candidate is kept: a gain beyond noise, with this confidence.",
    "search": "How parents are chosen: greedy, population or islands.",
    "executor": "Where evaluations run: local slots or a Ray cluster.",
    "budget": "When `hone run` stops (flags override).",
    "logs": "Command logs under .hone/logs/.",
    "sandbox": "The jail of gates, objective and holdout: no network, resource limits.",
    "holdout": "A second objective the proposer never sees, run on champions.",
    "audit": "Static checks of kept diffs; implausible gains are re-verified.",
}
KEY_HELP = {
    ("objective", "score"): "a metric or an expression, e.g. \"fmax_mhz * iter_per_cycle\"",
    ("objective", "direction"): "max or min",
    ("objective", "timeout"): "seconds per run of the objective",
    ("objective", "repeats"): "runs per measurement (or: seeds = [1, 2, 3])",
    ("objective", "measures"): "time, rate or other: a claimed speed-up must show in the "
                               "process's own CPU time",
    ("acceptance", "min_effect"): "smallest relative gain worth keeping",
    ("acceptance", "noise_runs"): "baseline runs that measure the noise",
    ("sandbox", "enabled"): "auto: jailed when bubblewrap is installed",
    ("holdout", "run"): "its command; empty: no holdout",
    ("audit", "block"): "reject a flagged change instead of holding it",
}
# Keys whose default is None: an example value, commented out like every default.
EXAMPLES: dict[tuple[str, str], Any] = {
    ("objective", "seeds"): [1, 2, 3],
    ("budget", "attempts"): 100,
    ("budget", "hours"): 8,
    ("budget", "usd"): 20.0,
}


def toml_value(value: Any) -> str:
    """`value` as TOML: strings as JSON strings (a JSON string is a TOML basic string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return toml_value(value.value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        items = [toml_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        return one_line if len(one_line) <= 72 else "[\n" + "".join(
            f"    {item},\n" for item in items) + "]"
    return json.dumps(str(value))


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in text.splitlines()]


def _key_line(section: str, key: str, value: Any, active: bool) -> str:
    help_text = KEY_HELP.get((section, key))
    line = f"{key} = {toml_value(value)}" + (f"  # {help_text}" if help_text else "")
    return line if active else f"# {line}"


def _section(name: str, model: type[BaseModel], values: dict[str, Any], header: str
             ) -> list[str]:
    """One section: the keys in `values` set, every other key commented with its default.
    A section with no key set is commented whole, header included: appending the section to
    the file later (by hand or by a script) then never defines it twice."""
    lines = [*_comment(SECTION_HELP.get(name, "")), header if values else f"# {header}"]
    for key, field in model.model_fields.items():
        if key in values:
            lines.append(_key_line(name, key, values[key], True))
            continue
        default = field.get_default(call_default_factory=True)
        if default is None:
            default = EXAMPLES.get((name, key), "")
        lines.append(_key_line(name, key, default, False))
    return [line for line in lines if line != "# "] + [""]


def render_config(objective: str, score: str, direction: str, editable: Sequence[str],
                  protect: Sequence[str], gates: Sequence[str], goal: str,
                  measures: str = "other") -> str:
    """The whole file: what `init` was told, and every other key with its default."""
    sections = Config.model_fields
    lines = ["# hone configuration. Reference: README.md (Config).", ""]
    for name, field in sections.items():
        model = _model_of(field.annotation)
        if name == "gates":
            lines += _gates(model, gates)
            continue
        told: dict[str, dict[str, Any]] = {
            "run": {"goal": goal},
            "objective": {"run": objective, "score": score, "direction": direction,
                          "timeout": 600, "repeats": 1, "measures": measures},
            "files": {"editable": list(editable), "protect": list(protect)},
            "mutator": {"kind": "classic"},
        }
        lines += _section(name, model, told.get(name, {}), f"[{name}]")
    return "\n".join(lines)


def _gates(model: type[BaseModel], gates: Sequence[str]) -> list[str]:
    if not gates:
        return ["# Gates run in order before the objective; a gate passes iff it exits 0.",
                "# [[gates]]", "# name = \"tests\"", "# run = \"python3 -m pytest -q\"", ""]
    lines = ["# Gates run in order before the objective; a gate passes iff it exits 0."]
    for i, gate in enumerate(gates, 1):
        lines += _section("gates", model, {"name": f"gate{i}", "run": gate, "timeout": 600},
                          "[[gates]]")
    return lines


def _model_of(annotation: Any) -> type[BaseModel]:
    """The section model of a field of `Config` (the item's for `list[GateSection]`)."""
    import typing

    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    raise TypeError(f"not a section: {annotation!r}")
