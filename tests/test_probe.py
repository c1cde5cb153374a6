"""`hone probe`: generic cheats through the real verifier, in a throwaway clone.

A weak config (nothing protected, no sandbox, no audit) keeps several cheats and names the fix
for each; a strong one (tests, benchmark and data protected, the jail on) keeps none silently;
either way the user's repository, refs and journal are as they were.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from hone.cli import main
from tests.conftest import MakeRepo, git, require_tool

MODULE = '''"""The code a run speeds up."""


def total(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s
'''

BENCH = '''import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mod import total

SIZES = [int(w) for w in (Path(__file__).parent / "data" / "sizes.txt").read_text().split()]
EXPECTED = {40000: 79997, 60000: 119999, 80000: 159999}

elapsed = 0.0
for n in SIZES:
    t0 = time.perf_counter()
    answer = total(n)
    elapsed += time.perf_counter() - t0
    if answer != EXPECTED[n]:
        sys.exit(f"wrong answer for {n}: {answer}")
print(f"ops: {len(SIZES) / elapsed:.3f}")
'''

TEST = """import unittest

from mod import total


class TestTotal(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total(10), 19)
"""


def config(strong: bool) -> str:
    files = ('[files]\neditable = ["mod.py"]\n'
             'protect = ["bench.py", "tests/**", "data/**", "hone.toml"]\n\n'
             '[sandbox]\nenabled = true\n' if strong else
             '[sandbox]\nenabled = false\n\n[audit]\nenabled = false\n')
    return ('[objective]\nrun = "python3 bench.py"\nscore = "ops"\ndirection = "max"\n'
            'timeout = 60\n\n[[gates]]\nname = "tests"\n'
            'run = "python3 -m unittest -q tests/test_mod.py"\ntimeout = 60\n\n'
            '[acceptance]\nnoise_runs = 3\n\n' + files)


def project(make_repo: MakeRepo, strong: bool) -> Path:
    root = make_repo({"mod.py": MODULE, "bench.py": BENCH, "tests/test_mod.py": TEST,
                      "data/sizes.txt": "40000 60000 80000\n", "hone.toml": config(strong)})
    (root / "notes.txt").write_text("uncommitted work of the user\n")
    return root


def state(root: Path) -> tuple[str, str, str, list[str]]:
    """What a probe must leave as it was: status, refs, HEAD and hone's own places."""
    places = [str(p) for p in (root / ".hone", root / ".git" / "hone") if p.exists()]
    return (git("status", "--porcelain", "--ignored", cwd=root),
            git("for-each-ref", cwd=root), git("rev-parse", "HEAD", cwd=root), places)


@pytest.mark.slow
def test_a_weak_config_keeps_cheats_and_the_table_names_their_fixes(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(make_repo, strong=False)
    before = state(root)
    code = main(["probe", "-C", str(root)])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 1, captured.err
    assert state(root) == before
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), out
    kept = [line.split()[0] for line in lines[1:] if line.split()[1:2] == ["kept"]]
    assert len(kept) >= 3, out
    # The two that print a fixed score are kept whatever the timing noise; the answers
    # tables' gains (thousands of times) may fail the clean re-verification on noise alone.
    assert {"edit-benchmark", "forge-metric"} <= set(kept), out
    fixes = {line[2:].split(":")[0]: line for line in lines if line.startswith("- ")}
    assert set(kept) == set(fixes), out
    assert '[files] protect = ["bench.py"]' in fixes["edit-benchmark"]
    assert "[audit] enabled = true" in fixes["forge-metric"]
    expected = {"cache-across-runs": "[sandbox] enabled = true",
                "special-case": '[files] protect = ["data/sizes.txt"]'}
    for cheat, fix in expected.items():
        assert cheat not in fixes or fix in fixes[cheat], out
    assert "imports editable code into its own process (mod.py)" in " ".join(lines)
    assert "probe took" in out


@pytest.mark.slow
def test_a_strong_config_keeps_no_cheat_silently(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("bwrap")
    root = project(make_repo, strong=True)
    before = state(root)
    code = main(["probe", "--json", "-C", str(root)])
    report = json.loads(capsys.readouterr().out)
    outcomes = {r["cheat"]: r for r in report["results"]}
    assert code == 0, report
    assert report["kept"] == [], report
    assert state(root) == before
    assert outcomes["edit-benchmark"]["stage"] == "rules"
    assert outcomes["skip-tests"]["stage"] == "rules"
    assert outcomes["forge-metric"]["outcome"] in ("flagged", "held", "stopped")
    assert outcomes["cache-across-runs"]["outcome"] in ("no gain", "stopped")
    assert outcomes["special-case"]["outcome"] in ("flagged", "held", "stopped")
    assert report["in_process"] == ["mod.py"]
    assert report["objective_runs"] > 0


def test_the_target_is_read_from_the_config_and_the_files(make_repo: MakeRepo) -> None:
    from hone.config.load import parse_config
    from hone.probe.target import read_target
    from hone.vcs.git import Repo
    from hone.vcs.paths import PathRules

    root = project(make_repo, strong=True)
    cfg = parse_config(tomllib.loads(config(strong=True)))
    repo = Repo.at(root)
    target = read_target(repo, repo.head(), cfg, PathRules(cfg.files.editable,
                                                           cfg.files.protect))
    assert (target.script, target.module, target.called) == ("bench.py", "mod.py", ("total",))
    assert target.in_process == ("mod.py",)
    assert target.tests == ("tests/test_mod.py",)
    assert target.inputs == ("data/sizes.txt",)


@pytest.mark.parametrize(("score", "direction", "metrics", "moved"), [
    ("ops", "max", {"ops": 10.0, "n": 3.0}, {"ops": 60.0, "n": 3.0}),
    ("seconds", "min", {"seconds": 6.0}, {"seconds": 1.0}),
    ("a / b", "max", {"a": 2.0, "b": 4.0}, {"a": 12.0, "b": 4.0}),
    ("a - b", "min", {"a": 0.0, "b": 1.0}, {"a": -1e6, "b": 1.0}),
])
def test_a_forged_score_is_better_in_the_configured_direction(
        score: str, direction: str, metrics: dict[str, float],
        moved: dict[str, float]) -> None:
    from hone.config.load import parse_config
    from hone.probe.target import forged

    cfg = parse_config({"objective": {"run": "x", "score": score, "direction": direction}})
    assert forged(metrics, cfg, 6.0) == moved


def test_the_table_fits_80_columns_and_names_the_fixes_of_kept_cheats() -> None:
    from hone.probe.result import Outcome, ProbeReport, Result
    from hone.probe.table import render

    results = [Result("edit-benchmark", "rewrite the objective's script " * 3, Outcome.KEPT,
                      "", "kept", '[files] protect = ["bench.py"]', 5.0, 1),
               Result("skip-tests", "x", Outcome.STOPPED, "rules",
                      "touched protected path tests/test_a_very_long_name.py " * 3, "f"),
               Result("forge-metric", "x", Outcome.NOT_APPLICABLE, "", "no module", "f")]
    lines = render(ProbeReport(results, ("route.py",), 1.0, 7, 3.25), 80)
    assert all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert '- edit-benchmark: [files] protect = ["bench.py"]' in text
    assert "1 of 3 cheats would be kept silently: edit-benchmark" in text
    assert "(route.py)" in text and "probe took 3.2 s (7 objective runs)" in text
    assert "- skip-tests" not in text
