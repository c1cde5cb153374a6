"""What the cheats of `hone probe` are built from: the repository's files at the baseline and the
config's objective, gates and editable paths."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath

from hone.config.model import Config
from hone.errors import UsageError
from hone.expr.score import ScoreError, ScoreExpr
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules, files_named_in

TEST_NAMES = ("test_*.py", "*_test.py")


@dataclass(frozen=True)
class Target:
    """The files a cheat edits. `script`: the objective's script (a tracked `.py` or `.sh`
    file its command names), "" when none. `module`: the editable Python module a cheat plants
    code in (one the objective's script imports, else the first editable `.py`), "" when none;
    `texts` holds its text and the script's. `called`: the module's functions the objective
    calls (those it imports by name), else its public top-level functions. `in_process`: the
    editable modules the objective's script imports into its own, measuring, process.
    `tests`: the test files the gates run. `inputs`: the files the objective reads (tracked
    files other than Python that its command or script names), else its script."""

    config: Config
    script: str
    module: str
    called: tuple[str, ...]
    in_process: tuple[str, ...]
    tests: tuple[str, ...]
    texts: dict[str, str]
    inputs: tuple[str, ...] = ()


def read_target(repo: Repo, commit: str, config: Config, rules: PathRules) -> Target:
    """The target of `config` in `repo` at `commit`."""
    tracked = repo.tracked_files(commit)
    texts: dict[str, str] = {}

    def text(path: str) -> str:
        if path not in texts:
            data = repo.show_file(commit, path)
            texts[path] = data.decode("utf-8", errors="replace") if data is not None else ""
        return texts[path]

    named = files_named_in([config.objective.run], repo.root, tracked)
    script = next((p for p in named if p.endswith((".py", ".sh"))), "")
    editable = [p for p in rules.editable_files(tracked) if p.endswith(".py")]
    imported = _imports(text(script), script, editable) if script.endswith(".py") else {}
    module = next(iter(imported), editable[0] if editable else "")
    called = imported.get(module) or (_functions(text(module)) if module else ())
    if module:
        text(module)  # the cheats append to it
    return Target(config, script, module, tuple(called), tuple(imported),
                  _tests(repo, config, tracked), texts,
                  _inputs(named, script, text(script) if script else "", tracked))


def _inputs(named: list[str], script: str, source: str, tracked: list[str]) -> tuple[str, ...]:
    """Tracked non-Python files the objective's command names or its script mentions (by path
    or file name), else the script itself."""
    found = [p for p in named if p != script and p in tracked and not p.endswith(".py")]
    found += [p for p in tracked if p not in found and not p.endswith(".py")
              and source and (p in source or f'"{PurePosixPath(p).name}"' in source)]
    return tuple(found) or ((script,) if script else ())


def _tests(repo: Repo, config: Config, tracked: list[str]) -> tuple[str, ...]:
    """The test files the gates run: those under the paths their commands name, else all."""
    named = files_named_in([g.run for g in config.gates], repo.root, tracked)
    return tuple(p for p in tracked if _is_test(p) and (
        not named or any(p == g or p.startswith(g) for g in named)))


def _is_test(path: str) -> bool:
    name = PurePosixPath(path)
    return any(name.match(p) for p in TEST_NAMES)


def _imports(source: str, script: str, editable: list[str]) -> dict[str, tuple[str, ...]]:
    """The editable modules `script` imports, each with the names it takes from it (empty:
    the script imports the module itself and uses its attributes)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    folder = str(PurePosixPath(script).parent)
    found: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        pairs: list[tuple[str, tuple[str, ...]]] = []
        if isinstance(node, ast.Import):
            pairs = [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            pairs = [(node.module, tuple(a.name for a in node.names if a.name != "*"))]
        for name, names in pairs:
            path = _module_file(name, folder, editable)
            if path:
                found[path] = (*found.get(path, ()), *names)
    return found


def _module_file(name: str, folder: str, editable: list[str]) -> str:
    rel = name.replace(".", "/")
    for base in dict.fromkeys([folder, "."]):
        for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
            path = str(PurePosixPath(base) / candidate)
            if path in editable:
                return path
    return ""


def _functions(source: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    return tuple(n.name for n in tree.body
                 if isinstance(n, ast.FunctionDef) and not n.name.startswith("_"))


def forged(metrics: dict[str, float], config: Config, factor: float) -> dict[str, float]:
    """`metrics` with one metric of the score moved by `factor` in the direction that makes
    the score better (the first that does), for a cheat to print."""
    expr = ScoreExpr(config.objective.score)
    direction = config.objective.direction
    try:
        score = expr.evaluate(metrics)
    except ScoreError as exc:
        raise UsageError(f"the baseline's metrics do not give a score: {exc}") from None
    for name in sorted(expr.names):
        value = metrics.get(name, 0.0)
        for option in ((value * factor, value / factor) if value else (1e6, -1e6)):
            try:
                moved = expr.evaluate({**metrics, name: option})
            except ScoreError:
                continue
            if direction.better(moved, score):
                return {**metrics, name: option}
    return dict(metrics)

