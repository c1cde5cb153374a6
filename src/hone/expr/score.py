"""Compute the score from metrics: a metric name or an arithmetic expression, never `eval`."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from functools import cached_property, lru_cache

from hone.errors import UsageError

_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
}
_FUNCS: dict[str, Callable[..., float]] = {
    "min": min, "max": max, "abs": abs, "log": math.log, "log2": math.log2,
    "log10": math.log10, "sqrt": math.sqrt, "exp": math.exp,
}


class ScoreError(Exception):
    """The expression cannot be computed from these metrics (unknown name, division by zero)."""


class ScoreExpr:
    """A validated score expression such as `fmax_mhz * iter_per_cycle`."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self._tree = _parsed(self.text)

    @cached_property
    def names(self) -> set[str]:
        return {n.id for n in ast.walk(self._tree)
                if isinstance(n, ast.Name) and n.id not in _FUNCS}

    def evaluate(self, metrics: dict[str, float]) -> float:
        missing = sorted(self.names - metrics.keys())
        if missing:
            raise ScoreError(f"no metric '{missing[0]}' in output"
                             + (f" (found: {', '.join(sorted(metrics))})" if metrics else ""))
        try:
            return float(self._eval(self._tree, metrics))
        except (ZeroDivisionError, ValueError, OverflowError) as exc:
            raise ScoreError(f"score {self.text!r} cannot be computed: {exc}") from None

    def _eval(self, node: ast.AST, m: dict[str, float]) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)  # type: ignore[arg-type]  # checked numeric
        if isinstance(node, ast.Name):
            return m[node.id]
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, m)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return _BINOPS[type(node.op)](self._eval(node.left, m), self._eval(node.right, m))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return _FUNCS[node.func.id](*(self._eval(a, m) for a in node.args))
        raise ScoreError(f"unsupported expression node {type(node).__name__}")


@lru_cache(maxsize=64)
def _parsed(text: str) -> ast.expr:
    """The checked tree of `text` (stripped). Parsed once per text: a run builds its score
    expression several times per attempt. The tree is shared: nothing may change it."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise UsageError(f"score expression is not valid: {text!r}") from None
    allowed = (ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load,
               ast.USub, ast.UAdd, *_BINOPS)
    for sub in ast.walk(tree):
        if not isinstance(sub, allowed):
            raise UsageError(f"score expression {text!r} uses unsupported syntax "
                             f"({type(sub).__name__}); use metric names, numbers, + - * / ** "
                             f"and {', '.join(sorted(_FUNCS))}")
        if isinstance(sub, ast.Call) and not (
            isinstance(sub.func, ast.Name) and sub.func.id in _FUNCS and not sub.keywords
        ):
            raise UsageError(f"score expression {text!r} calls an unknown function")
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, int | float):
            raise UsageError(f"score expression {text!r} has a non-numeric constant")
    return tree
