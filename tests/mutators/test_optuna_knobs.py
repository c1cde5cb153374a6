"""Knobs (`# hone: knob LOW..HIGH [log]`) proposed by Optuna's TPE from the journal: marks,
ranges, the replay of the history as trials, resume, and a short real `hone run`."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.config.load import parse_config
from hone.direction import Direction
from hone.mutators.base import MutatorExhausted, ProposalContext
from hone.mutators.classic import ClassicMutator
from hone.mutators.knobs import tpe
from hone.mutators.knobs.marks import Knob, KnobError, find_knobs
from hone.mutators.knobs.sites import Site
from hone.records import Attempt, Status
from hone.store.base import RunInfo
from hone.store.sqlite import SQLiteStore
from tests.conftest import MakeRepo

KNOBS = ("LR = 0.1  # hone: knob 1e-5..1 log\n"
         "MOMENTUM = 0.5  # hone: knob 0..0.99\n"
         "WIDTH = 32  # hone: knob 4..1024 log\n"
         "OFFSET = -2.5  # hone: knob -10..10\n")
OPTIMUM = {"LR": 0.003, "MOMENTUM": 0.9, "WIDTH": 200.0, "OFFSET": 1.0}


def values(text: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"(\w+) = (\S+)", text)}


def score(text: str) -> float:
    return -sum((v - OPTIMUM[k]) ** 2 / (1.0 + OPTIMUM[k] ** 2) for k, v in values(text).items())


class Session:
    """The classic mutator driven as the greedy loop drives it, with the journal in SQLite and
    a dict of file texts standing in for the attempts' commits."""

    def __init__(self, root: Path, search: str = "tpe", run: str = "main") -> None:
        self.root, self.run = root, run
        self.config = parse_config({"objective": {"run": "true"},
                                    "mutator": {"search": search}})
        self.workdir = root / "wt"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.store = SQLiteStore(root / "journal.db")
        self.texts: dict[int, str] = {0: KNOBS}
        self.made: list[Attempt] = []  # this session's attempts as it made them, in memory
        if self.store.get_run(run) is None:
            self.store.create_run(RunInfo(run, "c0", 0, 0.0))
            self.store.put_attempt(Attempt(run, 0, None, "c0", Status.BASELINE,
                                           score=score(KNOBS)))

    def history(self) -> list[Attempt]:
        return self.store.list_attempts(self.run)

    def remembered(self) -> list[Attempt]:
        """The history as an uninterrupted session holds it: never read back."""
        return [self.history()[0], *self.made]

    def champion(self) -> Attempt:
        measured = [a for a in self.history() if a.status in (Status.BASELINE, Status.KEPT)]
        return max(measured, key=lambda a: a.score or 0.0)

    def propose(self, attempt_id: int, history: list[Attempt] | None = None,
                run: str = "") -> tuple[str, dict[str, object]]:
        """The file attempt `attempt_id` proposes from the champion, and its notes."""
        champion = self.champion()
        (self.workdir / "knobs.py").write_text(self.texts[champion.id])
        ctx = ProposalContext(run or self.run, attempt_id, champion, champion,
                              self.history() if history is None else history,
                              self.config, self.workdir, "", self.workdir / "brief.md",
                              ["knobs.py"])
        proposal = ClassicMutator.from_config(self.config).propose(ctx)
        return (self.workdir / "knobs.py").read_text(), proposal.notes

    def step(self, status: Status | None = None) -> Attempt:
        """One attempt, measured and decided (kept when strictly better), or given `status`."""
        attempt_id = len(self.history())
        text, notes = self.propose(attempt_id)
        champion = self.champion()
        self.texts[attempt_id] = text
        value = score(text)
        decided = status or (Status.KEPT if value > (champion.score or 0.0)
                             else Status.DISCARDED)
        attempt = Attempt(self.run, attempt_id, champion.id, f"c{attempt_id}", decided,
                          score=value if decided in (Status.KEPT, Status.DISCARDED) else None,
                          mutator="classic", notes=notes,
                          stage="gate" if decided is Status.FAILED else "")
        self.store.put_attempt(attempt)
        self.made.append(attempt)
        return attempt


def test_knob_marks_give_ranges_types_names_and_signs(tmp_path: Path) -> None:
    (tmp_path / "knobs.py").write_text(KNOBS + "OTHER = 7\n")
    (tmp_path / "cpu.v").write_text("localparam DEPTH = 16; // hone: knob 2..64 log\n")
    knobs = find_knobs(tmp_path, ["knobs.py", "cpu.v"])
    assert [(k.key, k.name, k.site.text, k.low, k.high, k.log, k.is_int) for k in knobs] == [
        ("knobs.py:1", "LR", "0.1", 1e-5, 1.0, True, False),
        ("knobs.py:2", "MOMENTUM", "0.5", 0.0, 0.99, False, False),
        ("knobs.py:3", "WIDTH", "32", 4.0, 1024.0, True, True),
        ("knobs.py:4", "OFFSET", "-2.5", -10.0, 10.0, False, False),
        ("cpu.v:1", "DEPTH", "16", 2.0, 64.0, True, True)]
    assert knobs[2].text(3000.4) == "1024" and knobs[0].text(1e-9) == "1e-05"


@pytest.mark.parametrize(("line", "problem"), [
    ("X = 1  # hone: knob 1 to 2", "reads 'hone: knob LOW..HIGH"),
    ("X = f(1, 2)  # hone: knob 0..3", "exactly one numeric literal (found 2)"),
    ("X = 5  # hone: knob 9..3", "LOW < HIGH"),
    ("X = 0.5  # hone: knob 0..1 log", "above 0"),
    ("X = 5  # hone: knob 0.5..10", "int bounds"),
    ("X = 5  # hone: knob 1..10 cubic", "unknown knob flag 'cubic'"),
])
def test_a_bad_mark_is_one_line_naming_the_line(tmp_path: Path, line: str,
                                                problem: str) -> None:
    (tmp_path / "k.py").write_text("A = 1\n" + line + "\n")
    with pytest.raises(KnobError, match=re.escape(problem)) as err:
        find_knobs(tmp_path, ["k.py"])
    assert str(err.value).startswith("k.py:2: ")
    session_dir = tmp_path / "s"
    session_dir.mkdir()
    (session_dir / "k.py").write_text(line + "\n")
    config = parse_config({"objective": {"run": "true"}})
    base = Attempt("r", 0, None, "c0", Status.BASELINE, score=1.0)
    ctx = ProposalContext("r", 1, base, base, [base], config, session_dir, "",
                          session_dir / "b.md", ["k.py"])
    with pytest.raises(MutatorExhausted, match=re.escape(problem)):
        ClassicMutator().propose(ctx)


def test_tpe_proposals_set_every_knob_within_its_range(tmp_path: Path) -> None:
    session = Session(tmp_path)
    for _ in range(14):
        attempt = session.step()
        text = session.texts[attempt.id]
        assert attempt.notes["search"] == "tpe"
        (tmp_path / "check.py").write_text(text)
        found = find_knobs(tmp_path, ["check.py"])
        assert [k.site.text for k in found] != ["0.1", "0.5", "32", "-2.5"]
        for knob in found:
            assert knob.contains(knob.value), (knob, text)
        assert isinstance(found[2].value, int)
        noted = attempt.notes[tpe.NOTE]
        assert isinstance(noted, dict)
        assert noted == {k.key.replace("check.py", "knobs.py"): k.value for k in found}
    history = session.history()
    assert any(a.status is Status.KEPT for a in history)
    # the texts of the proposals are all different: no configuration is tried twice
    assert len(set(session.texts.values())) == len(session.texts)


def test_resume_from_the_journal_proposes_what_an_uninterrupted_run_would(
        tmp_path: Path) -> None:
    first = Session(tmp_path)
    for _ in range(8):
        first.step()
    first.step(Status.FAILED)
    uninterrupted = first.propose(10, first.remembered())
    assert uninterrupted[1]["search"] == "tpe"
    texts = first.texts
    first.store.close()
    # A new process: a new mutator and store, the history read back from the journal file.
    resumed = Session(tmp_path)
    resumed.texts = texts
    assert resumed.propose(10) == uninterrupted
    # The seed is the run's and the attempt's: another run proposes otherwise.
    assert resumed.propose(10, run="other")[0] != uninterrupted[0]


def knob(key: str, low: float = 0.0, high: float = 10.0) -> Knob:
    path, line = key.split(":")
    return Knob(Site(path, int(line), 4, "1.0"), key, low, high, log=False, is_int=False)


def test_history_becomes_trials_by_status(tmp_path: Path) -> None:
    knobs = [knob("k.py:1")]
    at = {"k.py:1"}

    def attempt(i: int, status: Status, value: float, score: float | None = None,
                stage: str = "") -> Attempt:
        notes = {tpe.NOTE: dict.fromkeys(at, value), tpe.PARENT_NOTE: dict.fromkeys(at, 1.0)}
        return Attempt("r", i, 0, f"c{i}", status, score=score, stage=stage, notes=notes)

    base = Attempt("r", 0, None, "c0", Status.BASELINE, score=5.0)
    history = [base, attempt(1, Status.KEPT, 2.0, 7.0), attempt(2, Status.DISCARDED, 3.0, 4.0),
               attempt(3, Status.FAILED, 4.0, stage="gate"),
               attempt(4, Status.FAILED, 5.0, stage="interrupted"),
               attempt(5, Status.DUPLICATE, 2.0), attempt(6, Status.RUNNING, 6.0),
               attempt(7, Status.KEPT, 11.0, 9.0),  # outside today's range: left out
               Attempt("r", 8, 0, "c8", Status.KEPT, score=8.0, notes={"site": "k.py:1:4"})]
    parent = history[1]
    trials = tpe.trials_from_history(history, parent, knobs, Direction.MAX)
    assert [(t.values["k.py:1"], t.score, t.running) for t in trials] == [
        (1.0, 5.0, False), (2.0, 7.0, False), (3.0, 4.0, False),
        (4.0, 4.0, False),  # a failure counts as the worst measured score
        (6.0, None, True)]
    # minimised: scores turn around, and the worst is then the highest
    trials = tpe.trials_from_history(history, parent, knobs, Direction.MIN)
    assert [t.score for t in trials] == [-5.0, -7.0, -4.0, -7.0, None]


def test_neighbour_search_keeps_knobs_within_their_ranges(tmp_path: Path) -> None:
    session = Session(tmp_path, search="neighbour")
    session.texts[0] = "X = 1.0  # hone: knob 0.95..1.05\nN = 4  # hone: knob 3..5\n"
    seen = set()
    for attempt_id in range(1, 30):
        text, notes = session.propose(attempt_id)
        assert "search" not in notes and "site" in notes
        found = {k.name: k.value for k in _knobs_of(tmp_path, text)}
        seen.add((found["X"], found["N"]))
    # every multiplicative step of X (x0.9 at least) leaves its range: only N moves
    assert seen == {(1.0, 3), (1.0, 5)}


def test_mixed_search_alternates_and_its_steps_feed_tpe(tmp_path: Path) -> None:
    session = Session(tmp_path, search="mixed")
    made = [session.step() for _ in range(12)]
    steps = [a for a in made if "site" in a.notes]
    assert steps and len(steps) < len(made)
    for step in steps:  # a step records all knobs, before and after: one of them moved
        before, after = step.notes[tpe.PARENT_NOTE], step.notes[tpe.NOTE]
        assert isinstance(before, dict) and isinstance(after, dict)
        assert set(before) == set(after) == {f"knobs.py:{i}" for i in range(1, 5)}
        assert sum(before[k] != after[k] for k in before) == 1
    knobs = _knobs_of(tmp_path, KNOBS)
    knobs = [replace(k, site=replace(k.site, path="knobs.py")) for k in knobs]
    trials = tpe.trials_from_history(session.history(), made[-1], knobs, Direction.MAX)
    assert len(trials) == 13  # the baseline and every attempt, steps included


def _knobs_of(tmp_path: Path, text: str) -> list[Knob]:
    (tmp_path / "check.py").write_text(text)
    return find_knobs(tmp_path, ["check.py"])


KNOB_REPO = {
    "knob.py": "X = 1.0  # hone: knob 0..10\n",
    "score.py": "from knob import X\nprint(f'score: {100 - (X - 7) ** 2}')\n",
    "hone.toml": ('[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'
                  "[sandbox]\nenabled = false\n")}


def status_of(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["status", "--json", "-C", str(root)]) == 0
    status: dict[str, object] = json.loads(capsys.readouterr().out)
    return status


def test_a_short_hone_run_tunes_a_knob_with_tpe(make_repo: MakeRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(KNOB_REPO)
    assert main(["run", "--mutator", "classic", "--attempts", "4", "-C", str(root)]) == 0
    status: Any = status_of(root, capsys)
    attempts = status["attempts"]
    assert [a["hypothesis"].startswith("tpe trial") for a in attempts[1:]] == [True] * 4
    assert any(a["status"] == "kept" for a in attempts), attempts
    assert status["champion"]["score"] > attempts[0]["score"] == 64.0
    assert main(["show", str(status["champion"]["id"]), "--json", "-C", str(root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["hypothesis"].startswith("tpe trial") and " X " in shown["hypothesis"]
    # the journal holds the values TPE proposed: what a resumed run replays
    value = shown["extra"][tpe.NOTE]["knob.py:1"]
    assert f"+X = {value}  # hone: knob 0..10" in shown["diff"]


@pytest.mark.slow
def test_a_resumed_hone_run_proposes_what_an_uninterrupted_one_does(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """Two sessions of 2 + 3 attempts against one session of 5: the same proposals."""
    whole, split = make_repo(KNOB_REPO, name="whole"), make_repo(KNOB_REPO, name="split")
    assert main(["run", "--mutator", "classic", "--attempts", "5", "-C", str(whole)]) == 0
    assert main(["run", "--mutator", "classic", "--attempts", "2", "-C", str(split)]) == 0
    assert main(["run", "--mutator", "classic", "--attempts", "5", "-C", str(split)]) == 0

    def proposals(root: Path) -> list[tuple[object, ...]]:
        attempts: Any = status_of(root, capsys)["attempts"]
        return [(a["id"], a["parent"], a["status"], a["hypothesis"]) for a in attempts]

    assert proposals(split) == proposals(whole)
    assert len(proposals(whole)) == 6
