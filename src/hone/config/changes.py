"""What changed between the config a run recorded and the one it is opened with, key by key.

A change of what is measured (the objective's command, score and seeds, the gates' commands,
the holdout) makes the run's attempts incomparable with the ones before; any other change
(acceptance, budget, mutator, llm, notify, timeouts, retries...) applies to the attempts from
then on. Keys are dotted (`acceptance.min_effect`, `gates[0].run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What a score means: change one and the run's scores are no longer comparable.
MEASURED = frozenset({
    "objective.run", "objective.score", "objective.direction", "objective.seeds",
    "objective.repeats", "objective.aggregation", "objective.constraints",
    "holdout.run", "holdout.score", "holdout.files", "holdout.repeats",
    "gates",  # gates added or removed
})
MEASURED_GATE_KEYS = frozenset({"run", "name"})
IGNORED = frozenset({"run.name"})  # the run's name is given by `--run` as well


@dataclass(frozen=True)
class KeyChange:
    """One key whose value changed: its dotted name, the value before and after."""

    key: str
    before: Any
    after: Any

    @property
    def measured(self) -> bool:
        if self.key in MEASURED:
            return True
        head, _, leaf = self.key.partition("].")
        return head.startswith("gates[") and leaf in MEASURED_GATE_KEYS

    def __str__(self) -> str:
        return f"{self.key} {_short(self.before)} -> {_short(self.after)}"


@dataclass(frozen=True)
class ConfigChange:
    """Every key that differs, in the config's order."""

    keys: tuple[KeyChange, ...] = ()

    @property
    def measured(self) -> tuple[KeyChange, ...]:
        """The changes that alter what a score means."""
        return tuple(k for k in self.keys if k.measured)

    def __bool__(self) -> bool:
        return bool(self.keys)

    def names(self) -> list[str]:
        return [k.key for k in self.keys]


def compare(before: dict[str, Any], after: dict[str, Any]) -> ConfigChange:
    """The keys whose values differ between two configs as `Config.model_dump(mode="json")`
    writes them. A key that `before` lacks (recorded by an older hone) is not a change."""
    old, new = flatten(before), flatten(after)
    return ConfigChange(tuple(KeyChange(k, old[k], v) for k, v in new.items()
                              if k in old and old[k] != v and k not in IGNORED))


def flatten(config: dict[str, Any]) -> dict[str, Any]:
    """`{"section.key": value}`; a list of tables (`gates`) as `gates[i].key`, with `gates`
    itself standing for the number of entries."""
    out: dict[str, Any] = {}
    for section, body in config.items():
        if isinstance(body, dict):
            out.update((f"{section}.{k}", v) for k, v in body.items())
        elif isinstance(body, list) and all(isinstance(e, dict) for e in body):
            out[section] = len(body)
            for i, entry in enumerate(body):
                out.update((f"{section}[{i}].{k}", v) for k, v in entry.items())
        else:
            out[section] = body
    return out


def _short(value: Any, width: int = 40) -> str:
    text = "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"
