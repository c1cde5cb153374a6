"""The lessons playbook: delta operations, bounds, persistence, parsing of reflections."""

from __future__ import annotations

from pathlib import Path

from hone.direction import Direction
from hone.mutators.llm.lessons import Playbook, parse_ops, reflection_prompt
from hone.records import Attempt, Status


def test_delta_operations(tmp_path: Path) -> None:
    book = Playbook(tmp_path / "l.json", limit=5)
    assert book.apply([{"op": "add", "text": "Unrolling the inner loop helps."},
                       {"op": "add", "text": "Caching parsed headers pays off."}]) == [
        "added L1", "added L2"]
    # a repeated lesson strengthens the one we have instead of growing the list
    assert book.apply([{"op": "add", "text": "unrolling the inner loop helps!"}]) == [
        "+ L1 (repeated)"]
    assert book.apply([{"op": "helpful", "id": "L2"}, {"op": "weaken", "id": "L1"},
                       {"op": "harmful", "id": "L9"}]) == ["+ L2", "- L1"]
    assert [(x.id, x.helpful, x.harmful) for x in book.lessons] == [("L1", 2, 1), ("L2", 2, 0)]
    assert book.apply([{"op": "remove", "id": "L2"}]) == ["removed L2"]
    assert book.text() == "- [L1 +2/-1] Unrolling the inner loop helps."
    book.observed.add(4)
    book.save()
    again = Playbook(tmp_path / "l.json", limit=5)
    assert again.text() == book.text() and again.observed == {4} and again.next_id == 3


def test_bounded_and_harmful_lessons_drop(tmp_path: Path) -> None:
    book = Playbook(None, limit=3)
    book.apply([{"op": "add", "text": t} for t in (
        "Smaller tiles fit the cache.", "Branch-free code runs faster here.",
        "Numpy beats Python loops for sums.")])
    book.apply([{"op": "helpful", "id": "L1"}, {"op": "helpful", "id": "L3"}])
    book.apply([{"op": "add", "text": "a fourth, quite different, piece of advice"}])
    assert [x.id for x in book.lessons] == ["L1", "L3", "L4"]  # the weakest (L2) went
    for _ in range(5):
        book.apply([{"op": "harmful", "id": "L4"}])
    assert "L4" not in [x.id for x in book.lessons]  # it hurt more than it helped
    done = book.apply([{"op": "add", "text": f"advice {chr(97 + n) * 12}"} for n in range(9)])
    assert len(done) == 4 and len(book.lessons) == 3  # 4 operations per call, 3 kept


def test_parse_ops_is_liberal() -> None:
    assert parse_ops('```json\n{"ops": [{"op": "add", "text": "x"}]}\n```') == [
        {"op": "add", "text": "x"}]
    assert parse_ops('Sure! {"ops": [{"op": "helpful", "id": "L1"}]} hope it helps') == [
        {"op": "helpful", "id": "L1"}]
    assert parse_ops("no json here") == []


def test_reflection_prompt_says_what_happened() -> None:
    history = [Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0),
               Attempt("r", 1, 0, "c1", Status.FAILED, hypothesis="vectorise", stage="tests",
                       reason="gate failed", log_tail="AssertionError: wrong sum")]
    text = reflection_prompt(history[1], history, Playbook(None), "go fast", Direction.MAX)
    assert "vectorise" in text and "failed" in text and "stage tests" in text
    assert "AssertionError: wrong sum" in text and "(none yet)" in text
