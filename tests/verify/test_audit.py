"""The static audit of kept diffs: each check fires on its cheat and not on honest code."""

from __future__ import annotations

import pytest

from hone.verify.audit import audit

WATCHED = {"bench.py": "inputs = [982451653, 12]\nprint(run(inputs))\n",
           "tests/test_calc.py": "assert solve(982451653) == 906729\n"}


def diff(path: str, added: list[str], removed: list[str] | None = None) -> str:
    body = "".join(f"-{line}\n" for line in removed or []) + "".join(
        f"+{line}\n" for line in added)
    return (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -1,1 +1,{len(added)} @@\n{body}")


def checks(text: str) -> set[str]:
    return {f.check for f in audit(text, WATCHED)}


def test_each_cheat_is_flagged() -> None:
    assert "hook-file" in checks(diff("conftest.py", ["import pytest"]))
    assert "hook-file" in checks(diff("pkg/evil.pth", ["import os"]))
    assert "patches-runtime" in checks(diff("calc.py", ["time.perf_counter = lambda: 0"]))
    assert "patches-runtime" in checks(diff("calc.py", ["sys.exit = lambda *a: None"]))
    assert "patches-runtime" in checks(diff("calc.py", ["setattr(time, 'time', f)"]))
    assert "broad-except" in checks(diff("calc.py", ["    except:"]))
    assert "broad-except" in checks(diff("calc.py", ["    except BaseException:"]))
    assert "reads-data" in checks(diff("calc.py", ["data = open('tests/test_calc.py').read()"]))
    assert "special-cases-input" in checks(diff("calc.py", ["    if x == 982451653:"]))
    assert "special-cases-input" in checks(diff("calc.py", ["        return 906729"]))
    assert "writes-hook" in checks(diff("calc.py", ["open('sitecustomize.py', 'w')"]))
    assert "overrides-eq" in checks(diff("calc.py", ["    def __eq__(self, other):"]))


def test_honest_changes_are_not_flagged() -> None:
    honest = diff("calc.py", [
        "def solve(x: int) -> int:",
        "    total = 0  # a comment that says except: and time.time = is fine",
        "    for i in range(150_000):",
        "        total = (total * 31 + (x ^ i)) % 1_000_003",
        "    elapsed_time = 12",
        "    return total",
    ])
    assert audit(honest, WATCHED) == []


def test_a_literal_already_in_the_code_is_not_special_casing() -> None:
    moved = diff("calc.py", ["    if x == 982451653:  # moved"], ["if x == 982451653:"])
    assert "special-cases-input" not in checks(moved)


def test_findings_name_file_and_line() -> None:
    text = diff("calc.py", ["ok = 1", "time.perf_counter = f"])
    [finding] = audit(text, WATCHED)
    assert (finding.path, finding.line) == ("calc.py", 2)


# -- the parsing checks: a class of cheat, however it is spelled ---------------------------

def new_file(path: str, text: str) -> str:
    lines = text.splitlines()
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{x}\n" for x in lines))


def found(text: str, protected: tuple[str, ...] = ("bench.py", "tests/**", "data/**"),
          metrics: tuple[str, ...] = ("score",)) -> set[str]:
    watched = {**WATCHED, "data/inputs.txt": "982451653\n"}
    return {f.check for f in audit(new_file("calc.py", text), watched, None, protected,
                                   metrics)}


@pytest.mark.parametrize("code, check", [
    ("import time as t\nt.perf_counter = f", "patches-runtime"),
    ("import time\nclock = time\nclock.perf_counter = f", "patches-runtime"),
    ("import time\ntime.__dict__['perf_' + 'counter'] = f", "patches-runtime"),
    ("import time\nvars(time)['perf_counter'] = f", "patches-runtime"),
    ("import sys\nsys.modules['time'].perf_counter = f", "patches-runtime"),
    ("m = __import__('time')\nm.monotonic = f", "patches-runtime"),
    ("import importlib\nsetattr(importlib.import_module('ti' + 'me'), 'time', f)",
     "patches-runtime"),
    ("import builtins\nbuiltins.len = f", "patches-runtime"),
    ("__builtins__['len'] = f", "patches-runtime"),
    ("import gc\ngc.callbacks.append(f)", "patches-runtime"),
    ("import sys\nsys.meta_path.insert(0, Finder())", "patches-runtime"),
    ("from _pytest import runner\nrunner.call_and_report = f", "patches-runtime"),
    ("import unittest\nunittest.TestCase.assertEqual = f", "patches-runtime"),
    ("from unittest import TestCase as T\nT.assertEqual = f", "patches-runtime"),
    ("import pytest\npytest.approx = f", "patches-runtime"),
    ("from time import perf_counter\nimport time\ntime.perf_counter = lambda: perf_counter()",
     "patches-runtime"),
    ("import os\nos._exit(0)", "exits-early"),
    ("import posix\nposix._exit(0)", "exits-early"),
    ("from os import _exit as bye\nbye(0)", "exits-early"),
    ("import os\ngetattr(os, '_ex' + 'it')(0)", "exits-early"),
    ("import os\nos.execv('/bin/true', ['true'])", "exits-early"),
    ("import atexit\natexit.register(f)", "runs-at-exit"),
    ("from atexit import register as r\nr(f)", "runs-at-exit"),
    ("import weakref\nweakref.finalize(o, f)", "runs-at-exit"),
    ("class C:\n    def __del__(self):\n        pass", "runs-at-exit"),
    ("import signal\nsignal.signal(15, f)", "runs-at-exit"),
    ("import sys\nsys.settrace(f)", "traces-interpreter"),
    ("import threading\nthreading.setprofile(f)", "traces-interpreter"),
    ("import os\nos.chdir('/tmp')", "changes-directory"),
    ("exec(code)", "builds-code"),
    ("eval('1' + '+1')", "builds-code"),
    ("compile(src, 'x', 'exec')", "builds-code"),
    ("data = bytes.fromhex('00')", "builds-code"),
    ("import base64\nbase64.b64decode(s)", "builds-code"),
    ("import codecs\ncodecs.decode(s, 'rot13')", "builds-code"),
    ("s.encode().decode('rot_13')", "builds-code"),
    ("import marshal\nmarshal.loads(b)", "builds-code"),
    ("f.__code__ = g.__code__", "builds-code"),
    ("import importlib\nimportlib.import_module(name)", "imports-dynamically"),
    ("class A(int):\n    pass", "subclasses-builtin"),
    ("I = int\nclass A(I):\n    pass", "subclasses-builtin"),
    ("A = type('A', (str,), {})", "subclasses-builtin"),
    ("class A:\n    def __eq__(self, o):\n        return True", "overrides-eq"),
    ("class A:\n    __eq__ = lambda s, o: True", "overrides-eq"),
    ("A.__hash__ = f", "overrides-eq"),
    ("setattr(A, '__n' + 'e__', f)", "overrides-eq"),
    ("obj.__class__ = Liar", "overrides-eq"),
    ("x = open('tests/test_calc.py').read()", "reads-data"),
    ("x = open('te' + 'sts/test_calc.py').read()", "reads-data"),
    ("from pathlib import Path\nx = (Path('tests') / 'test_calc.py').read_text()",
     "reads-data"),
    ("import os\nfiles = os.listdir('da' + 'ta')", "reads-data"),
    ("import glob\nglob.glob('t*/*.py')", "reads-data"),
    ("import glob\nglob.glob(pattern)", "lists-files"),
    ("from pathlib import Path\nPath('.').rglob('*')", "lists-files"),
    ("import sys\nbench = sys.argv[0]", "detects-harness"),
    ("import os\nhere = os.getcwd()", "detects-harness"),
    ("ok = 'PYTEST_CURRENT_TEST' in env", "detects-harness"),
    ("import socket\nsocket.gethostname()", "detects-harness"),
    ("import sys\nf = sys._getframe(1)", "inspects-caller"),
    ("caller = frame.f_back.f_locals", "inspects-caller"),
    ("import os\nos.write(1, b'x')", "forges-metric"),
    ("print(f'score: {value}')", "forges-metric"),
    ("import sys\nprint('x', file=sys.__stdout__)", "forges-metric"),
    ("if x == 982451652 + 1:\n    pass", "special-cases-input"),
    ("if x == 0x3A8F05C5:\n    pass", "special-cases-input"),
    ("if x == int('982451653'):\n    pass", "special-cases-input"),
    ("try:\n    pass\nexcept (ValueError, BaseException):\n    pass", "broad-except"),
    ("import contextlib\nwith contextlib.suppress(Exception):\n    pass", "broad-except"),
    ("def pytest_collection_modifyitems(items):\n    pass", "pytest-hook"),
    ("open('sitecustomize.py', 'w')", "writes-hook"),
    ("import ctypes\nctypes.memmove(a, b, 8)", "patches-runtime"),
    ("from ctypes import pythonapi", "patches-runtime"),
    ("seed = os.environ.get('HONE_SEED')", "detects-harness"),
])
def test_each_spelling_of_a_cheat_is_caught(code: str, check: str) -> None:
    assert check in found(code)


@pytest.mark.parametrize("code", [
    "import functools\n\n\n@functools.lru_cache(maxsize=None)\ndef f(n):\n    return n",
    "import os\nos.environ['OMP_NUM_THREADS'] = '1'",
    "import sys\nsys.setrecursionlimit(10_000)\nsys.path.insert(0, 'lib')",
    "import re\npattern = re.compile(r'\\d+')",
    "compile = make_compiler()\ncompile(text)",
    "def solve(time, exec):\n    time.x = 1\n    return exec(time)",
    "try:\n    x = 1\nexcept ValueError:\n    pass",
    "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass P:\n    x: int",
    "from enum import Enum\n\n\nclass Mode(str, Enum):\n    FAST = 'fast'",
    "if __name__ == '__main__':\n    main()",
    "data = {'data': 1, 'tests': 2}\nvalue = data.get('data')",
    "import heapq\nheapq.heappush(h, (1, 2))",
    "import numpy as np\na = np.arange(10) * 31 % 1_000_003",
    "note = 'we never patch time.perf_counter = here # nor except:'",
    "import math\nx = math.isqrt(99)\ny = math.fsum([1.0])",
    "fields = ['phone_number', 'name']",
])
def test_honest_code_is_not_flagged(code: str) -> None:
    assert found(code) == set()


def test_an_alias_on_an_unchanged_line_resolves_with_the_whole_file() -> None:
    whole = "import time as clock\n\nx = 1\nclock.perf_counter = f\n"
    change = diff("calc.py", ["clock.perf_counter = f"])
    # Without the file, `clock` is unknown; with it, it is `time`.
    assert audit(change, WATCHED) == []
    findings = audit(change.replace("@@ -1,1 +1,1 @@", "@@ -4,1 +4,1 @@"), WATCHED,
                     {"calc.py": whole})
    assert [(f.check, f.line, f.reason) for f in findings] == [
        ("patches-runtime", 4, "writes time.perf_counter")]


def test_old_code_is_not_flagged_again() -> None:
    whole = "import os\nos.chdir('/tmp')\nx = 2\n"
    change = diff("calc.py", ["x = 2"], ["x = 1"]).replace("@@ -1,1 +1,1 @@", "@@ -3,1 +3,1 @@")
    assert audit(change, WATCHED, {"calc.py": whole}) == []


def test_a_module_name_without_its_import_still_counts_in_a_fragment() -> None:
    assert "patches-runtime" in checks(diff("calc.py", ["    time.perf_counter = f"]))


def test_a_hash_inside_a_string_does_not_hide_the_rest_of_a_non_python_line() -> None:
    text = diff("run.sh", ["echo '#'; python -c 'import time; time.perf_counter = f'"])
    assert "patches-runtime" in checks(text)


@pytest.mark.parametrize("name, body", [
    ("pytest.ini", "[pytest]\naddopts = --co"), ("setup.cfg", "[tool:pytest]\naddopts = -x"),
    ("pyproject.toml", "[tool.pytest.ini_options]\naddopts = '--co'"),
    ("usercustomize.py", "x = 1"), ("pkg/hack.pth", "import os")])
def test_test_runner_and_interpreter_hook_files_are_flagged(name: str, body: str) -> None:
    assert "hook-file" in {f.check for f in audit(new_file(name, body), WATCHED)}


def test_a_pyproject_change_without_test_settings_is_not_flagged() -> None:
    assert audit(new_file("pyproject.toml", "[project]\nname = 'x'"), WATCHED) == []
