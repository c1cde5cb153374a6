"""Loading and validating the config: hone.toml, [tool.hone], and one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.config.load import find_config, load_config, parse_config
from hone.errors import ConfigError, UsageError
from tests.conftest import Hone, MakeRepo

MINIMAL = '[objective]\nrun = "python3 score.py"\n'


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text)
    return path


def test_hone_toml_loads_with_defaults(tmp_path: Path) -> None:
    write(tmp_path, "hone.toml", MINIMAL)
    path, config = load_config(tmp_path)
    assert path == tmp_path / "hone.toml"
    assert config.objective.run == "python3 score.py"
    assert config.objective.score == "score"
    assert config.objective.direction == "max"
    assert config.objective.seed_list() == [1]
    assert config.run.name == "main"
    assert config.gates == []
    assert config.files.editable == [] and config.files.protect == []
    assert config.mutator.kind == "classic"


def test_tool_hone_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml",
          '[project]\nname = "x"\n\n[tool.hone.objective]\nrun = "make bench"\n'
          'score = "a * b"\ndirection = "min"\n\n[[tool.hone.gates]]\nrun = "make test"\n')
    path, config = load_config(tmp_path)
    assert path.name == "pyproject.toml"
    assert config.objective.run == "make bench"
    assert config.objective.direction == "min"
    assert [g.name for g in config.gates] == ["gate1"]


def test_hone_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.hone.objective]\nrun = "from-pyproject"\n')
    write(tmp_path, "hone.toml", MINIMAL)
    assert load_config(tmp_path)[1].objective.run == "python3 score.py"


def test_pyproject_without_tool_hone_is_no_config(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 9\n')
    with pytest.raises(ConfigError, match=r"no hone.toml"):
        find_config(tmp_path)


def test_no_config_at_all(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"hone init"):
        load_config(tmp_path)


@pytest.mark.parametrize(("text", "key"), [
    (MINIMAL + "colour = 3\n", "unknown key 'objective.colour'"),
    (MINIMAL + "tiemout = 3\n", "unknown key 'objective.tiemout'"),
    (MINIMAL + "[files]\neditabel = ['x']\n", "unknown key 'files.editabel'"),
    (MINIMAL + "[[gates]]\nrun = 'true'\ncommand = 'x'\n", "unknown key 'gates.0.command'"),
    (MINIMAL + "[llm]\nmodel = 'm'\n[llm.extra]\nx = 1\n", "unknown key 'llm.extra'"),
])
def test_unknown_key_is_named(tmp_path: Path, text: str, key: str) -> None:
    write(tmp_path, "hone.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert key in message
    assert "\n" not in message
    assert isinstance(info.value, UsageError) and info.value.exit_code == 2


@pytest.mark.parametrize(("text", "key"), [
    ('[objective]\nrun = "x"\ntimeout = "soon"\n', "'objective.timeout'"),
    ('[objective]\nrun = "x"\ndirection = "up"\n', "'objective.direction'"),
    ('[objective]\nrun = "x"\nrepeats = 0\n', "'objective.repeats'"),
    ('[objective]\nrun = 5\n', "'objective.run'"),
    ('[objective]\nrun = "x"\n[files]\neditable = "src/*.py"\n', "'files.editable'"),
    ('[objective]\nrun = "x"\n[run]\nname = "a b/c"\n', "'run.name'"),
    ('objective = "python3 x.py"\n', "'objective'"),
])
def test_wrong_type_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    write(tmp_path, "hone.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert key in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_objective(tmp_path: Path) -> None:
    write(tmp_path, "hone.toml", '[run]\ngoal = "faster"\n')
    with pytest.raises(ConfigError, match=r"missing required key 'objective'"):
        load_config(tmp_path)


def test_missing_objective_run(tmp_path: Path) -> None:
    write(tmp_path, "hone.toml", '[objective]\nscore = "x"\n')
    with pytest.raises(ConfigError, match=r"missing required key 'objective.run'"):
        load_config(tmp_path)


def test_empty_objective_run(tmp_path: Path) -> None:
    write(tmp_path, "hone.toml", '[objective]\nrun = ""\n')
    with pytest.raises(ConfigError, match=r"'objective.run'"):
        load_config(tmp_path)


def test_bad_toml(tmp_path: Path) -> None:
    write(tmp_path, "hone.toml", '[objective\nrun = "x"\n')
    with pytest.raises(ConfigError, match=r"hone.toml: not valid TOML") as info:
        load_config(tmp_path)
    assert "\n" not in str(info.value)


def test_bad_toml_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.hone\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML"):
        load_config(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "hone.toml").write_bytes(b'[objective]\nrun = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match=r"not UTF-8"):
        load_config(tmp_path)


def test_gate_names_default_and_must_be_unique() -> None:
    config = parse_config({"objective": {"run": "x"},
                           "gates": [{"run": "a"}, {"run": "b", "name": "lint"}]})
    assert [g.name for g in config.gates] == ["gate1", "lint"]
    with pytest.raises(ConfigError, match=r"unique"):
        parse_config({"objective": {"run": "x"},
                      "gates": [{"run": "a", "name": "t"}, {"run": "b", "name": "t"}]})


def test_seeds_override_repeats() -> None:
    config = parse_config({"objective": {"run": "x", "seeds": [7, 9], "repeats": 5}})
    assert config.objective.seed_list() == [7, 9]
    assert parse_config({"objective": {"run": "x", "repeats": 3}}).objective.seed_list() \
        == [1, 2, 3]


def test_config_is_frozen() -> None:
    config = parse_config({"objective": {"run": "x"}})
    with pytest.raises(ValueError):
        config.objective.run = "y"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "needle"), [
    (MINIMAL + "colour = 3\n", "unknown key 'objective.colour'"),
    (MINIMAL + "[files]\neditabel = ['x']\n", "unknown key 'files.editabel'"),
    ('[objective]\nrun = "x"\ntimeout = "soon"\n', "'objective.timeout'"),
    ('[run]\ngoal = "x"\n', "missing required key 'objective'"),
    ("[objective\n", "not valid TOML"),
])
def test_cli_config_errors_are_one_line_exit_2(make_repo: MakeRepo, hone: Hone, text: str,
                                               needle: str) -> None:
    root = make_repo({"hone.toml": text, "score.py": "print('score: 1')\n"})
    res = hone("status", cwd=root)
    assert res.returncode == 2
    assert needle in res.stderr
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("hone: error: ")
    assert "Traceback" not in res.stderr
