"""Which keys of a config changed, and which of them change what is measured."""

from __future__ import annotations

from hone.config.changes import compare
from hone.config.load import parse_config


def dump(text: dict[str, object]) -> dict[str, object]:
    return parse_config(text, source="test").model_dump(mode="json")


BASE = {"objective": {"run": "python3 bench.py"},
        "gates": [{"name": "tests", "run": "pytest -q"}]}


def test_gate_commands_are_measured_but_their_retries_apply() -> None:
    retries = dump({**BASE, "gates": [{"name": "tests", "run": "pytest -q", "retries": 2}]})
    change = compare(dump(BASE), retries)
    assert change.names() == ["gates[0].retries"] and not change.measured
    other = dump({**BASE, "gates": [{"name": "tests", "run": "pytest -x"}]})
    assert [k.key for k in compare(dump(BASE), other).measured] == ["gates[0].run"]
    more = dump({**BASE, "gates": [*BASE["gates"], {"run": "ruff check"}]})  # type: ignore[list-item]
    assert [k.key for k in compare(dump(BASE), more).measured] == ["gates"]


def test_what_a_score_means_is_measured_and_the_rest_applies() -> None:
    changed = dump({**BASE, "objective": {"run": "python3 bench.py", "direction": "min",
                                          "timeout": 60},
                    "acceptance": {"min_effect": 0.05}, "run": {"name": "other"}})
    change = compare(dump(BASE), changed)
    assert set(change.names()) == {"objective.direction", "objective.timeout",
                                   "acceptance.min_effect"}  # the run's name is not a change
    assert [k.key for k in change.measured] == ["objective.direction"]
    assert str(change.keys[-1]) == "acceptance.min_effect 0.01 -> 0.05"


def test_a_key_an_older_hone_did_not_record_is_no_change() -> None:
    old = dump(BASE)
    del old["notify"]
    assert not compare(old, dump({**BASE, "notify": {"command": "true"}}))
