"""The static audit of kept diffs: each check fires on its cheat and not on honest code."""

from __future__ import annotations

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
