"""Distinctive literals (long strings, numbers of 3+ significant digits) and their matches.

A literal of the benchmark or the tests that appears in new code is how special-casing an input
usually looks. Numbers compare by value, so `0x3A8F05C5`, `982_451_653` and `982451653` match.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

Literal = str | int | float

_TEXT = re.compile(r"""(?P<str>"[^"\n]{6,}"|'[^'\n]{6,}')"""
                   r"|(?P<num>(?<![\w.])-?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?"
                   r"(?:[eE][-+]?\d+)?))")


def distinctive(value: object) -> bool:
    """Long enough to be a coincidence if it shows up in both places."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return len(value) >= 6
    if isinstance(value, int | float):
        digits = repr(abs(value)).split("e")[0].replace(".", "").strip("0")
        return len(digits) >= 3
    return False


def text_literals(text: str) -> set[Literal]:
    """Distinctive literals found by pattern in any text (a non-Python file, a removed line)."""
    out: set[Literal] = set()
    for m in _TEXT.finditer(text):
        if m.group("str"):
            out.add(m.group("str")[1:-1])
            continue
        raw = m.group("num").replace("_", "")
        try:
            value: Literal = int(raw, 0) if not re.search(r"[.eE]", raw) or "x" in raw.lower() \
                else float(raw)
        except ValueError:
            continue
        if distinctive(value):
            out.add(value)
    return out


def python_literals(text: str) -> set[Literal]:
    """Distinctive constants of a Python source (its text patterns when it does not parse)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return text_literals(text)
    out: set[Literal] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and distinctive(node.value):
            value = node.value
            if isinstance(value, str | int | float):
                out.add(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
                and isinstance(node.operand, ast.Constant) \
                and isinstance(node.operand.value, int | float) \
                and distinctive(node.operand.value):
            out.add(-node.operand.value)
    return out


def watched_literals(watched: dict[str, str]) -> set[Literal]:
    return set().union(*(python_literals(t) if p.endswith(".py") else text_literals(t)
                         for p, t in watched.items()))


def literal_hits(found: Iterable[Literal], watched: set[Literal],
                 removed: set[Literal]) -> str:
    """The literals of `found` that the watched files hold and the change did not remove."""
    hits = sorted({repr(v) if isinstance(v, str) else str(v) for v in found
                   if v in watched and v not in removed})
    return ", ".join(hits[:3])
