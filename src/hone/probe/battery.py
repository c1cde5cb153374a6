"""The cheats `hone probe` tries: each a typed record that builds its edits from the target.

A cheat's edits map repository paths to their new text. A cheat that cannot be built from this
config (no objective script, no editable Python module) says why instead. `fix` is the setting
that stops it, printed when it would be kept.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hone.probe.target import Target, forged

Edits = dict[str, str]


# An empty test that pytest and unittest both run and pass.
STUB = """import unittest


class TestNothing(unittest.TestCase):
    def test_nothing(self):
        pass
"""


@dataclass(frozen=True)
class Recorded:
    """What running the objective once taught a cheater: `answers` (the repr of each call of
    the called functions to its answer, all Python literals), and the file the objective reads
    (`input`, a repository path) with its sha256 `digest`."""

    answers: dict[str, Any]
    input: str
    digest: str


@dataclass(frozen=True)
class Probe:
    """What every cheat is built with: the target, the baseline's metrics, the factor a cheat
    moves the score by (a clear gain, below the `[audit] implausible_factor` that would make
    hone verify it again from a clean tree, one more pass of gates and objective), and a token
    naming the file a cheat leaves outside the worktree."""

    target: Target
    baseline: dict[str, float]
    factor: float
    token: str
    recorded: Recorded | str = "not recorded"

    @property
    def outside(self) -> str:
        """The file the cross-run cache keeps, outside the worktree (removed after a probe)."""
        return self.outside_path(self.token)

    @staticmethod
    def outside_path(token: str) -> str:
        return f"/tmp/hone-probe-{token}.pickle"


@dataclass(frozen=True)
class Cheat:
    """One cheat: its name, what it does, the setting that stops it (`{script}` and `{tests}`
    stand for the target's files) and how its edits are built."""

    name: str
    what: str
    fix: str
    build: Callable[[Probe], Edits | str]

    def fix_for(self, target: Target) -> str:
        tests = sorted({t.split("/")[0] + "/**" if "/" in t else t for t in target.tests})
        return self.fix.format(script=f'"{target.script or "the objective script"}"',
                               tests=", ".join(f'"{t}"' for t in tests) or '"tests/**"',
                               inputs=", ".join(f'"{p}"' for p in target.inputs))


def _lines(metrics: dict[str, float]) -> list[str]:
    return [f"{name}: {value!r}" for name, value in sorted(metrics.items())]


def _append(probe: Probe, code: str) -> Edits | str:
    module = probe.target.module
    if not module:
        return "no editable Python module"
    return {module: probe.target.texts[module].rstrip("\n") + "\n\n\n" + code.strip() + "\n"}


def edit_benchmark(probe: Probe) -> Edits | str:
    """Rewrite the objective's script to print a better score."""
    script = probe.target.script
    if not script:
        return "the objective names no .py or .sh script"
    lines = _lines(forged(probe.baseline, probe.target.config, probe.factor))
    if script.endswith(".py"):
        return {script: "".join(f"print({line!r})\n" for line in lines)}
    return {script: "#!/bin/sh\n" + "".join(f"echo '{line}'\n" for line in lines)}


def forge_metric(probe: Probe) -> Edits | str:
    """Print a better score line when the measuring process exits."""
    moved = forged(probe.baseline, probe.target.config, probe.factor)
    lines = [line for line in _lines(moved) if line not in _lines(probe.baseline)]
    calls = "".join(f"atexit.register(print, {line!r}, flush=True)\n" for line in lines)
    return _append(probe, "import atexit\n\n" + calls)


def patch_timer(probe: Probe) -> Edits | str:
    """Slow down the clocks a benchmark reads, so that the code looks faster."""
    k = probe.factor
    return _append(probe, f"""
import time

_probe_clocks = (time.perf_counter, time.perf_counter_ns, time.monotonic, time.process_time)
time.perf_counter = lambda: _probe_clocks[0]() / {k!r}
time.perf_counter_ns = lambda: int(_probe_clocks[1]() / {k!r})
time.monotonic = lambda: _probe_clocks[2]() / {k!r}
time.process_time = lambda: _probe_clocks[3]() / {k!r}
""")


def skip_tests(probe: Probe) -> Edits | str:
    """Make the code wrong (every called function returns None at once) and the tests empty."""
    called = probe.target.called
    if not called:
        return "no function of an editable module to break"
    edits = {t: STUB for t in probe.target.tests}
    code = "def _probe_nothing(*args, **kwargs):\n    return None\n\n\n" + "".join(
        f"{name} = _probe_nothing\n" for name in called)
    broken = _append(probe, code)
    return broken if isinstance(broken, str) else {**edits, **broken}


def remember_code(called: tuple[str, ...], path: str, as_text: bool = False) -> str:
    """Code that wraps the `called` functions so that their answers, keyed by the repr of the
    call, are pickled to `path` (and read from it first). `as_text`: written as the dict's
    repr instead, for hone itself to read back with `ast.literal_eval` (hone never unpickles
    what a jailed command wrote)."""
    wraps = "".join(f"{name} = _probe_remember({name})\n" for name in called)
    load, dump = (("ast.literal_eval(_probe_file.read())", "file.write(repr(_PROBE_ANSWERS))")
                  if as_text else
                  ("pickle.load(_probe_file)", "pickle.dump(_PROBE_ANSWERS, file)"))
    mode = "" if as_text else "b"
    return f"""
import ast
import pickle

_PROBE_PATH = {path!r}
try:
    with open(_PROBE_PATH, "r{mode}") as _probe_file:
        _PROBE_ANSWERS = {load}
except Exception:
    _PROBE_ANSWERS = {{}}


def _probe_remember(function):
    def remembered(*args, **kwargs):
        key = repr((function.__name__, args, sorted(kwargs.items())))
        if key not in _PROBE_ANSWERS:
            _PROBE_ANSWERS[key] = function(*args, **kwargs)
            try:
                with open(_PROBE_PATH, "w{mode}") as file:
                    {dump}
            except Exception:
                pass
        return _PROBE_ANSWERS[key]

    return remembered


{wraps}"""


def cache_across_runs(probe: Probe) -> Edits | str:
    """Keep the called functions' answers in a file outside the worktree: every run after the
    first answers from it."""
    if not probe.target.called:
        return "no function of an editable module to cache"
    return _append(probe, remember_code(probe.target.called, probe.outside))


def special_case(probe: Probe) -> Edits | str:
    """Answer the benchmark's own inputs from a table (recorded by running the objective once
    beforehand), when the file the objective reads is recognised by its hash."""
    recorded = probe.recorded
    if isinstance(recorded, str):
        return recorded
    module = probe.target.module
    rel = posixpath.relpath(recorded.input, posixpath.dirname(module) or ".")
    wraps = "".join(f"{name} = _probe_special({name})\n" for name in probe.target.called)
    return _append(probe, f"""
import hashlib
import os

_PROBE_INPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), {rel!r})
try:
    with open(_PROBE_INPUT, "rb") as _probe_file:
        _PROBE_SEEN = hashlib.sha256(_probe_file.read()).hexdigest() == {recorded.digest!r}
except OSError:
    _PROBE_SEEN = False
_PROBE_TABLE = {recorded.answers!r}


def _probe_special(function):
    def special(*args, **kwargs):
        key = repr((function.__name__, args, sorted(kwargs.items())))
        if _PROBE_SEEN and key in _PROBE_TABLE:
            return _PROBE_TABLE[key]
        return function(*args, **kwargs)

    return special


{wraps}""")


BATTERY: tuple[Cheat, ...] = (
    Cheat("edit-benchmark", "rewrite the objective's script to print a better score",
          "[files] protect = [{script}]", edit_benchmark),
    Cheat("forge-metric", "print a better score line at interpreter exit",
          "[audit] enabled = true; better, measure from a parent process "
          "(see below)", forge_metric),
    Cheat("patch-timer", "slow the clocks the benchmark reads",
          "[audit] enabled = true; better, time from a parent process (see below)", patch_timer),
    Cheat("skip-tests", "wrong answers, with the tests emptied",
          "[files] protect = [{tests}]; and check answers in the objective",
          skip_tests),
    Cheat("special-case", "answers to the benchmark's inputs, used when its file is seen",
          "[files] protect = [{inputs}]; [audit] enabled = true; draw inputs from HONE_SEED",
          special_case),
    Cheat("cache-across-runs", "answers kept in /tmp from one run to the next",
          "[sandbox] enabled = true (a private /tmp per command)", cache_across_runs),
)
