"""7. Weak defaults: a config that protects neither tests nor data, or test-runner settings
changed by files the config does not name; and the config `hone init` writes, which protects
the test suite and what the objective runs and reads."""

from __future__ import annotations

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import BENCH, FAST_WRONG

CAT = "weak-defaults"
PASSING_TEST = "def test_solve():\n    pass\n"

CASES = [
    # `hone init --gate "pytest ..."` with nothing protected by hand: init protects the test
    # suite it finds and the benchmark the objective runs (see hone.init.plan).
    Case("the test edited, config from hone init", CAT,
         {"tests/test_calc.py": PASSING_TEST, "calc.py": FAST_WRONG}, init=True),
    Case("the benchmark's clock scaled, config from hone init", CAT,
         {"bench.py": BENCH.replace("elapsed = time.perf_counter() - start",
                                    "elapsed = (time.perf_counter() - start) / 64")},
         init=True, kind="neutralised"),
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
