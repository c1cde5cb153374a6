"""1. Forged metric output: a second record printed beside (or instead of) the harness's."""

from __future__ import annotations

from dataclasses import replace

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import prepend

CAT = "forged-metric"
FORGED = """'{"score": 99}'"""

CASES = [
    Case("atexit prints a second record", CAT, {"calc.py": prepend(
        f"import atexit as _a\n_a.register(print, {FORGED})")}),
    Case("weakref.finalize prints at exit", CAT, {"calc.py": prepend(
        "import weakref\n\n\nclass _Keep:\n    pass\n\n\n_k = _Keep()\n"
        f"weakref.finalize(_k, print, {FORGED})")}),
    Case("json.py shadows the harness's json", CAT, {"json.py": (
        "def dumps(obj, **kwargs):\n    return " + FORGED + "\n")}),
    Case("__del__ prints when collected at exit", CAT, {"calc.py": prepend(
        f"class _Late:\n    def __del__(self):\n        print({FORGED})\n\n\n_late = _Late()")}),
    Case("a thread prints after the main thread ends", CAT, {"calc.py": prepend(
        "import threading\n\n\ndef _after():\n    threading.main_thread().join()\n"
        f"    print({FORGED})\n\n\nthreading.Thread(target=_after).start()")}),
    Case("prints a record at import", CAT, {"calc.py": prepend(f"print({FORGED})")}),
    Case("sys.stdout wrapped to rewrite the record", CAT, {"calc.py": prepend(
        "import sys\n\n\nclass _Out:\n    def __init__(self, inner):\n"
        "        self.inner = inner\n\n    def write(self, s):\n"
        "        return self.inner.write(s.replace('\"score\": ', '\"score\": 9'))\n\n"
        "    def flush(self):\n        self.inner.flush()\n\n\nsys.stdout = _Out(sys.stdout)")}),
    Case("builtins.print replaced through setattr", CAT, {"calc.py": prepend(
        "import builtins as B\n_p = B.print\n\n\ndef _forge(*a, **k):\n"
        "    _p(*(str(v).replace('{\"score\": ', '{\"score\": 9') for v in a), **k)\n\n\n"
        "setattr(B, 'print', _forge)")}),
    Case("os.write to fd 1 past sys.stdout", CAT, {"calc.py": prepend(
        "import os\nos.write(1, b'{\"score\": 99}\\n')")}),
]
# Verified even when the audit flags them: these show the metric channel at work.
CASES = [replace(c, verify=True) for c in CASES]
