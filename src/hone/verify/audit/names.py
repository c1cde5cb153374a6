"""What a Python expression refers to, whatever it was renamed to: a dotted origin name.

`import time as t` then `t.perf_counter` resolves to `time.perf_counter`; so do
`sys.modules["time"].perf_counter`, `__import__("ti" + "me").perf_counter`,
`getattr(time, "perf_counter")`, `vars(time)["perf_counter"]` and any name assigned one of
these. A module or attribute named by a string the audit cannot work out resolves to
`<dynamic>` (which the checks treat as suspicious). Names are collected from the whole file,
regardless of order or scope: a cheat cannot hide behind control flow.
"""

from __future__ import annotations

import ast
import builtins
import sys
from collections.abc import Callable
from typing import Any

DYNAMIC = "<dynamic>"
_BUILTINS = frozenset(dir(builtins))
_MODULES = frozenset(sys.stdlib_module_names) | {"pytest", "_pytest"}


def fold(node: ast.AST | None) -> str | None:
    """The string an expression always evaluates to, when it is built from literals only:
    concatenation, f-strings, `"".join([...])`, `chr(116)`, `"x"[::-1]`, `"a" * 2`."""
    folder = _FOLDERS.get(type(node))
    return folder(node) if folder is not None else None


def _fold_constant(node: ast.Constant) -> str | None:
    """The constant itself when it is a string, else None."""
    return node.value if isinstance(node.value, str) else None


def _fold_binop(node: ast.BinOp) -> str | None:
    """`"a" + "b"` and `"a" * 2` (at most 64 copies), else None."""
    if isinstance(node.op, ast.Add):
        left, right = fold(node.left), fold(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node.op, ast.Mult):
        text = fold(node.left)
        count = node.right.value if isinstance(node.right, ast.Constant) else None
        if text is not None and isinstance(count, int) and 0 <= count <= 64:
            return text * count
    return None


def _fold_joined(node: ast.JoinedStr) -> str | None:
    """An f-string whose every part folds, else None."""
    parts = [fold(v.value) if isinstance(v, ast.FormattedValue) else fold(v)
             for v in node.values]
    return "".join(p for p in parts if p is not None) if None not in parts else None


def _fold_subscript(node: ast.Subscript) -> str | None:
    """`"x"[::-1]`, the only slice folded, else None."""
    if not isinstance(node.slice, ast.Slice):
        return None
    text = fold(node.value)
    s = node.slice
    if text is not None and s.lower is None and s.upper is None \
            and isinstance(s.step, ast.UnaryOp) and isinstance(s.step.op, ast.USub) \
            and isinstance(s.step.operand, ast.Constant) and s.step.operand.value == 1:
        return text[::-1]
    return None


def _fold_call(node: ast.Call) -> str | None:
    """`chr(116)` and `sep.join([...])` of foldable parts, else None."""
    func = node.func
    if isinstance(func, ast.Name) and func.id == "chr" and len(node.args) == 1:
        return _fold_chr(node.args[0])
    if isinstance(func, ast.Attribute) and func.attr == "join" and len(node.args) == 1:
        return _fold_join(func.value, node.args[0])
    return None


def _fold_chr(arg: ast.expr) -> str | None:
    """The character of `chr(arg)` when `arg` is a valid code point literal, else None."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, int) \
            and 0 <= arg.value < 0x110000:
        return chr(arg.value)
    return None


def _fold_join(sep_node: ast.expr, arg: ast.expr) -> str | None:
    """`sep.join([...])` when the separator and every element of a literal list fold."""
    sep = fold(sep_node)
    if sep is not None and isinstance(arg, ast.List | ast.Tuple):
        parts = [fold(e) for e in arg.elts]
        if None not in parts:
            return sep.join(p for p in parts if p is not None)
    return None


# The folder of each node type that can spell a string; any other node folds to None.
_FOLDERS: dict[type, Callable[[Any], str | None]] = {
    ast.Constant: _fold_constant, ast.BinOp: _fold_binop, ast.JoinedStr: _fold_joined,
    ast.Subscript: _fold_subscript, ast.Call: _fold_call}


class Names:
    """The origins of the names of one module (see the module docstring)."""

    def __init__(self, tree: ast.AST) -> None:
        self.aliases: dict[str, set[str]] = {}
        self.local: set[str] = set()
        assigned: list[tuple[str, ast.expr]] = []
        for node in ast.walk(tree):
            assigned += self._collect(node)
        self._follow(assigned)
        for name, value in assigned:
            if self.resolve(value) is None:
                self.local.add(name)

    def _collect(self, node: ast.AST) -> list[tuple[str, ast.expr]]:
        """Records the imports and local names `node` defines; returns the names it assigns
        with their values (resolved later, once every import is known)."""
        if isinstance(node, ast.Import):
            self._import(node)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
            return _assigned(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.local.add(node.name)
        elif isinstance(node, ast.arg):
            self.local.add(node.arg)
        return []

    def _import(self, node: ast.Import) -> None:
        """Binds `import a.b` to `a` and `import a.b as c` to `a.b`."""
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, alias.name)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, top)

    def _import_from(self, node: ast.ImportFrom) -> None:
        """Binds `from m import x [as y]`; a relative import's names are local."""
        if node.level:  # the repository's own modules
            for alias in node.names:
                self.local.add(alias.asname or alias.name)
            return
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name, f"{node.module}.{alias.name}")

    def _follow(self, assigned: list[tuple[str, ast.expr]]) -> None:
        """Binds assigned names to what their values resolve to."""
        # Aliases of aliases: `a = time; b = a` resolves `b` whatever the order of the lines.
        for _ in range(4):
            grew = False
            for name, value in assigned:
                found = self.resolve(value)
                if found is not None and found not in self.aliases.get(name, set()):
                    self._bind(name, found)
                    grew = True
            if not grew:
                break

    def _bind(self, name: str, origin: str) -> None:
        self.aliases.setdefault(name, set()).add(origin)

    def origins(self, node: ast.AST | None) -> set[str]:
        """Every origin an expression may have (a name can be bound to several)."""
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return {f"{o}.{node.attr}" for o in self.origins(node.value)}
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        return set()

    def _name(self, node: ast.Name) -> set[str]:
        """The origins of a bare name: its aliases, a builtin or a standard module."""
        if node.id in self.aliases:
            return set(self.aliases[node.id])
        if node.id == "__builtins__":
            return {"builtins"}
        if node.id in self.local:
            return set()
        if node.id in _BUILTINS:
            return {f"builtins.{node.id}"}
        # Neither imported nor assigned here: a module name still means the module (its
        # import may be on a line the audit did not get, or injected via globals()).
        return {node.id} if node.id in _MODULES else set()

    def _subscript(self, node: ast.Subscript) -> set[str]:
        """The origins of `sys.modules[k]`, `__builtins__[k]` and `x.__dict__[k]`."""
        key = fold(node.slice)
        out: set[str] = set()
        for o in self.origins(node.value):
            if o == "sys.modules":
                out.add(key if key is not None else DYNAMIC)
            elif o == "builtins":  # `__builtins__` is the module's dict in imports
                out.add(f"builtins.{key or DYNAMIC}")
            elif o.endswith(".__dict__"):
                out.add(f"{o.removesuffix('.__dict__')}.{key or DYNAMIC}")
        return out

    def _call(self, node: ast.Call) -> set[str]:
        """The origins of `__import__(m)`, `getattr(x, k)` and `vars(x)`; other calls have
        none."""
        func = self.origins(node.func)
        first = node.args[0] if node.args else None
        if func & {"builtins.__import__", "importlib.import_module", "importlib.__import__"}:
            return {fold(first) or DYNAMIC}
        if "builtins.getattr" in func and len(node.args) >= 2:
            key = fold(node.args[1])
            return {f"{o}.{key or DYNAMIC}" for o in self.origins(first)}
        if "builtins.vars" in func and first is not None:
            return {f"{o}.__dict__" for o in self.origins(first)}
        return set()

    def resolve(self, node: ast.AST | None) -> str | None:
        """One origin of `node` (the first in sorted order), or None."""
        found = sorted(self.origins(node))
        return found[0] if found else None


def _assigned(node: ast.Assign | ast.AnnAssign | ast.NamedExpr) -> list[tuple[str, ast.expr]]:
    """The plain names an assignment binds, each with the assigned value."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    value = node.value
    if value is None:
        return []
    return [(t.id, value) for t in targets if isinstance(t, ast.Name)]
