"""The state shared by the Python checks of one file: the parsed tree, the added lines, the
name origins and parent links, and how a finding is recorded (only on an added line, first
reason per check and line kept)."""

from __future__ import annotations

import ast

import hone.verify.audit.rules as r
from hone.verify.audit.finding import Finding
from hone.verify.audit.literals import Literal
from hone.verify.audit.names import Names
from hone.verify.audit.watch import Watch


class CheckContext:
    """One file being checked; the check mixins (statements, calls, strings) build on it."""

    def __init__(self, path: str, tree: ast.Module, added: set[int], watch: Watch,
                 removed: set[Literal]) -> None:
        self.path, self.tree, self.added, self.watch = path, tree, added, watch
        self.removed = removed
        self.names = Names(tree)
        self.file_names = watch.names()
        self.found: dict[tuple[str, int], Finding] = {}
        self.parents: dict[ast.AST, ast.AST] = {
            child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def _line(self, node: ast.AST, last: int | None = None) -> int | None:
        """The first added line that `node` spans (up to `last` when given), else None."""
        start = getattr(node, "lineno", None)
        if start is None:
            return None
        end = last if last is not None else getattr(node, "end_lineno", None) or start
        for n in range(start, end + 1):
            if n in self.added:
                return n
        return None

    def flag(self, check: str, node: ast.AST, reason: str, last: int | None = None) -> None:
        """Records a finding of `check` on the first added line of `node`, unless that check
        already has one on that line."""
        line = self._line(node, last)
        if line is not None and (check, line) not in self.found:
            self.found[(check, line)] = Finding(check, self.path, line, reason)

    def _value_base(self, base: ast.expr, node: ast.AST, last: int | None = None) -> None:
        """Flags a base that is a builtin value type (the first such origin); shared by class
        statements and `type(name, bases, namespace)` calls."""
        for o in sorted(self.names.origins(base)):
            if o in r.VALUE_TYPES:
                self.flag("subclasses-builtin", node, f"subclasses {o.split('.')[-1]}: a "
                          "value that can compare or print as something it is not",
                          last=last or getattr(node, "lineno", None))
                return
