"""The lessons playbook: delta operations, bounds, persistence, parsing of reflections."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.direction import Direction
from hone.mutators.llm.lessons import DECAY, GRACE, Playbook, parse_ops, reflection_prompt
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


def _add(book: Playbook, *texts: str) -> list[str]:
    return book.apply([{"op": "add", "text": t} for t in texts])


ADVICE = ["Smaller tiles fit the cache.", "Branch-free code runs faster here.",
          "Numpy beats Python loops for sums.", "Precompute the lookup table once.",
          "Avoid copying arrays inside the loop.", "Inline the hot helper function.",
          "Sort the keys before merging buckets.", "Batch the writes to the log file."]


def test_bounded_and_harmful_lessons_drop() -> None:
    book = Playbook(None, limit=3)
    _add(book, *ADVICE[:3])
    book.apply([{"op": "helpful", "id": "L1"}, {"op": "helpful", "id": "L3"}])
    for _ in range(GRACE):
        book.apply([])
    assert _add(book, "a fourth, quite different, piece of advice") == ["added L4 (evicted L2)"]
    assert [x.id for x in book.lessons] == ["L1", "L3", "L4"]  # the weakest (L2) went
    for _ in range(5):
        book.apply([{"op": "harmful", "id": "L4"}])
    assert "L4" not in [x.id for x in book.lessons]  # it hurt more than it helped
    done = _add(book, *(f"advice {chr(97 + n) * 12}" for n in range(9)))
    assert len(done) == 4 and len(book.lessons) == 3  # 4 operations per call, 3 kept


def test_new_lessons_survive_their_grace_rounds_and_the_limit_holds() -> None:
    """The failure this prevents: older lessons at +2 and every new one at +1, so each new
    lesson was evicted by the next addition and the playbook froze on early lessons."""
    book = Playbook(None, limit=4)
    _add(book, *ADVICE[:2])
    alive: dict[str, int] = {}  # lesson id -> rounds survived after its own
    for n in range(2, 30):
        strong = [{"op": "helpful", "id": "L1"}, {"op": "helpful", "id": "L2"}]
        done = book.apply([*strong, {"op": "add", "text": f"{ADVICE[n % 8]} (case {n})"}])
        assert len(book.lessons) <= 4, done
        for lesson in book.lessons:
            alive[lesson.id] = book.round - lesson.born
    added = [k for k in alive if k not in ("L1", "L2")]
    assert len(added) > 6  # the playbook keeps taking new lessons
    # every lesson added before the last GRACE rounds lived at least GRACE rounds
    assert all(alive[k] >= GRACE for k in added[:-GRACE])
    # a playbook full of lessons still in their grace rounds declines a new one
    young = Playbook(None, limit=2)
    assert _add(young, *ADVICE[:3]) == ["added L1", "added L2",
                                        "declined: every lesson is still new"]


def test_weights_decay_with_age() -> None:
    book = Playbook(None, limit=3)
    _add(book, ADVICE[0])
    book.apply([{"op": "helpful", "id": "L1"}])  # L1 at +2, then never confirmed again
    rounds = 0
    _add(book, ADVICE[1], ADVICE[2])  # fresh lessons at +1
    while book.find("L1").weight >= 1.0:  # type: ignore[union-attr]
        book.apply([])
        rounds += 1
    assert 2 <= rounds <= 6  # an unconfirmed +2 falls below a fresh +1 within a few rounds
    for _ in range(GRACE):
        book.apply([{"op": "helpful", "id": "L2"}, {"op": "helpful", "id": "L3"}])
    assert book.text().splitlines()[-1].startswith("- [L1 +2/-0]")  # now the weakest
    assert _add(book, ADVICE[3]) == ["added L4 (evicted L1)"]


def test_an_older_playbook_loads(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text('{"lessons": [{"id": "L1", "text": "Old advice here.", "helpful": 3, '
                    '"harmful": 1}], "next_id": 2, "observed": [1, 2]}')
    book = Playbook(path, limit=5)
    assert book.find("L1").weight == 2.0 and book.round == 0  # type: ignore[union-attr]
    book.apply([])
    assert book.find("L1").weight == 2.0 * DECAY  # type: ignore[union-attr]


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


def test_saves_written_in_the_background_leave_the_later_playbook(tmp_path: Path) -> None:
    path = tmp_path / "lessons.json"
    book = Playbook(path)
    pending = []
    with book._writing:  # hold the writer: both saves wait, the later may be written first
        for text in ("first lesson", "second lesson"):
            book.apply([{"op": "add", "text": text}])
            pending.append(book.saving())
        assert not path.exists()
    for future in pending:
        future.result(timeout=30)
    again = Playbook(path)
    assert [x.text for x in again.lessons] == ["first lesson", "second lesson"]
    assert again.round == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".lessons-")]


def test_a_playbook_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    book = Playbook(tmp_path / "file" / "lessons.json")
    book.apply([{"op": "add", "text": "a lesson"}])
    with pytest.raises(OSError):
        book.save()
