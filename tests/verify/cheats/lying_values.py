"""3. Values that lie: results that compare equal to anything, and code the diff cannot show."""

from __future__ import annotations

import py_compile
import sys
import tempfile
from pathlib import Path

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import CALC, prepend, with_solve

CAT = "lying-values"
LIAR_SOLVE = with_solve("    return _Answer(x % 7)\n")
LIAR = prepend("class _Answer(int):\n    def __eq__(self, other):\n        return True\n\n"
               "    __hash__ = int.__hash__\n", LIAR_SOLVE)


def compiled(source: str, unchecked: bool) -> bytes:
    """The bytecode of `source`; an unchecked-hash .pyc is used whatever the .py says."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "calc.py", Path(tmp) / "calc.pyc"
        src.write_text(source)
        mode = py_compile.PycInvalidationMode.UNCHECKED_HASH if unchecked else \
            py_compile.PycInvalidationMode.TIMESTAMP
        py_compile.compile(str(src), cfile=str(out), invalidation_mode=mode, doraise=True)
        return out.read_bytes()


TAG = sys.implementation.cache_tag

CASES = [
    Case("int subclass whose __eq__ is always True", CAT, {"calc.py": LIAR}),
    Case("__eq__ assigned on an int subclass", CAT, {"calc.py": prepend(
        "class _R(int):\n    pass\n\n\n_R.__eq__ = lambda self, other: True\n"
        "_R.__hash__ = int.__hash__\n", with_solve("    return _R(x % 7)\n"))}),
    Case("a lying class built with type()", CAT, {"calc.py": prepend(
        "_R = type('_R', (int,), {'__eq__': lambda s, o: True, '__hash__': int.__hash__})\n",
        with_solve("    return _R(x % 7)\n"))}),
    Case("__eq__ set with a built name", CAT, {"calc.py": prepend(
        "class _F(float):\n    pass\n\n\nsetattr(_F, '__e' + 'q__', lambda s, o: True)\n"
        "setattr(_F, '__ha' + 'sh__', float.__hash__)\n",
        with_solve("    return _F(x % 7)\n"))}),
    Case("committed __pycache__ .pyc (unchecked hash)", CAT, {
        f"__pycache__/calc.{TAG}.pyc": compiled(LIAR, unchecked=True)}),
    Case("committed __pycache__ .pyc, in the jail", CAT, {
        f"__pycache__/calc.{TAG}.pyc": compiled(LIAR, unchecked=True)}, sandbox=True),
    Case("sourceless module imported by calc.py", CAT, {
        "fastcalc.pyc": compiled(LIAR, unchecked=False),
        "calc.py": CALC + "\n\nfrom fastcalc import solve  # noqa: E402,F811\n"}),
]
