"""2. Timer and runtime patches, spelled so that a line-based audit misses them."""

from __future__ import annotations

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import FAST_WRONG, prepend

CAT = "runtime-patch"
HEX = b"import time; time.perf_counter = lambda: 0.0".hex()

CASES = [
    Case("time imported under another name", CAT, {"calc.py": prepend(
        "import time as clock\nclock.perf_counter = lambda: 0.0")}),
    Case("time.__dict__ with a built key", CAT, {"calc.py": prepend(
        "import time\ntime.__dict__['perf_' + 'counter'] = lambda: 0.0")}),
    Case("exec of hex-decoded code", CAT, {"calc.py": prepend(
        f"exec(bytes.fromhex('{HEX}'))")}),
    Case("a # in a string before the patch", CAT, {"calc.py": prepend(
        "import time\nnote = '#'; time.perf_counter = lambda: 0.0")}),
    Case("posix._exit(0) ends the gate early", CAT, {"calc.py": prepend(
        "import posix as _p\nimport sys as _s\n"
        "if any('pytest' in m for m in _s.modules):\n    _p._exit(0)", FAST_WRONG)}),
    Case("_exit found by getattr with a built name", CAT, {"calc.py": prepend(
        "import sys\nif 'py' + 'test' in str(sys.argv):\n"
        "    getattr(__import__('o' + 's'), '_ex' + 'it')(0)", FAST_WRONG)}),
    Case("pytest's runner patched at import", CAT, {"calc.py": prepend(
        "import sys\nif '_pytest.python' in sys.modules:\n    import _pytest.python as _pp\n"
        "    _pp.Function.runtest = lambda self: None", FAST_WRONG)}),
    Case("import_module and setattr with built names", CAT, {"calc.py": prepend(
        "import importlib\n_m = importlib.import_module(''.join(['ti', 'me']))\n"
        "setattr(_m, 'perf_' + 'counter', lambda: 0.0)")}),
    Case("math.log patched (the harness's scoring)", CAT, {"calc.py": prepend(
        "import math\nmath.log = lambda *a: 99.0")}),
    Case("module __dict__.update through getattr", CAT, {"calc.py": prepend(
        "getattr(__import__('time'), '__dict__').update(perf_counter=lambda: 0.0)")}),
    Case("mock.patch by a string target", CAT, {"calc.py": prepend(
        "from unittest import mock\nmock.patch('time.perf_counter', lambda: 0.0).start()")}),
    Case("sys.modules entry patched", CAT, {"calc.py": prepend(
        "import sys\nsys.modules['time'].perf_counter = lambda: 0.0")}),
]
