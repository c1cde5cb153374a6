"""Parsing checks for Python files: what the changed code does, however it is spelled.

The whole new file is parsed (so an alias made on an unchanged line still resolves), and a
finding is reported only where it touches an added line (so old code is not flagged again).
This module holds the walk and its dispatch by node type; the checks live in statements.py,
calls.py and strings.py, and the literal comparison uses numfold.py.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from hone.verify.audit.calls import CallChecks
from hone.verify.audit.finding import Finding
from hone.verify.audit.literals import Literal, distinctive, literal_hits
from hone.verify.audit.names import fold
from hone.verify.audit.numfold import number
from hone.verify.audit.statements import StatementChecks
from hone.verify.audit.strings import StringChecks
from hone.verify.audit.watch import Watch


class _Checker(StatementChecks, CallChecks, StringChecks):
    """All checks of one file, run by one walk of its tree."""

    def run(self) -> list[Finding]:
        """The findings of the file, sorted by line and check."""
        visits = self._visits()
        for node in ast.walk(self.tree):
            visit = visits.get(type(node))
            if visit is not None:
                visit(node)
            self._strings(node)
        self._literals()
        return sorted(self.found.values(), key=lambda f: (f.line, f.check))

    def _visits(self) -> dict[type, Callable[[Any], None]]:
        """The check of each node type that has one (strings are checked on every node)."""
        return {
            ast.Assign: self._assign, ast.AugAssign: self._assign,
            ast.AnnAssign: self._assign, ast.Delete: self._assign,
            ast.Call: self._call, ast.Attribute: self._attribute, ast.Name: self._name,
            ast.ClassDef: self._class, ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function, ast.ExceptHandler: self._except,
            ast.Dict: self._dict, ast.Import: self._import, ast.ImportFrom: self._import}

    def _literals(self) -> None:
        """Flags each added line whose literals (numbers folded) appear in the benchmark or
        tests and were not removed by the change (one finding per line)."""
        per_line: dict[int, set[Literal]] = {}
        for node in ast.walk(self.tree):
            value = number(node) if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Call) \
                else node.value if isinstance(node, ast.Constant) else None
            if value is None and isinstance(node, ast.BinOp | ast.JoinedStr):
                value = fold(node)
            if value is None or not distinctive(value):
                continue
            line = self._line(node)
            if line is not None and isinstance(value, str | int | float):
                per_line.setdefault(line, set()).add(value)
        for line, values in sorted(per_line.items()):
            hits = literal_hits(values, set(self.watch.literals), self.removed)
            if hits and ("special-cases-input", line) not in self.found:
                self.found[("special-cases-input", line)] = Finding(
                    "special-cases-input", self.path, line,
                    f"uses literal(s) {hits} that appear in the benchmark or tests")


def python_findings(path: str, text: str, added: set[int], watch: Watch,
                    removed: set[Literal]) -> list[Finding] | None:
    """Findings of one Python file's new `text` on its `added` lines; None if it does not
    parse (the caller falls back to line checks)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return _Checker(path, tree, added, watch, removed).run()
