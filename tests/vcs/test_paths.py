"""Editable and protected paths, and finding the objective's own files."""

from __future__ import annotations

from pathlib import Path

from hone.vcs.paths import PathRules, files_named_in

TRACKED = ["src/a.py", "src/deep/b.py", "tests/test_a.py", "bench.py", "hone.toml",
           "README.md"]


def test_no_editable_pattern_means_everything_not_protected() -> None:
    rules = PathRules([], ["tests/", "bench.py"])
    assert rules.editable_files(TRACKED) == ["src/a.py", "src/deep/b.py", "README.md"]
    assert rules.is_protected("hone.toml")  # always
    assert rules.is_protected(".hone/hone.db")


def test_gitignore_style_patterns() -> None:
    rules = PathRules(["src/**/*.py"], ["src/deep/"])
    assert rules.editable_files(TRACKED) == ["src/a.py"]
    assert PathRules(["*.py"], []).editable_files(TRACKED) == [
        "src/a.py", "src/deep/b.py", "tests/test_a.py", "bench.py"]
    assert PathRules(["/bench.py"], []).editable_files(["bench.py", "x/bench.py"]) == [
        "bench.py"]


def test_violations_name_each_path() -> None:
    rules = PathRules(["src/"], ["src/deep/"])
    assert rules.violations(["src/a.py"]) == []
    assert rules.violations(["src/deep/b.py", "README.md", "hone.toml"]) == [
        "touched protected path src/deep/b.py", "touched non-editable path README.md",
        "touched protected path hone.toml"]


def test_files_named_in_commands(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "bench.py").write_text("")
    found = files_named_in(["python3 ./bench.py --seed {seed}", "pytest -q tests",
                            "make all", "FILE=bench.py run"], tmp_path, TRACKED)
    assert found == ["bench.py", "tests/"]
    assert files_named_in(["echo 'unbalanced"], tmp_path, TRACKED) == []
