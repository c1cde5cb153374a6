"""The classic mutator: one numeric literal per attempt, marks and excludes honoured."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from hone.config.load import parse_config
from hone.mutators.base import MutatorExhausted, ProposalContext
from hone.mutators.classic import ClassicMutator, find_sites, neighbours
from hone.records import Attempt, Status

BASELINE = Attempt("r", 0, None, "0" * 40, Status.BASELINE, score=1.0)


def context(root: Path, files: list[str], attempt_id: int = 1,
            parent: Attempt = BASELINE, history: list[Attempt] | None = None
            ) -> ProposalContext:
    config = parse_config({"objective": {"run": "true"}})
    return ProposalContext("r", attempt_id, parent, parent, history or [BASELINE], config, root,
                           "", root / "brief.md", files)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_int_neighbours_and_float_steps() -> None:
    assert neighbours("64") == ["32", "43", "63", "65", "96", "128"]
    assert neighbours("0") == ["1"]
    assert neighbours("0.1") == ["0.05", "0.08", "0.09", "0.11", "0.125", "0.2"]
    assert neighbours("1e-3") == ["0.0005", "0.0008", "0.0009", "0.0011", "0.00125", "0.002"]
    assert neighbours("2.") == ["1.0", "1.6", "1.8", "2.2", "2.5", "4.0"]


def test_sites_in_python_skip_strings_comments_and_names(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": 'BLOCK = 64\nname = "v2 and 3"  # 5 apples\nx_2 = 0.5e1\n'})
    assert [(s.line, s.col, s.text) for s in find_sites(tmp_path, ["a.py"])] == [
        (1, 8, "64"), (3, 6, "0.5e1")]


def test_sites_in_other_text_skip_comments(tmp_path: Path) -> None:
    write(tmp_path, {"cpu.v": "localparam DEPTH = 16; // 4 ways\nassign x = a[3:0];\n",
                     "k.c": "#define N 128\nint v2 = 7; /* kept */\n"})
    sites = find_sites(tmp_path, ["cpu.v", "k.c"])
    assert [(s.path, s.line, s.text) for s in sites] == [
        ("cpu.v", 1, "16"), ("cpu.v", 2, "3"), ("cpu.v", 2, "0"), ("k.c", 1, "128"),
        ("k.c", 2, "7")]


def test_marked_lines_only_once_any_line_is_marked(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "A = 1\nB = 2  # hone: tune\n", "b.py": "C = 3  # hone: tune\n"})
    assert [s.text for s in find_sites(tmp_path, ["a.py", "b.py"])] == ["2", "3"]


def test_fixed_lines_are_never_touched(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "A = 1  # hone: fixed\nB = 2\n"})
    assert [s.text for s in find_sites(tmp_path, ["a.py"])] == ["2"]


def test_unreadable_and_huge_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "bin.dat").write_bytes(b"\xff\xfe 12")
    (tmp_path / "big.py").write_text("X = 1\n" * 60000)
    assert find_sites(tmp_path, ["bin.dat", "big.py", "missing.py"]) == []


def test_propose_edits_one_literal_and_names_it(tmp_path: Path) -> None:
    original = "import math\n\nBLOCK = 64  # hone: tune\nRATE = 0.1  # hone: fixed\n"
    write(tmp_path, {"src/x.py": original})
    proposal = ClassicMutator().propose(context(tmp_path, ["src/x.py"]))
    new = (tmp_path / "src/x.py").read_text()
    pairs = zip(original.splitlines(), new.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert len(changed) == 1 and changed[0][0] == "BLOCK = 64  # hone: tune"
    value = changed[0][1].split()[2]
    assert value in neighbours("64")
    assert proposal.hypothesis == f"BLOCK = 64 -> {value} in src/x.py:3"
    assert proposal.notes == {"site": "src/x.py:3:8", "old": "64", "new": value}
    assert not proposal.failure and not proposal.rejected


def test_crlf_and_exact_bytes_elsewhere_are_kept(tmp_path: Path) -> None:
    (tmp_path / "k.txt").write_bytes(b"N = 5\r\nname\r\n")
    ClassicMutator().propose(context(tmp_path, ["k.txt"]))
    data = (tmp_path / "k.txt").read_bytes()
    assert data.endswith(b"\r\nname\r\n") and data != b"N = 5\r\nname\r\n"


def test_same_attempt_id_same_proposal(tmp_path: Path) -> None:
    results = []
    for _ in range(2):
        write(tmp_path, {"a.py": "A = 10\nB = 20\nC = 0.5\n"})
        results.append(ClassicMutator().propose(context(tmp_path, ["a.py"], 4)).hypothesis)
    assert results[0] == results[1]


def test_nothing_to_perturb(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "print('hello')\n"})
    with pytest.raises(MutatorExhausted, match="no numeric literal"):
        ClassicMutator().propose(context(tmp_path, ["a.py"]))


def test_every_neighbour_tried_from_this_parent(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "A = 0\n"})  # one literal, one neighbour: 1
    tried = Attempt("r", 1, 0, None, Status.DISCARDED, mutator="classic",
                    notes={"site": "a.py:1:4", "old": "0", "new": "1"})
    with pytest.raises(MutatorExhausted, match="every neighbour"):
        ClassicMutator().propose(context(tmp_path, ["a.py"], 2,
                                         history=[BASELINE, tried]))


def test_climbs_after_a_kept_change(tmp_path: Path) -> None:
    """After a kept +step, proposals from it often push the same literal the same way."""
    kept = Attempt("r", 1, 0, "1" * 40, Status.KEPT, score=2.0, mutator="classic",
                   notes={"site": "a.py:1:4", "old": "10", "new": "11"})
    same_way = 0
    for attempt_id in range(2, 42):
        write(tmp_path, {"a.py": "A = 11\nB = 50\nC = 70\nD = 90\n"})
        p = ClassicMutator().propose(context(tmp_path, ["a.py"], attempt_id, parent=kept,
                                             history=[BASELINE, kept]))
        same_way += p.hypothesis == "A = 11 -> 12 in a.py:1"
    # Half the time by design (plus a random 1-in-24 chance otherwise).
    assert 10 <= same_way <= 32


def test_history_of_other_parents_does_not_block(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "A = 0\n"})
    other = replace(BASELINE, id=5, status=Status.KEPT)
    tried = Attempt("r", 6, 5, None, Status.DISCARDED, mutator="classic",
                    notes={"site": "a.py:1:4", "old": "0", "new": "1"})
    p = ClassicMutator().propose(context(tmp_path, ["a.py"], 7, history=[BASELINE, other, tried]))
    assert p.hypothesis == "A = 0 -> 1 in a.py:1"
