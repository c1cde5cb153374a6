"""Number folding: the number an expression of numeric literals always evaluates to, so that
`0x10 + 3` or `int("19")` is compared with the benchmark's literals like `19`."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable

from hone.verify.audit.names import fold

Number = int | float


def number(node: ast.AST) -> Number | None:
    """The number an expression of numeric literals always evaluates to (small, safe ops)."""
    if isinstance(node, ast.Constant):
        v = node.value
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None
    if isinstance(node, ast.UnaryOp):
        return _unary_number(node)
    if isinstance(node, ast.Call):
        return _call_number(node)
    if isinstance(node, ast.BinOp):
        return _binop_number(node)
    return None


def _unary_number(node: ast.UnaryOp) -> Number | None:
    """`-x` and `~x` (of an int) of a number, else None."""
    if not isinstance(node.op, ast.USub | ast.Invert):
        return None
    v = number(node.operand)
    if v is None:
        return None
    return -v if isinstance(node.op, ast.USub) else (~v if isinstance(v, int) else None)


def _call_number(node: ast.Call) -> Number | None:
    """`int("0x10")` / `float("1.5")` of a foldable string, else None."""
    if not (isinstance(node.func, ast.Name) and node.func.id in ("int", "float")
            and len(node.args) == 1):
        return None
    text = fold(node.args[0])
    if text is None:
        return None
    try:
        return int(text, 0) if node.func.id == "int" else float(text)
    except ValueError:
        return None


def _binop_number(node: ast.BinOp) -> Number | None:
    """An operation of _BINOPS on two numbers, else None (also on division by zero or
    overflow)."""
    a, b = number(node.left), number(node.right)
    op = _BINOPS.get(type(node.op))
    if a is None or b is None or op is None:
        return None
    try:
        return op(a, b)
    except (ZeroDivisionError, OverflowError):
        return None


def _mult(a: Number, b: Number) -> Number | None:
    """`a * b` when below 10**30 in size."""
    return a * b if abs(a * b) < 10**30 else None


def _xor(a: Number, b: Number) -> Number | None:
    """`a ^ b` of two ints."""
    return a ^ b if isinstance(a, int) and isinstance(b, int) else None


def _pow(a: Number, b: Number) -> Number | None:
    """`a ** b` for small operands, when the result is real."""
    if abs(b) <= 64 and abs(a) < 10**6:
        return a ** b if isinstance(a ** b, int | float) else None
    return None


# The operations folded into a number; others (true division, shifts, ...) give None.
_BINOPS: dict[type, Callable[[Number, Number], Number | None]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: _mult,
    ast.FloorDiv: operator.floordiv, ast.BitXor: _xor, ast.Pow: _pow}
