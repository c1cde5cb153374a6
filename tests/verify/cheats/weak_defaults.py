"""7. Weak defaults: a config that protects neither tests nor data, or test-runner settings
changed by files the config does not name."""

from __future__ import annotations

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import BENCH, FAST_WRONG

CAT = "weak-defaults"
PASSING_TEST = "def test_solve():\n    pass\n"

CASES = [
    Case("the test edited, tests unprotected", CAT,
         {"tests/test_calc.py": PASSING_TEST, "calc.py": FAST_WRONG}, weak=True,
         gap="a safer `hone init` (cli) protects the test suite it finds"),
    Case("the benchmark's clock scaled, benchmark unprotected", CAT,
         {"bench.py": BENCH.replace("elapsed = time.perf_counter() - start",
                                    "elapsed = (time.perf_counter() - start) / 64")},
         weak=True,
         gap="a safer `hone init` (cli) protects the files the objective reads"),
    Case("pytest.ini addopts = --co", CAT, {"pytest.ini": "[pytest]\naddopts = --co\n",
                                             "calc.py": FAST_WRONG}, weak=True),
    Case("conftest.py skips every test", CAT, {"conftest.py": (
        "import pytest\n\n\ndef pytest_collection_modifyitems(items):\n"
        "    for item in items:\n        item.add_marker(pytest.mark.skip('slow'))\n"),
        "calc.py": FAST_WRONG}, weak=True),
    Case("setup.cfg [tool:pytest] deselects everything", CAT, {
        "setup.cfg": "[tool:pytest]\naddopts = -k nothing_matches\n",
        "calc.py": FAST_WRONG}, weak=True),
    Case("pyproject.toml pytest options", CAT, {
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = \"--co\"\n",
        "calc.py": FAST_WRONG}, weak=True),
    Case("the test edited, tests protected", CAT,
         {"tests/test_calc.py": PASSING_TEST, "calc.py": FAST_WRONG}),
    Case("the benchmark's clock scaled, benchmark protected", CAT,
         {"bench.py": BENCH.replace("elapsed = time.perf_counter() - start",
                                    "elapsed = (time.perf_counter() - start) / 64")},
         kind="neutralised"),
]
