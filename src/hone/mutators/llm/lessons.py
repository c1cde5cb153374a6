"""Lessons: a bounded playbook of what helped and what hurt, updated by deltas (ACE-style).

After each decided attempt a short reflection call returns operations on the playbook (`add`,
`helpful`, `harmful`, `remove`), never a rewrite, so it neither bloats nor collapses: additions
that repeat a lesson strengthen it instead, lessons that hurt more than they help are dropped,
and at the size limit the weakest lesson goes. The playbook is a JSON file that survives restarts.

Each reflection is a round. A lesson's weight is its votes, each worth `DECAY` less per round
of age, so an early lesson nobody confirms any more fades below a fresh one instead of
freezing the playbook; and a new lesson cannot be evicted during its first `GRACE` rounds
(a full playbook of lessons that young declines further additions instead of exceeding `limit`).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hone.direction import Direction, fmt_gain
from hone.records import Attempt, Status
from hone.sections import Section, SectionKind
from hone.verify.workers import WORKERS

MAX_OPS = 4
MAX_TEXT = 240
GRACE = 3  # reflection rounds after its own during which a new lesson cannot be evicted
DECAY = 0.85  # what a vote is still worth after one more round

REFLECT_SYSTEM = """\
You maintain a short playbook of lessons for an automatic code-improvement loop. Given one \
finished attempt and the current lessons, answer with JSON only: {"ops": [...]} with at most \
4 operations, each one of
{"op": "add", "text": "<one general, reusable lesson, under 30 words>"}
{"op": "helpful", "id": "L3"}   (the attempt confirms lesson L3)
{"op": "harmful", "id": "L3"}   (the attempt contradicts lesson L3)
{"op": "remove", "id": "L3"}    (L3 is wrong or useless)
Do not restate a lesson that is already there: mark it helpful instead. {"ops": []} is fine."""


@dataclass(frozen=True)
class Churn:
    """The lesson ids the last reflection round added and dropped (removed, voted out or
    evicted); the playbook JSON's `last_round`."""

    added: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass
class Lesson:
    """One lesson: its votes (`helpful`, `harmful`, for people), the round that added it
    (`born`) and its decayed weight (`score`; None in playbooks written before decay, whose
    weight is then the plain vote count)."""

    id: str
    text: str
    helpful: int = 0
    harmful: int = 0
    born: int = 0
    score: float | None = None

    @property
    def weight(self) -> float:
        return float(self.helpful - self.harmful) if self.score is None else self.score

    def vote(self, delta: int) -> None:
        self.score = self.weight + delta
        if delta > 0:
            self.helpful += delta
        else:
            self.harmful -= delta


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _replace(path: Path, text: str) -> None:
    """Make `path` hold `text`: a new file in its folder, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lessons-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Playbook:
    """The lessons of one run, never more than `limit`. `path` None keeps them in memory."""

    def __init__(self, path: Path | None = None, limit: int = 12) -> None:
        self.path, self.limit = path, limit
        self.lessons: list[Lesson] = []
        self.next_id = 1
        self.round = 0  # reflection rounds applied so far
        self.observed: set[int] = set()  # attempt ids already reflected on (resume-safe)
        self.churn = Churn()  # what the last round added and dropped
        self._counting, self._writing = threading.Lock(), threading.Lock()  # see `saving`
        self._asked = self._written = 0
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text())
            self.lessons = [Lesson(**x) for x in data.get("lessons", [])]
            self.next_id = int(data.get("next_id", len(self.lessons) + 1))
            self.round = int(data.get("round", 0))
            self.observed = {int(x) for x in data.get("observed", [])}
            last = data.get("last_round")
            last = last if isinstance(last, dict) else {}
            self.churn = Churn(tuple(map(str, last.get("added", ()))),
                               tuple(map(str, last.get("dropped", ()))))
        except (OSError, ValueError, TypeError):
            self.lessons, self.next_id, self.observed = [], 1, set()  # unreadable: start over

    def save(self) -> None:
        """Write the playbook to its file (atomically: a new file renamed over it)."""
        self.saving().result()

    def saving(self) -> Future[None]:
        """Write the playbook as it is now to its file, on a worker thread, while the caller
        goes on (on ext4 a file renamed over another is written out at once, about a
        millisecond here); the future is done when the file is. Of two saves, the file ends
        with the later one's playbook."""
        done: Future[None] = Future()
        if self.path is None:
            done.set_result(None)
            return done
        data = {"lessons": [asdict(x) for x in self.lessons], "next_id": self.next_id,
                "round": self.round, "observed": sorted(self.observed),
                "last_round": {"added": list(self.churn.added),
                               "dropped": list(self.churn.dropped)}}
        text, path = json.dumps(data, indent=1), self.path
        with self._counting:
            self._asked += 1
            turn = self._asked

        def write() -> None:
            try:
                with self._writing:
                    if turn > self._written:  # else a later save is already in the file
                        _replace(path, text)
                        self._written = turn
            except BaseException as exc:
                done.set_exception(exc)
            else:
                done.set_result(None)

        WORKERS.run(write)
        return done

    def find(self, lesson_id: str) -> Lesson | None:
        return next((x for x in self.lessons if x.id == str(lesson_id).strip()), None)

    def apply(self, ops: list[dict[str, Any]]) -> list[str]:
        """One reflection round: age every weight, then apply up to MAX_OPS operations;
        returns what was done, one line each."""
        self.round += 1
        before = [x.id for x in self.lessons]
        done = self._apply(ops)
        after = [x.id for x in self.lessons]
        self.churn = Churn(tuple(i for i in after if i not in before),
                           tuple(i for i in before if i not in after))
        return done

    def _apply(self, ops: list[dict[str, Any]]) -> list[str]:
        for aged in self.lessons:
            aged.score = aged.weight * DECAY
        done: list[str] = []
        for op in ops[:MAX_OPS]:
            kind = str(op.get("op", "")).lower()
            if kind == "add":
                done.append(self._add(str(op.get("text", ""))))
                continue
            lesson = self.find(str(op.get("id", "")))
            if lesson is None:
                continue
            if kind in ("helpful", "strengthen"):
                lesson.vote(1)
                done.append(f"+ {lesson.id}")
            elif kind in ("harmful", "weaken"):
                lesson.vote(-1)
                done.append(f"- {lesson.id}")
            elif kind == "remove":
                self.lessons.remove(lesson)
                done.append(f"removed {lesson.id}")
        self.lessons = [x for x in self.lessons if x.harmful < x.helpful + 3]
        while len(self.lessons) > self.limit and self._evict() is not None:
            pass  # a playbook saved under a larger limit
        return [d for d in done if d]

    def _add(self, text: str) -> str:
        text = " ".join(text.split())[:MAX_TEXT]
        if len(text) < 8 or self.limit <= 0:
            return ""
        for lesson in self.lessons:  # a repeated lesson strengthens the one we have
            if difflib.SequenceMatcher(None, _norm(lesson.text), _norm(text)).ratio() > 0.8:
                lesson.vote(1)
                return f"+ {lesson.id} (repeated)"
        evicted = None
        if len(self.lessons) >= self.limit:
            evicted = self._evict()
            if evicted is None:
                return "declined: every lesson is still new"
        lesson = Lesson(f"L{self.next_id}", text, helpful=1, born=self.round, score=1.0)
        self.next_id += 1
        self.lessons.append(lesson)
        return f"added {lesson.id}" + (f" (evicted {evicted.id})" if evicted else "")

    def _evict(self) -> Lesson | None:
        """Drop the weakest lesson past its grace rounds (among equals the oldest); None when
        every lesson is still in its grace rounds."""
        old = [x for x in self.lessons if self.round - x.born > GRACE]
        if not old:
            return None
        weakest = min(old, key=lambda x: (x.weight, int(x.id[1:] or 0)))
        self.lessons.remove(weakest)
        return weakest

    def text(self) -> str:
        ranked = sorted(self.lessons, key=lambda x: -x.weight)
        return "\n".join(f"- [{x.id} +{x.helpful}/-{x.harmful}] {x.text}" for x in ranked)


def parse_ops(answer: str) -> list[dict[str, Any]]:
    """The operations in a reflection answer (JSON, fenced or not); [] when there are none."""
    for candidate in _json_candidates(answer):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        ops = data.get("ops") if isinstance(data, dict) else data
        if isinstance(ops, list):
            return [op for op in ops if isinstance(op, dict)]
    return []


def _json_candidates(answer: str) -> list[str]:
    fenced = re.findall(r"```(?:json)?\s*\n(.*?)```", answer, re.DOTALL)
    out = [*fenced, answer.strip()]
    start, end = answer.find("{"), answer.rfind("}")
    if 0 <= start < end:
        out.append(answer[start:end + 1])
    start, end = answer.find("["), answer.rfind("]")
    if 0 <= start < end:
        out.append(answer[start:end + 1])
    return out


def reflection_prompt(attempt: Attempt, history: list[Attempt], playbook: Playbook,
                      goal: str, direction: Direction) -> str:
    parent = next((a for a in history if a.id == attempt.parent), None)
    gain = fmt_gain(direction.gain(attempt.score, parent.score if parent else None))
    lines = [
        f"Goal: {goal} (score: {direction.wording})",
        f"Attempt #{attempt.id} (parent #{attempt.parent}): {attempt.hypothesis or '(none)'}",
        f"Outcome: {attempt.status.value}"
        + (f", score {attempt.score:g}" if attempt.score is not None else "")
        + (f", {gain} against its parent (+ is better)" if gain else ""),
    ]
    if attempt.status in (Status.FAILED, Status.REJECTED):
        lines.append(f"Failed at stage {attempt.stage or '?'}: {attempt.reason}")
        tail = "\n".join(attempt.log_tail.strip().splitlines()[-12:])
        if tail:
            lines.append("Log tail:\n" + tail)
    elif attempt.reason:
        lines.append(f"Note: {attempt.reason}")
    lines.append("Current lessons:\n" + (playbook.text() or "(none yet)"))
    return "\n".join(lines)


def playbook_path(hone_dir: Path, run: str) -> Path:
    """Where a run's playbook lives: `.hone/lessons/RUN.json`."""
    return hone_dir / "lessons" / f"{run}.json"


def lessons_path(brief_path: Path, run: str) -> Path:
    """The playbook's path from a brief's (`.hone/briefs/RUN/ID.md`)."""
    return playbook_path(brief_path.parent.parent.parent, run)


LESSONS_TITLE = "Lessons learnt in this run ([id +helpful/-harmful])"


def lessons_section(text: str) -> Section | None:
    """The playbook's text as a brief section (None when there is no lesson yet)."""
    text = text.strip()
    return Section(SectionKind.LESSONS, LESSONS_TITLE, tuple(text.splitlines())) if text else None


def brief_sections(hone_dir: Path, run: str) -> list[Section]:
    """The lessons as a section of the brief of `ask` and `agent` ([] when there are none)."""
    section = lessons_section(Playbook(playbook_path(hone_dir, run)).text())
    return [section] if section else []


def playbook_line(hone_dir: Path, run: str) -> str:
    """The playbook's size and churn for `hone show`: 'playbook: 6 lessons after 14 rounds
    (round 14 added L19, L20; dropped L7)'; '' when the run has no playbook."""
    path = playbook_path(hone_dir, run)
    if not path.exists():
        return ""
    book = Playbook(path)
    added, dropped = book.churn.added, book.churn.dropped
    churn = "; ".join(filter(None, (
        f"added {len(added)} ({', '.join(added)})" if added else "",
        f"dropped {len(dropped)} ({', '.join(dropped)})" if dropped else ""))) or "no change"
    return (f"playbook: {len(book.lessons)} lessons after {book.round} round(s), "
            f"{book.next_id - 1} ever added; round {book.round}: {churn}")


def read_lessons(hone_dir: Path, run: str) -> list[dict[str, Any]]:
    """The run's lessons, strongest first, for `hone show` and briefs ([] when none)."""
    book = Playbook(playbook_path(hone_dir, run))
    return [asdict(x) for x in sorted(book.lessons, key=lambda x: -x.weight)]
