"""SEARCH/REPLACE parsing and all-or-nothing application."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.mutators.llm.edits import (
    EditFailed,
    EditRejected,
    apply_edits,
    parse_edits,
)
from hone.vcs.paths import PathRules

RULES = PathRules(["src/**", "new/**"], ["src/secret.py"])


def block(path: str, search: str, replace: str, fence: bool = False) -> str:
    body = f"{path}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n"
    return f"```python\n{body}```\n" if fence else body


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("def f():\n    return 1\n\n\ndef g():\n    return 2\n")
    (tmp_path / "src" / "b.py").write_text("X = 1\n")
    (tmp_path / "src" / "secret.py").write_text("KEY = 1\n")
    return tmp_path


def test_parses_fenced_unfenced_crlf_and_several_files() -> None:
    text = ("Some words first.\r\n**Hypothesis:** inline both returns\r\n\r\n"
            + block("src/a.py", "    return 1\n", "    return 10\n", fence=True)
            + "and then\n"
            + block("**src/b.py**", "X = 1\n", "X = 2\n")
            + block("src/b.py", "", "Y = 3\n")).replace("\n", "\r\n")
    parsed = parse_edits(text)
    assert parsed.hypothesis == "inline both returns"
    assert not parsed.problems
    assert [(e.path, e.search, e.replace) for e in parsed.edits] == [
        ("src/a.py", "    return 1\n", "    return 10\n"),
        ("src/b.py", "X = 1\n", "X = 2\n"),
        ("src/b.py", "", "Y = 3\n")]


def test_cut_short_answer_is_a_problem() -> None:
    parsed = parse_edits("Hypothesis: x\nsrc/a.py\n<<<<<<< SEARCH\n    return 1\n=======\n")
    assert parsed.problems and "cut short" in parsed.problems[0]


def test_applies_blocks_tolerating_trailing_spaces_and_indentation(tree: Path) -> None:
    parsed = parse_edits(
        block("src/a.py", "    return 1   \n", "    return 11\n")
        + block("src/a.py", "        return 2\n", "        return 22\n")  # over-indented
        + block("new/c.py", "", "Z = 1\n"))
    changed = apply_edits(tree, parsed.edits, RULES)
    assert changed == ["src/a.py", "new/c.py"]
    assert (tree / "src/a.py").read_text() == (
        "def f():\n    return 11\n\n\ndef g():\n    return 22\n")
    assert (tree / "new/c.py").read_text() == "Z = 1\n"


def test_crlf_file_keeps_its_line_endings(tree: Path) -> None:
    (tree / "src/b.py").write_bytes(b"X = 1\r\nW = 0\r\n")
    apply_edits(tree, parse_edits(block("src/b.py", "X = 1\n", "X = 5\n")).edits, RULES)
    assert (tree / "src/b.py").read_bytes() == b"X = 5\r\nW = 0\r\n"


@pytest.mark.parametrize(("search", "why"), [
    ("    return 3\n", "does not match"),
    ("    return\n", "does not match"),
])
def test_non_matching_block_fails_and_writes_nothing(tree: Path, search: str, why: str) -> None:
    edits = parse_edits(block("src/b.py", "X = 1\n", "X = 9\n")
                        + block("src/a.py", search, "pass\n")).edits
    with pytest.raises(EditFailed, match=why):
        apply_edits(tree, edits, RULES)
    assert (tree / "src/b.py").read_text() == "X = 1\n"  # all or nothing


def test_ambiguous_block_fails(tree: Path) -> None:
    (tree / "src/b.py").write_text("X = 1\nX = 1\n")
    with pytest.raises(EditFailed, match="matches 2 places"):
        apply_edits(tree, parse_edits(block("src/b.py", "X = 1\n", "X = 2\n")).edits, RULES)


def test_empty_search_on_an_existing_file_fails(tree: Path) -> None:
    with pytest.raises(EditFailed, match="already exists"):
        apply_edits(tree, parse_edits(block("src/b.py", "", "X = 2\n")).edits, RULES)


@pytest.mark.parametrize(("path", "why"), [
    ("src/secret.py", "protected path src/secret.py"),
    ("hone.toml", "protected path hone.toml"),
    ("README.md", "outside the editable paths"),
    ("../outside.py", "escapes the worktree"),
    ("/etc/passwd", "escapes the worktree"),
])
def test_edits_outside_the_rules_are_rejected(tree: Path, path: str, why: str) -> None:
    edits = parse_edits(block("src/b.py", "X = 1\n", "X = 2\n")
                        + block(path, "", "evil\n")).edits
    with pytest.raises(EditRejected, match=why):
        apply_edits(tree, edits, RULES)
    assert (tree / "src/b.py").read_text() == "X = 1\n"


def test_a_file_written_again_holds_exactly_the_new_content(tmp_path: Path) -> None:
    from hone.mutators.llm.edits import write_whole

    path = tmp_path / "knob.py"
    write_whole(path, b"K = 1000000\r\n")  # created
    assert path.read_bytes() == b"K = 1000000\r\n"
    write_whole(path, b"K = 2\n")  # shorter: nothing of the old content left behind
    assert path.read_bytes() == b"K = 2\n"
    write_whole(path, b"K = 3  # longer than before\n")
    assert path.read_bytes() == b"K = 3  # longer than before\n"
    write_whole(path, b"")
    assert path.read_bytes() == b""
