"""Python checks of calls: the call-origin rule table (the first matching rule decides) and the
checks of particular calls (setattr, list mutators, codecs, type(), suppress, open, print)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import hone.verify.audit.rules as r
from hone.verify.audit.context import CheckContext
from hone.verify.audit.names import fold


class CallChecks(CheckContext):
    """The checks of `ast.Call` nodes."""

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
