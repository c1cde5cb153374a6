"""Semantically equivalent variants of Python source, for equivalence noise: the local names of
functions renamed and runs of independent top-level function definitions reordered, written
back with `ast.unparse` (so comments and layout change too). The program computes the same; an
objective that moves anyway is chaotic in the code (see loop/equivalence.py)."""

from __future__ import annotations

import ast
import builtins
import random
import symtable

# Calls that read a function's locals by name: renaming them would change what these see.
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "dir"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def python_variant(source: str, index: int) -> str | None:
    """Equivalent variant `index` (>= 1) of `source`; None when the source does not parse.
    Variants of different indexes differ from each other where the source has locals to
    rename or definitions to reorder."""
    try:
        tree = ast.parse(source)
        table = symtable.symtable(source, "<variant>", "exec")
    except (SyntaxError, ValueError, RecursionError):
        return None
    rng = random.Random(index)
    taken = _identifiers(tree) | set(dir(builtins))
    _rename_locals(tree, table, f"v{index}", taken)
    _reorder(tree.body, rng)
    return ast.unparse(tree) + "\n"


def _identifiers(tree: ast.AST) -> set[str]:
    """Every identifier-like string in `tree`, so that a new name collides with none."""
    names: set[str] = set()
    for node in ast.walk(tree):
        for value in vars(node).values():
            if isinstance(value, str) and value.isidentifier():
                names.add(value)
            elif isinstance(value, list):
                names.update(v for v in value if isinstance(v, str))
    return names


def _tables(table: symtable.SymbolTable) -> list[symtable.SymbolTable]:
    out = [table]
    for child in table.get_children():
        out.extend(_tables(child))
    return out


def _bound_otherwise(node: ast.AST) -> set[str]:
    """Names bound in `node` by something other than a plain name: `except E as e`, imports,
    match captures, `global` and `nonlocal` (renaming plain names alone would split them)."""
    names = {value for sub in ast.walk(node) if not isinstance(sub, ast.Name)
             for key, value in vars(sub).items()
             if isinstance(value, str) and key in ("name", "asname", "rest")}
    return names | {n for sub in ast.walk(node) if isinstance(sub, ast.Global | ast.Nonlocal)
                    for n in sub.names}


def _plain_local(symbol: symtable.Symbol) -> bool:
    return (symbol.is_local() and symbol.is_assigned() and not symbol.is_parameter()
            and not symbol.is_imported() and not symbol.is_global() and not symbol.is_free()
            and not symbol.get_name().startswith("__"))


def _renamable(table: symtable.SymbolTable, node: ast.AST) -> list[str]:
    """The locals of function `table` that only plain names bind and read, in no nested scope."""
    if table.get_type() != "function" or _INTROSPECTION & set(table.get_identifiers()):
        return []
    nested = {n for child in _tables(table)[1:] for n in child.get_identifiers()}
    avoid = nested | _bound_otherwise(node)
    return sorted(s.get_name() for s in table.get_symbols()
                  if _plain_local(s) and s.get_name() not in avoid)


def _rename_locals(tree: ast.Module, table: symtable.SymbolTable, tag: str,
                   taken: set[str]) -> None:
    by_place = {(t.get_name(), t.get_lineno()): t for t in _tables(table)
                if t.get_type() == "function"}
    for node in ast.walk(tree):
        if not isinstance(node, _FUNCTIONS):
            continue
        scope = by_place.get((node.name, node.lineno))
        if scope is None:
            continue
        mapping: dict[str, str] = {}
        for name in _renamable(scope, node):
            new = f"{name}_{tag}"
            while new in taken:
                new += "_"
            taken.add(new)
            mapping[name] = new
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in mapping:
                sub.id = mapping[sub.id]


def _def_time_reads(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a `def` statement reads when it runs (defaults and annotations), not when called."""
    args = node.args
    parts: list[ast.AST | None] = [*args.defaults, *args.kw_defaults, node.returns]
    parts += [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                                     args.vararg, args.kwarg] if a is not None]
    return {n.id for part in parts if part is not None for n in ast.walk(part)
            if isinstance(n, ast.Name)}


def _reorder(body: list[ast.stmt], rng: random.Random) -> None:
    """Shuffle each run of consecutive undecorated top-level function definitions in place,
    when no definition of the run reads at definition time a name the run defines."""
    start = 0
    while start < len(body):
        end = start
        while (end < len(body) and isinstance(body[end], _FUNCTIONS)
               and not getattr(body[end], "decorator_list", [None])):
            end += 1
        run = body[start:end]
        names = [getattr(d, "name", "") for d in run]
        reads = set().union(*(_def_time_reads(d) for d in run if isinstance(d, _FUNCTIONS)))
        if len(run) > 1 and len(set(names)) == len(names) and not reads & set(names):
            rng.shuffle(run)
            body[start:end] = run
        start = max(end, start + 1)
