"""Find and validate the config: `hone.toml`, else `[tool.hone]` in `pyproject.toml`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hone.config.model import Config
from hone.config.paths import check_jail_paths
from hone.errors import ConfigError

CONFIG_FILE = "hone.toml"


def find_config(root: Path) -> tuple[Path, dict[str, Any]]:
    """Return the config file and its raw table; ConfigError when there is none."""
    path = root / CONFIG_FILE
    if path.is_file():
        return path, _read_toml(path)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("hone")
        if isinstance(table, dict):
            return pyproject, table
    raise ConfigError(f"no {CONFIG_FILE} (or [tool.hone] in pyproject.toml) in {root}; "
                      "run `hone init --objective CMD` first")


def load_config(root: Path) -> tuple[Path, Config]:
    """Load and validate; every problem is a one-line ConfigError naming the key."""
    path, raw = find_config(root)
    config = parse_config(raw, source=path.name)
    check_jail_paths([(f"{section}.{key}", getattr(getattr(config, section), key))
                      for section in ("sandbox", "agent") for key in ("ro_paths", "rw_paths")],
                     root, source=path.name)
    return path, config


def parse_config(raw: dict[str, Any], source: str = CONFIG_FILE) -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_first_problem(exc)}") from None


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}'" + _suggest(err["loc"])
    if err["type"] == "missing":
        return f"missing required key '{key}'"
    msg = err["msg"].removeprefix("Value error, ")
    return f"'{key}': {msg}" if err["loc"] else msg


def _suggest(loc: tuple[int | str, ...]) -> str:
    """' (did you mean `objective.timeout`?)' for an unknown key: the nearest key of its own
    section, else the nearest key of any section with the same name."""
    from hone.suggest import did_you_mean, nearest

    model: Any = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # an item of a list of sections ([[gates]]): same model as its siblings
        model = _section_model(model, str(part))
        if model is None:
            return ""
    prefix = ".".join(str(p) for p in loc[:-1])
    name = str(loc[-1])
    match = nearest(name, model.model_fields)
    if match:
        return did_you_mean(f"{prefix}.{name}" if prefix else name,
                            [f"{prefix}.{match}" if prefix else match])
    dotted = [f"{section}.{key}" for section in Config.model_fields
              for key in getattr(_section_model(Config, section), "model_fields", {})]
    match = nearest(name, [d.rsplit(".", 1)[1] for d in dotted], cutoff=0.75)  # be surer
    hit = next((d for d in dotted if d.endswith(f".{match}")), None) if match else None
    return f" (did you mean `{hit}`?)" if hit else ""


def _section_model(model: Any, name: str) -> Any:
    """The pydantic model of field `name` of `model` (the item's for a list); None if none."""
    import typing

    field = getattr(model, "model_fields", {}).get(name)
    if field is None:
        return None
    kind = field.annotation
    for arg in (kind, *typing.get_args(kind)):
        if isinstance(arg, type) and hasattr(arg, "model_fields"):
            return arg
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text") from None
    except RecursionError:  # tables or arrays nested thousands deep
        raise ConfigError(f"{path.name}: not valid TOML: nested too deeply") from None
