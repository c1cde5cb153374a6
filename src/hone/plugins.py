"""The plugin registries together: which names each config key accepts, and the check of a
config against them. Above config and the plugin packages, so neither imports the other."""

from __future__ import annotations

from typing import Any

from hone.config.load import CONFIG_FILE
from hone.config.model import Config
from hone.decide import DECIDERS
from hone.errors import ConfigError
from hone.executors import EXECUTORS
from hone.mutators import MUTATORS
from hone.registry import Registry
from hone.strategies import STRATEGIES


def registries() -> list[Registry[Any]]:
    return [MUTATORS, STRATEGIES, EXECUTORS, DECIDERS]


def choices() -> dict[str, list[str]]:
    """Config key -> the names it accepts (for `--help` and errors)."""
    return {r.key: r.names() for r in registries()}


def chosen(config: Config) -> dict[str, str]:
    """Config key -> the name this config gives it."""
    return {"mutator.kind": config.mutator.kind, "search.strategy": config.search.strategy,
            "executor.kind": config.executor.kind, "acceptance.rule": config.acceptance.rule}


def check(config: Config, source: str = CONFIG_FILE) -> Config:
    """The config when every plugin it names is registered; else a one-line ConfigError
    naming the source, the key and the choices (run it right after loading a config)."""
    names = chosen(config)
    for registry in registries():
        try:
            registry.check(names[registry.key])
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None
    return config
