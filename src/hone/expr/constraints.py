"""`[objective] constraints`: secondary metrics that must hold, e.g. `luts <= 6000`.

Each is a comparison of two score expressions (usually a metric and a number), checked on every
measurement; a violated one fails the attempt at the `constraint` stage.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable

from hone.errors import UsageError
from hone.expr.score import ScoreError, ScoreExpr

_OPS: dict[type[ast.cmpop], tuple[str, Callable[[float, float], bool]]] = {
    ast.Lt: ("<", operator.lt), ast.LtE: ("<=", operator.le), ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge), ast.Eq: ("==", operator.eq), ast.NotEq: ("!=", operator.ne),
}


class Constraint:
    """One validated constraint such as `peak_mem_mb < 8000`."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        try:
            tree = ast.parse(self.text, mode="eval").body
        except SyntaxError:
            tree = None
        if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1
                and type(tree.ops[0]) in _OPS):
            raise UsageError(f"constraint {text!r} must compare two expressions with one of "
                             "< <= > >= == != (e.g. 'luts <= 6000')")
        self.op, self._check = _OPS[type(tree.ops[0])]
        self.left = ScoreExpr(ast.unparse(tree.left))
        self.right = ScoreExpr(ast.unparse(tree.comparators[0]))

    def violation(self, metrics: dict[str, float]) -> str | None:
        """Why the metrics break this constraint, or None when they satisfy it."""
        try:
            left, right = self.left.evaluate(metrics), self.right.evaluate(metrics)
        except ScoreError as exc:
            return f"{self.text}: {exc}"
        if self._check(left, right):
            return None
        shown = f"{self.left.text} = {left:g}" if self.left.names else f"{left:g}"
        return f"{shown} violates {self.text}"


def check(constraints: list[Constraint], metrics: dict[str, float]) -> str | None:
    """The first violation among `constraints`, or None."""
    for c in constraints:
        why = c.violation(metrics)
        if why:
            return why
    return None
