"""Plugins: the registry, the config check against it, discovery of a new module without a list
to edit, the README's "Extending hone" example, and the rule that keeps discovery cycle-free."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hone
from hone.config.model import Config
from hone.errors import ConfigError
from hone.plugins import check, choices
from hone.records import Attempt, Status
from hone.registry import Registry
from hone.strategies import STRATEGIES, make_strategy
from tests.conftest import KNOB_PROJECT, Hone, MakeRepo, write_files

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_PACKAGES = ["mutators", "strategies", "executors", "decide"]


class Thing:
    def __init__(self, size: int = 1) -> None:
        self.size = size

    @classmethod
    def from_config(cls, size: int) -> Thing:
        return cls(size)


def test_registry_builds_by_name_and_names_the_choices() -> None:
    things: Registry[Thing] = Registry("thing", "things.kind")
    things.register("plain")(Thing)
    things.register("plain")(Thing)  # the same class again (a module imported twice): harmless
    assert things.names() == ["plain"]
    assert things.make("plain", 7).size == 7
    with pytest.raises(ValueError, match="already registered"):
        things.add("plain", lambda size: Thing(size + 1))
    things.add("bigger", lambda size: Thing(size * 10))
    assert things.make("bigger", 2).size == 20
    with pytest.raises(ConfigError) as err:
        things.make("nope", 1)
    assert str(err.value) == "'things.kind': unknown thing 'nope' (choose from bigger, plain)"
    things.remove("bigger")
    assert things.names() == ["plain"]


def test_every_kind_lists_its_plugins() -> None:
    assert choices() == {
        "mutator.kind": ["ablate", "agent", "classic", "llm"],
        "search.strategy": ["greedy", "islands", "population"],
        "executor.kind": ["local", "ray"],
        "acceptance.rule": ["sequential", "strict"]}


@pytest.mark.parametrize(("section", "key", "kind"), [
    ("search", "strategy", "strategy"), ("mutator", "kind", "mutator"),
    ("executor", "kind", "executor"), ("acceptance", "rule", "decider")])
def test_check_names_the_key_and_the_choices(section: str, key: str, kind: str) -> None:
    config = Config.model_validate({"objective": {"run": "true"}, section: {key: "x"}})
    with pytest.raises(ConfigError) as err:
        check(config)
    message = str(err.value)
    assert message.startswith(f"hone.toml: '{section}.{key}': unknown {kind} 'x' (choose from ")
    assert "\n" not in message
    assert ", ".join(choices()[f"{section}.{key}"]) in message
    assert check(Config.model_validate({"objective": {"run": "true"}})).search.strategy == "greedy"


def test_a_bad_strategy_in_the_config_is_a_usage_error(make_repo: MakeRepo, hone: Hone) -> None:
    toml = ('[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'
            '[search]\nstrategy = "x"\n')
    root = make_repo({**KNOB_PROJECT, "hone.toml": toml})
    res = hone("run", "--attempts", "1", cwd=root)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "'search.strategy': unknown strategy 'x' (choose from greedy, islands, population)" \
        in lines[0]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Extending hone", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1
    return str(blocks[0])


def test_the_readme_strategy_is_selectable_by_its_config_name() -> None:
    code = readme_example()
    namespace: dict[str, object] = {"__name__": "hone.strategies.kept"}
    try:
        exec(compile(code, "README.md (Extending hone)", "exec"), namespace)
        config = check(Config.model_validate({"objective": {"run": "true"},
                                              "search": {"strategy": "kept"}}))
        strategy = make_strategy(config.search.strategy, config)
        assert type(strategy) is namespace["KeptStrategy"] and strategy.name == "kept"
        history = [Attempt("main", 0, None, "c0", Status.BASELINE, score=1.0),
                   Attempt("main", 1, 0, "c1", Status.KEPT, score=2.0),
                   Attempt("main", 2, 1, "c2", Status.DISCARDED, score=1.5),
                   Attempt("main", 3, 1, "c3", Status.KEPT, score=3.0),
                   Attempt("main", 4, 3, None, Status.RUNNING)]
        picks = [strategy.select_parent(history, history[3], k).id for k in range(5, 45)]
        assert set(picks) == {0, 1, 3}  # kept ones and the baseline, each at some point
        assert picks == [strategy.select_parent(history, history[3], k).id
                         for k in range(5, 45)]
    finally:
        STRATEGIES.remove("kept")
    assert "kept" not in STRATEGIES.names()


def test_a_new_module_registers_itself_without_a_list(tmp_path: Path) -> None:
    """The discovery hone's plugin packages use, on a package made here: dropping one more
    file into it is all it takes."""
    write_files(tmp_path, {
        "plug/__init__.py": "from hone.registry import import_submodules\n"
                            "from plug.base import THINGS\n"
                            "import_submodules(__name__, __path__)\n",
        "plug/base.py": "from hone.registry import Registry\n"
                        "THINGS = Registry('thing', 'things.kind')\n",
        "plug/one.py": textwrap.dedent("""\
            from plug.base import THINGS

            @THINGS.register("one")
            class One:
                @classmethod
                def from_config(cls):
                    return cls()
            """)})
    script = "import plug; print(','.join(plug.THINGS.names()))"
    run = [sys.executable, "-c", script]
    assert subprocess.run(run, cwd=tmp_path, capture_output=True, text=True,
                          check=True).stdout.strip() == "one"
    (tmp_path / "plug" / "deep").mkdir()
    (tmp_path / "plug" / "deep" / "__init__.py").write_text("")
    (tmp_path / "plug" / "deep" / "two.py").write_text(
        (tmp_path / "plug" / "one.py").read_text().replace("one", "two").replace("One", "Two"))
    assert subprocess.run(run, cwd=tmp_path, capture_output=True, text=True,
                          check=True).stdout.strip() == "one,two"


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module a file imports (function-level too, as tools/import_cycles.py counts)."""
    tree = ast.parse(path.read_text())
    own = package if path.name == "__init__.py" else package.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = own.split(".")[: len(own.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out.add(base)
    return out


@pytest.mark.parametrize("package", PLUGIN_PACKAGES)
def test_no_plugin_module_imports_its_package(package: str) -> None:
    """A package's `__init__` imports all its modules (discovery), so a module that imported
    the `__init__` back would close an import cycle the static graph cannot see."""
    root = Path(hone.__file__).parent / package
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(root.parent).with_suffix("")
        if f"hone.{package}" in imported_modules(path, "hone." + ".".join(rel.parts)):
            offenders.append(str(rel))
    assert offenders == []
