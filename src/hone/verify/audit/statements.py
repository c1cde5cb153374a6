"""Python checks of statements and names: writes and deletes (dunders, hook lists, guarded
modules), attribute and name reads, imports, class and function definitions, except clauses."""

from __future__ import annotations

import ast

import hone.verify.audit.rules as r
from hone.verify.audit.context import CheckContext
from hone.verify.audit.names import fold


class StatementChecks(CheckContext):
    """The checks of assignment, definition, import and except nodes, and of names read."""

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
