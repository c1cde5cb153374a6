"""Python checks of strings, literal or built from pieces: paths that reach protected files,
words that name the harness or a hook, and metric lines of the objective."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import PurePosixPath

import hone.verify.audit.rules as r
from hone.verify.audit.context import CheckContext
from hone.verify.audit.names import fold


class StringChecks(CheckContext):
    """The checks of string nodes on added lines."""

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

def _normal_path(text: str) -> str | None:
    """`text` as a path with forward slashes and no leading `./`; None when it names no file
    (empty, `.` or `/`)."""
    norm = text.replace("\\", "/").strip()
    while norm.startswith("./"):
        norm = norm[2:]
    return None if not norm or norm in (".", "/") else norm
