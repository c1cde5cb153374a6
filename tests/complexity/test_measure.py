"""Complexity of code: lizard where it parses the language, non-blank lines elsewhere."""

from __future__ import annotations

from pathlib import Path

from hone.complexity.measure import Complexity, ComplexityMeter, measure_text

PY = '''"""Module doc."""

def f(x):
    # a comment
    if x > 1 and x < 5:
        return 1
    return 2


class A:
    def g(self, items):
        for i in items:
            pass
'''


def test_python() -> None:
    cx = measure_text("m.py", PY)
    assert (cx.functions, cx.ccn, cx.files) == (2, 3 + 2, 1)
    assert cx.nloc == 8  # no blank, comment or docstring lines


def test_c_counts_branches() -> None:
    code = "#define N 3\nint f(int x) {\n  if (x) return 1;\n  while (x--) {}\n  return 0;\n}\n"
    cx = measure_text("k.c", code)
    assert (cx.functions, cx.ccn) == (1, 3)


def test_unparsed_languages_count_non_blank_lines() -> None:
    verilog = "module m(input a, output b);\n\n  assign b = a;\nendmodule\n"
    assert measure_text("cpu.v", verilog) == Complexity(3, 0, 0, 1)


def test_meter_totals_and_caches_by_blob(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PY)
    (tmp_path / "b.txt").write_text("one\ntwo\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02")
    meter = ComplexityMeter()
    total = meter.measure(tmp_path, {"a.py": "sha-a", "b.txt": "sha-b", "blob.bin": "sha-c"})
    assert total == measure_text("m.py", PY) + Complexity(2, 0, 0, 1)  # binary counts nothing
    # A blob seen before is not read again (the file may be gone: the cache answers).
    (tmp_path / "a.py").unlink()
    assert meter.measure(tmp_path, {"a.py": "sha-a"}) == measure_text("m.py", PY)
    assert meter.measure(tmp_path, {"a.py": "sha-new"}) == Complexity()  # unreadable: nothing


def test_json_round_trip() -> None:
    cx = Complexity(10, 4, 2, 3)
    assert Complexity.from_json(cx.to_json()) == cx
    assert Complexity.from_json(None) is None and Complexity.from_json({}) is None
