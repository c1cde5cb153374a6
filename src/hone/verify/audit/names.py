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

DYNAMIC = "<dynamic>"
_BUILTINS = frozenset(dir(builtins))
_MODULES = frozenset(sys.stdlib_module_names) | {"pytest", "_pytest"}


def fold(node: ast.AST | None) -> str | None:
    """The string an expression always evaluates to, when it is built from literals only:
    concatenation, f-strings, `"".join([...])`, `chr(116)`, `"x"[::-1]`, `"a" * 2`."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add):
            left, right = fold(node.left), fold(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node.op, ast.Mult):
            text = fold(node.left)
            count = node.right.value if isinstance(node.right, ast.Constant) else None
            if text is not None and isinstance(count, int) and 0 <= count <= 64:
                return text * count
        return None
    if isinstance(node, ast.JoinedStr):
        parts = [fold(v.value) if isinstance(v, ast.FormattedValue) else fold(v)
                 for v in node.values]
        return "".join(p for p in parts if p is not None) if None not in parts else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        text = fold(node.value)
        s = node.slice
        if text is not None and s.lower is None and s.upper is None \
                and isinstance(s.step, ast.UnaryOp) and isinstance(s.step.op, ast.USub) \
                and isinstance(s.step.operand, ast.Constant) and s.step.operand.value == 1:
            return text[::-1]
        return None
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "chr" and len(node.args) == 1 \
                and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, int) and 0 <= node.args[0].value < 0x110000:
            return chr(node.args[0].value)
        if isinstance(func, ast.Attribute) and func.attr == "join" and len(node.args) == 1:
            sep = fold(func.value)
            arg = node.args[0]
            if sep is not None and isinstance(arg, ast.List | ast.Tuple):
                parts = [fold(e) for e in arg.elts]
                if None not in parts:
                    return sep.join(p for p in parts if p is not None)
    return None


class Names:
    """The origins of the names of one module (see the module docstring)."""

    def __init__(self, tree: ast.AST) -> None:
        self.aliases: dict[str, set[str]] = {}
        self.local: set[str] = set()
        assigned: list[tuple[str, ast.expr]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._bind(alias.asname, alias.name)
                    else:
                        top = alias.name.split(".")[0]
                        self._bind(top, top)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # the repository's own modules
                    for alias in node.names:
                        self.local.add(alias.asname or alias.name)
                    continue
                for alias in node.names:
                    origin = f"{node.module}.{alias.name}" if alias.name != "*" else ""
                    if origin:
                        self._bind(alias.asname or alias.name, origin)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        assigned.append((target.id, value))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.local.add(node.name)
            elif isinstance(node, ast.arg):
                self.local.add(node.arg)
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
        for name, value in assigned:
            if self.resolve(value) is None:
                self.local.add(name)

    def _bind(self, name: str, origin: str) -> None:
        self.aliases.setdefault(name, set()).add(origin)

    def origins(self, node: ast.AST | None) -> set[str]:
        """Every origin an expression may have (a name can be bound to several)."""
        if node is None:
            return set()
        if isinstance(node, ast.Name):
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
        if isinstance(node, ast.Attribute):
            return {f"{o}.{node.attr}" for o in self.origins(node.value)}
        if isinstance(node, ast.Subscript):
            base = self.origins(node.value)
            key = fold(node.slice)
            out: set[str] = set()
            for o in base:
                if o == "sys.modules":
                    out.add(key if key is not None else DYNAMIC)
                elif o == "builtins":  # `__builtins__` is the module's dict in imports
                    out.add(f"builtins.{key or DYNAMIC}")
                elif o.endswith(".__dict__"):
                    out.add(f"{o.removesuffix('.__dict__')}.{key or DYNAMIC}")
            return out
        if isinstance(node, ast.Call):
            func = self.origins(node.func)
            first = node.args[0] if node.args else None
            if func & {"builtins.__import__", "importlib.import_module",
                       "importlib.__import__"}:
                return {fold(first) or DYNAMIC}
            if "builtins.getattr" in func and len(node.args) >= 2:
                key = fold(node.args[1])
                return {f"{o}.{key or DYNAMIC}" for o in self.origins(first)}
            if "builtins.vars" in func and first is not None:
                return {f"{o}.__dict__" for o in self.origins(first)}
            return set()
        return set()

    def resolve(self, node: ast.AST | None) -> str | None:
        """One origin of `node` (the first in sorted order), or None."""
        found = sorted(self.origins(node))
        return found[0] if found else None
