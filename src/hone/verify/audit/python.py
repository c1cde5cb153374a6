"""Parsing checks for Python files: what the changed code does, however it is spelled.

The whole new file is parsed (so an alias made on an unchanged line still resolves), and a
finding is reported only where it touches an added line (so old code is not flagged again).
"""

from __future__ import annotations

import ast
import fnmatch
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pathspec

import hone.verify.audit.rules as r
from hone.verify.audit.finding import Finding
from hone.verify.audit.literals import Literal, distinctive, literal_hits
from hone.verify.audit.names import Names, fold


@dataclass(frozen=True)
class Watch:
    """What the checks compare the change against: protected and hidden files (paths and their
    literals), the protected patterns, and the names of the metrics the objective prints."""

    paths: frozenset[str]
    literals: frozenset[Literal]
    spec: pathspec.GitIgnoreSpec
    metrics: tuple[str, ...] = ()

    @classmethod
    def build(cls, watched_paths: Iterable[str], literals: Iterable[Literal],
              patterns: Sequence[str], metrics: Iterable[str]) -> Watch:
        return cls(frozenset(watched_paths), frozenset(literals),
                   pathspec.GitIgnoreSpec.from_lines(list(patterns)),
                   tuple(m for m in metrics if m))

    def names(self) -> set[str]:
        """Distinctive names of watched files: their paths and base names (not too generic)."""
        out: set[str] = set()
        for path in self.paths:
            p = PurePosixPath(path)
            out.add(path)
            if len(p.stem) >= 4 and p.name not in ("__init__.py", "hone.toml"):
                out.add(p.name)
        return out


class _Checker:
    def __init__(self, path: str, tree: ast.Module, added: set[int], watch: Watch,
                 removed: set[Literal]) -> None:
        self.path, self.tree, self.added, self.watch = path, tree, added, watch
        self.removed = removed
        self.names = Names(tree)
        self.file_names = watch.names()
        self.found: dict[tuple[str, int], Finding] = {}
        self.parents: dict[ast.AST, ast.AST] = {
            child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    # -- reporting ---------------------------------------------------------------------------
    def _line(self, node: ast.AST, last: int | None = None) -> int | None:
        start = getattr(node, "lineno", None)
        if start is None:
            return None
        end = last if last is not None else getattr(node, "end_lineno", None) or start
        for n in range(start, end + 1):
            if n in self.added:
                return n
        return None

    def flag(self, check: str, node: ast.AST, reason: str, last: int | None = None) -> None:
        line = self._line(node, last)
        if line is not None and (check, line) not in self.found:
            self.found[(check, line)] = Finding(check, self.path, line, reason)

    # -- the walk ----------------------------------------------------------------------------
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

    def _assign(self, node: ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete) -> None:
        """Checks each target a statement writes or deletes."""
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        for target in targets:
            self._write(target, node)

    def _dict(self, node: ast.Dict) -> None:
        """Flags a dict literal with a comparison dunder as a key (a class's namespace)."""
        for key in node.keys:
            if fold(key) in r.DUNDERS:
                self.flag("overrides-eq", key or node,
                          f"builds a class with {fold(key)}, which a result check may rely on")

    def _write(self, target: ast.AST, stmt: ast.AST) -> None:
        """Checks one written target of `stmt`, unpacking tuples, lists and starred names."""
        if isinstance(target, ast.Tuple | ast.List | ast.Starred):
            elts = target.elts if not isinstance(target, ast.Starred) else [target.value]
            for elt in elts:
                self._write(elt, stmt)
            return
        self._write_dunder(target, stmt)
        if not self._write_hook(target):
            self._write_guarded(target)

    def _write_dunder(self, target: ast.AST, stmt: ast.AST) -> None:
        """Flags writing a comparison dunder (on an object or in a class body) or __code__."""
        if isinstance(target, ast.Attribute) and target.attr in r.DUNDERS:
            self.flag("overrides-eq", target, f"assigns {target.attr}, which a result check "
                      "may rely on")
        if isinstance(target, ast.Attribute) and target.attr == "__code__":
            self.flag("builds-code", target, "replaces a function's code object")
        if isinstance(target, ast.Name) and target.id in r.DUNDERS and isinstance(
                self.parents.get(stmt), ast.ClassDef):
            self.flag("overrides-eq", target, f"defines {target.id}, which a result check "
                      "may rely on")

    def _write_hook(self, target: ast.AST) -> bool:
        """Flags replacing an entry of an interpreter hook list; returns whether it is one."""
        if isinstance(target, ast.Subscript):
            for o in self.names.origins(target.value):
                if o in r.HOOK_LISTS:
                    self.flag("patches-runtime", target, f"replaces an entry of {o}")
                    return True
        return False

    def _write_guarded(self, target: ast.AST) -> None:
        """Flags writing an attribute or item of a guarded module (the first such origin)."""
        if isinstance(target, ast.Attribute | ast.Subscript):
            guarded = next((o for o in sorted(self.names.origins(target)) if r.guarded(o)),
                           None)
            if guarded is not None:
                self.flag("patches-runtime", target, f"writes {guarded}")

    def _call(self, node: ast.Call) -> None:
        """Runs every call check, in a fixed order (the first reason for a line is kept)."""
        site = _Site(node, self.names.origins(node.func), node.args[0] if node.args else None,
                     node.func.attr if isinstance(node.func, ast.Attribute) else "")
        for o in sorted(site.func):
            self._call_origin(node, o, site.first)
        for check in (self._call_setattr, self._call_mutator, self._call_unresolved,
                      self._call_codec, self._call_type, self._call_suppress,
                      self._call_open, self._call_print):
            check(site)

    def _call_setattr(self, site: _Site) -> None:
        """Flags `setattr(obj, name, ...)` of a comparison dunder or on a guarded module."""
        node = site.node
        if not (site.func & r.SETATTR and len(node.args) >= 2):
            return
        name = fold(node.args[1])
        if name in r.DUNDERS:
            self.flag("overrides-eq", node, f"sets {name}, which a result check may rely on")
        guarded = next((o for o in sorted(self.names.origins(site.first)) if r.guarded(o)),
                       None)
        if guarded is not None:
            self.flag("patches-runtime", node, f"sets {guarded}.{name or '<computed>'}")

    def _call_mutator(self, site: _Site) -> None:
        """Flags a mutating method called on a hook list or a guarded module's __dict__."""
        func = site.node.func
        if site.attr not in r.MUTATORS or not isinstance(func, ast.Attribute):
            return
        hit = next((o for o in sorted(self.names.origins(func.value))
                    if o in r.HOOK_LISTS or (o.endswith(".__dict__") and r.guarded(o))), None)
        if hit is not None:
            self.flag("patches-runtime", site.node, f"changes {hit} ({site.attr})")

    def _call_unresolved(self, site: _Site) -> None:
        """Flags methods of unknown objects by name: `bytes.fromhex`, file listings."""
        if site.func:
            return
        if site.attr == "fromhex":
            self.flag("builds-code", site.node, "decodes hex data at run time")
        elif site.attr in r.LIST_METHODS:
            self.flag("lists-files", site.node, f"lists files ({site.attr}); the benchmark's "
                      "and tests' files are not inputs")

    def _call_codec(self, site: _Site) -> None:
        """Flags `.decode(codec)` / `.encode(codec)` with a codec that hides text."""
        if site.attr in ("decode", "encode") and any(
                (fold(a) or "").lower().replace("-", "_") in r.CODECS for a in site.node.args):
            self.flag("builds-code", site.node, "decodes hidden text with a codec")

    def _call_type(self, site: _Site) -> None:
        """Checks the bases of a class built with `type(name, bases, namespace)`."""
        node = site.node
        if site.func & {"builtins.type"} and len(node.args) == 3 \
                and isinstance(node.args[1], ast.Tuple):
            for base in node.args[1].elts:
                self._value_base(base, node)

    def _call_suppress(self, site: _Site) -> None:
        """Flags `contextlib.suppress` of broad exceptions."""
        if site.func & {"contextlib.suppress"} and any(
                self.names.origins(a) & r.BROAD for a in site.node.args):
            self.flag("broad-except", site.node, "suppresses broad exceptions, which can "
                      "swallow a failed check")

    def _call_open(self, site: _Site) -> None:
        """Flags opening file descriptor 1 or 2 (standard output or error) directly."""
        first = site.first
        if site.func & {"builtins.open", "io.open", "os.fdopen"} \
                and isinstance(first, ast.Constant) and first.value in (1, 2):
            self.flag("forges-metric", site.node, "writes to the process's standard output "
                      "directly")

    def _call_print(self, site: _Site) -> None:
        """Flags `print(..., file=<the real stdout>)`."""
        if site.func & {"builtins.print"}:
            for kw in site.node.keywords:
                if kw.arg == "file" and self.names.origins(kw.value) & r.STDOUT:
                    self.flag("forges-metric", site.node, "prints past sys.stdout")

    def _call_origin(self, node: ast.Call, o: str, first: ast.expr | None) -> None:
        """Flags a call of origin `o` by the first rule of _CALL_RULES that matches it."""
        rule = next((rule for rule in _CALL_RULES if rule.matches(o)), None)
        if rule is None or (rule.built_only and _literal_string(first)):
            return
        self.flag(rule.check, node, rule.reason(o))

    def _attribute(self, node: ast.Attribute) -> None:
        if node.attr == "_exit":
            self.flag("exits-early", node, "uses _exit: ends the process without cleanup")
        elif node.attr in r.FRAME_ATTRS:
            self.flag("inspects-caller", node, f"reads {node.attr}: another frame's state")
        if isinstance(node.ctx, ast.Load) and not isinstance(self.parents.get(node), ast.Call):
            for o in sorted(self.names.origins(node)):
                if o in r.HARNESS:
                    self.flag("detects-harness", node, f"reads {o}: behaviour can depend on "
                              "who runs it")
                elif o in r.STDOUT:
                    self.flag("forges-metric", node, f"uses {o}: writes past sys.stdout")

    def _name(self, node: ast.Name) -> None:
        if node.id == "_exit" or any(o.endswith("._exit") for o in self.names.origins(node)):
            self.flag("exits-early", node, "uses _exit: ends the process without cleanup")

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [f"{node.module}.{a.name}" for a in node.names] + [str(node.module)]
        for m in modules:
            if m.split(".")[0] in r.LOW_LEVEL:
                self.flag("patches-runtime", node, f"imports {m.split('.')[0]}, which can "
                          "rewrite the interpreter's memory")
            if m == "__main__" or m.startswith("atexit"):
                self.flag("detects-harness" if m == "__main__" else "runs-at-exit", node,
                          f"imports {m}")
            if m.endswith("._exit"):
                self.flag("exits-early", node, f"imports {m}")

    def _class(self, node: ast.ClassDef) -> None:
        header_end = node.body[0].lineno - 1 if node.body else node.lineno
        if any((isinstance(b, ast.Name) and b.id.endswith("Enum")) or
               any(o.endswith(("Enum", "Flag")) for o in self.names.origins(b))
               for b in node.bases):
            return  # `class Mode(str, Enum)`: a set of named constants, not a lying value
        for base in node.bases:
            self._value_base(base, node, max(header_end, node.lineno))

    def _value_base(self, base: ast.expr, node: ast.AST, last: int | None = None) -> None:
        for o in sorted(self.names.origins(base)):
            if o in r.VALUE_TYPES:
                self.flag("subclasses-builtin", node, f"subclasses {o.split('.')[-1]}: a "
                          "value that can compare or print as something it is not",
                          last=last or getattr(node, "lineno", None))
                return

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        line = node.lineno
        if node.name in r.DUNDERS and isinstance(self.parents.get(node), ast.ClassDef):
            self.flag("overrides-eq", node, f"overrides {node.name}, which a result check "
                      "may rely on", last=line)
        elif node.name == "__del__":
            self.flag("runs-at-exit", node, "defines __del__: code that runs when objects "
                      "are collected, at exit too", last=line)
        elif node.name.startswith("pytest_"):
            self.flag("pytest-hook", node, f"defines the pytest hook {node.name}", last=line)

    def _except(self, node: ast.ExceptHandler) -> None:
        types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        if node.type is None or any(self.names.origins(t) & r.BROAD for t in types if t):
            self.flag("broad-except", node, "broad except can swallow a failed check",
                      last=node.lineno)

    # -- strings: paths, harness words, metric lines -----------------------------------------
    def _strings(self, node: ast.AST) -> None:
        """Checks a string (literal or built from pieces) on an added line."""
        text = self._string_of(node)
        if text is None:
            return
        self._path_string(node, text)
        self._string_words(node, text)
        self._string_metric(node, text)

    def _string_of(self, node: ast.AST) -> str | None:
        """The text of a string node on an added line; None for other nodes, strings that
        cannot be worked out, and pieces of an f-string that is checked as one."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text: str | None = node.value
        elif isinstance(node, ast.BinOp | ast.JoinedStr | ast.Call | ast.Subscript):
            text = fold(node)  # a string built from pieces, e.g. "tes" + "ts"
        else:
            return None
        if text is None or self._line(node) is None:
            return None
        parent = self.parents.get(node)
        if isinstance(node, ast.Constant) and isinstance(parent, ast.JoinedStr) \
                and fold(parent) is not None:
            return None  # the whole f-string is checked as one
        return text

    def _string_words(self, node: ast.AST, text: str) -> None:
        """Flags strings that name _exit, the harness or an interpreter/pytest hook."""
        if text == "_exit":
            self.flag("exits-early", node, "names _exit")
        word = r.HARNESS_WORDS.search(text)
        if word:
            self.flag("detects-harness", node, f"mentions {word.group(0)!r}: behaviour can "
                      "depend on who runs it")
        low = text.lower()
        hook = next((h for h in r.HOOK_NAMES if h in low), None)
        if hook:
            self.flag("writes-hook", node, f"mentions {hook}, which the interpreter or "
                      "pytest loads")

    def _string_metric(self, node: ast.AST, text: str) -> None:
        """Flags a string that spells a metric line of the objective (`score: 1`)."""
        for metric in self.watch.metrics:
            if re.search(rf"(?<![\w]){re.escape(metric)}[\"']?\s*[:=]", text):
                self.flag("forges-metric", node, f"prints a {metric!r} metric line itself")
                break

    def _path_string(self, node: ast.AST, text: str) -> None:
        """Flags a string that reaches a protected file: by name, by pattern, by glob, or as a
        folder holding one when it is used as a path (the first that applies decides)."""
        norm = _normal_path(text)
        if norm is None:
            return
        parts = [p for p in norm.split("/") if p not in ("", ".")]
        suffixes = ["/".join(parts[i:]) for i in range(len(parts))]
        if self._names_file(node, norm) or self._matches_spec(node, text, suffixes):
            return
        if any(c in norm for c in "*?["):
            self._glob(node, text, norm)
        elif self._path_context(node):
            self._folder(node, text, norm, suffixes)

    def _names_file(self, node: ast.AST, norm: str) -> bool:
        """Flags a path naming a watched file; returns whether it does."""
        named = next((n for n in sorted(self.file_names) if n in norm), None)
        if named:
            self.flag("reads-data", node, f"refers to protected file {named!r}")
        return bool(named)

    def _matches_spec(self, node: ast.AST, text: str, suffixes: list[str]) -> bool:
        """Flags a path any tail of which a protected pattern matches; returns whether so."""
        if any(self.watch.spec.match_file(s) for s in suffixes if s):
            self.flag("reads-data", node, f"refers to a protected path {text!r}")
            return True
        return False

    def _glob(self, node: ast.AST, text: str, norm: str) -> None:
        """Flags a glob pattern that matches a watched file (by path, tail or base name)."""
        hit = next((p for p in sorted(self.watch.paths)
                    if fnmatch.fnmatch(p, norm) or fnmatch.fnmatch(p, "*/" + norm)
                    or fnmatch.fnmatch(PurePosixPath(p).name, norm)), None)
        if hit:
            self.flag("reads-data", node, f"pattern {text!r} matches protected {hit!r}")

    def _folder(self, node: ast.AST, text: str, norm: str, suffixes: list[str]) -> None:
        """Flags a path used as a folder that holds a watched file."""
        hit = next((p for p in sorted(self.watch.paths)
                    if any(p.startswith(s.rstrip("/") + "/") for s in suffixes)), None)
        if hit and norm.rstrip("/"):
            self.flag("reads-data", node, f"refers to {text!r}, which holds protected "
                      f"{hit!r}")

    def _path_context(self, node: ast.AST) -> bool:
        """Whether a string is used as a path: a path function's argument, or `p / "x"`."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.keyword):
            parent = self.parents.get(parent)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Div):
            return True
        if isinstance(parent, ast.Call):
            func = parent.func
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            return name in r.PATH_CALLS
        return False

    # -- literals of the benchmark and tests -------------------------------------------------
    def _literals(self) -> None:
        per_line: dict[int, set[Literal]] = {}
        for node in ast.walk(self.tree):
            value = _number(node) if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Call) \
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


@dataclass(frozen=True)
class _Site:
    """One call being checked: the node, the origins of what it calls, its first positional
    argument and the called attribute's name ("" when it calls a plain name)."""

    node: ast.Call
    func: set[str]
    first: ast.expr | None
    attr: str


@dataclass(frozen=True)
class _CallRule:
    """A kind of called origin: which origins it covers, the check and the reason it gives.
    With `built_only`, a call whose first argument is a literal string is left alone."""

    matches: Callable[[str], bool]
    check: str
    reason: Callable[[str], str]
    built_only: bool = False


# Tried in order; the first rule that matches an origin decides (even when it flags nothing).
_CALL_RULES = (
    _CallRule(lambda o: o.endswith("._exit") or o in r.EXITS or o.startswith(r.EXIT_PREFIXES),
              "exits-early", lambda o: f"calls {o}: ends or replaces the process"),
    _CallRule(lambda o: o.startswith("atexit.") or o in r.AT_EXIT, "runs-at-exit",
              lambda o: f"calls {o}: code that runs after the measured part"),
    _CallRule(lambda o: o in r.TRACES or o.startswith("sys.monitoring"), "traces-interpreter",
              lambda o: f"calls {o}"),
    _CallRule(lambda o: o in r.CHDIR, "changes-directory",
              lambda o: f"calls {o}: relative paths then lead elsewhere"),
    _CallRule(lambda o: o in r.EVALUATES, "builds-code",
              lambda o: f"{o.split('.')[-1]}() of code built at run time", built_only=True),
    _CallRule(lambda o: o in r.DECODES or (o.startswith("base64.") and "decode" in o),
              "builds-code", lambda o: f"calls {o}: decodes data at run time"),
    _CallRule(lambda o: o in r.IMPORTERS, "imports-dynamically",
              lambda o: "imports a module by a built name", built_only=True),
    _CallRule(lambda o: o.startswith(r.LOADERS), "imports-dynamically",
              lambda o: f"calls {o}: loads code from elsewhere"),
    _CallRule(lambda o: o in r.FRAMES, "inspects-caller",
              lambda o: f"calls {o}: reads the caller's frames"),
    _CallRule(lambda o: o in r.HARNESS, "detects-harness",
              lambda o: f"calls {o}: behaviour can depend on who runs it"),
    _CallRule(lambda o: o in r.LISTS, "lists-files",
              lambda o: f"calls {o}; the benchmark's and tests' files are not inputs"),
    _CallRule(lambda o: o in r.STDOUT, "forges-metric",
              lambda o: f"calls {o}: writes past sys.stdout"),
    _CallRule(lambda o: o.startswith(r.PATCHERS), "patches-runtime",
              lambda o: f"calls {o}: patches by name at run time"),
)


def _literal_string(node: ast.expr | None) -> bool:
    """Whether `node` is a literal string."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _normal_path(text: str) -> str | None:
    """`text` as a path with forward slashes and no leading `./`; None when it names no file
    (empty, `.` or `/`)."""
    norm = text.replace("\\", "/").strip()
    while norm.startswith("./"):
        norm = norm[2:]
    return None if not norm or norm in (".", "/") else norm


Number = int | float


def _number(node: ast.AST) -> Number | None:
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
    v = _number(node.operand)
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
    a, b = _number(node.left), _number(node.right)
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


def python_findings(path: str, text: str, added: set[int], watch: Watch,
                    removed: set[Literal]) -> list[Finding] | None:
    """Findings of one Python file's new `text` on its `added` lines; None if it does not
    parse (the caller falls back to line checks)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return _Checker(path, tree, added, watch, removed).run()

