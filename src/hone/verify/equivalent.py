"""Whether a change is only a rename: every changed file is Python whose syntax tree equals the
parent's up to a consistent renaming of the names the file itself binds (comments, blank lines
and layout never reach the tree). Such a change cannot make the program better; on a chaotic
objective it can only move the score by chance, so it is not evaluated (engine's screen)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from hone.config.model import Config
from hone.records import Attempt
from hone.vcs.git import Repo
from hone.verify.verifier import StageFailure

# Fields that hold a name the program chooses: these may differ by a consistent renaming.
# Attribute names, keyword arguments and imported module paths are not among them: renaming
# those changes what the program calls.
_NAME_FIELDS: frozenset[tuple[type[ast.AST], str]] = frozenset({
    (ast.Name, "id"), (ast.arg, "arg"), (ast.FunctionDef, "name"),
    (ast.AsyncFunctionDef, "name"), (ast.ClassDef, "name"), (ast.alias, "asname"),
    (ast.ExceptHandler, "name"), (ast.Global, "names"), (ast.Nonlocal, "names"),
    (ast.MatchAs, "name"), (ast.MatchStar, "name"), (ast.MatchMapping, "rest"),
})


def bound_names(tree: ast.AST) -> set[str]:
    """The names `tree` binds somewhere (assigned, defined, imported, caught, matched). A name
    it only reads (a builtin, a star import) is not its own to rename."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        else:
            for kind, field in _NAME_FIELDS:
                value = getattr(node, field, None) if isinstance(node, kind) else None
                if isinstance(value, str) and kind is not ast.alias:
                    names.add(value)
    return names


class _Renaming:
    """A one-to-one map from the old tree's names to the new one's, built while comparing."""

    def __init__(self) -> None:
        self.forward: dict[str, str] = {}
        self.backward: dict[str, str] = {}

    def pair(self, old: Any, new: Any) -> bool:
        if isinstance(old, list) and isinstance(new, list):
            return len(old) == len(new) and all(
                self.pair(a, b) for a, b in zip(old, new, strict=True))
        if not (isinstance(old, str) and isinstance(new, str)):
            return bool(old == new)
        return (self.forward.setdefault(old, new) == new
                and self.backward.setdefault(new, old) == old)


def _same(old: Any, new: Any, renaming: _Renaming) -> bool:
    if type(old) is not type(new):
        return False
    if isinstance(old, ast.AST):
        for field in old._fields:
            a, b = getattr(old, field, None), getattr(new, field, None)
            named = (type(old), field) in _NAME_FIELDS
            if not (renaming.pair(a, b) if named else _same(a, b, renaming)):
                return False
        return True
    if isinstance(old, list):
        return len(old) == len(new) and all(
            _same(a, b, renaming) for a, b in zip(old, new, strict=True))
    return bool(old == new)


def same_program(old: str, new: str) -> bool:
    """True when `new` is `old` up to a consistent renaming of names `old` binds (and
    comments, whitespace and layout). A name `old` does not bind (`print`, `len`) must stay
    as it is: `print(x)` -> `log(x)` is a different program. False when either does not parse.
    """
    try:
        a, b = ast.parse(old), ast.parse(new)
        renaming = _Renaming()
        if not _same(a, b, renaming):
            return False
    except (SyntaxError, ValueError, RecursionError):
        return False
    own = bound_names(a)
    return all(before == after or (before in own and after in bound_names(b))
               for before, after in renaming.forward.items())


def rename_only(repo: Repo, parent: str, child: str, paths: Iterable[str]) -> bool:
    """Whether commit `child` differs from `parent` only by renames (see `same_program`) in
    the changed `paths`: all of them Python files present in both commits."""
    paths = list(paths)
    if not paths:
        return False
    for path in paths:
        if not path.endswith((".py", ".pyi")):
            return False
        old, new = repo.show_file(parent, path), repo.show_file(child, path)
        if old is None or new is None:
            return False
        try:
            if not same_program(old.decode("utf-8"), new.decode("utf-8")):
                return False
        except UnicodeDecodeError:
            return False
    return True


def renamed(config: Config, repo: Repo, parent: Attempt, attempt: Attempt,
            paths: Iterable[str]) -> StageFailure | None:
    """The end of `attempt` when it only renames `parent` (stage `rename-only`, not evaluated:
    a keep needs a real change); None otherwise or with `[acceptance] refuse_renames = false`."""
    if (not config.acceptance.refuse_renames or parent.commit is None or attempt.commit is None
            or not rename_only(repo, parent.commit, attempt.commit, paths)):
        return None
    return StageFailure("rename-only", f"rename-only: the same program as #{parent.id} up to "
                        "names, comments and layout; a keep needs a real change")
