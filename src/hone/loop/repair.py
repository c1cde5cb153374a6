"""The repair turn: a candidate that broke gets one more proposal that fixes it.

When attempt k - depth (the newest attempt k may see, loop/scheduler.py) was proposed by a
mutator that repairs (`Mutator.repairs`: the llm's, `[llm] repair`) and failed because its edits
did not apply (stage `edit`), a gate failed or the objective crashed, attempt k is its repair: it
records `repair_of`, its brief says what broke, and its parent is the failed attempt, whose
commit it builds on (one commit per attempt: the fix is a commit on the failed one). Edits that
did not apply committed nothing; their repair starts from the failed attempt's own parent. A
repair or a retry is never repaired and a failed attempt is looked at once (by attempt id +
depth), so it has at most one repair. A pure function of what attempt k may see: a resumed or a
parallel run repairs the same attempts as an uninterrupted serial one would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hone.config.model import Config
from hone.loop.outcome import telling_line
from hone.loop.view import RunView
from hone.mutators.base import Mutator
from hone.records import Attempt, Hints, Status
from hone.sections import Section, SectionKind
from hone.strategies.base import Strategy
from hone.strategies.plan import Plan, plan_attempt

# The stages a repair turn fixes, besides every `gate:NAME`: edits that did not apply, an
# objective that crashed or printed no metrics. Not a timeout (the change is slow, not broken),
# nor a constraint (a trade-off, not a bug), nor the proposer's own failures (API, format).
STAGES = ("edit", "objective", "metrics")
# What of the failure the brief quotes: the log's last lines, and the failed change's diff.
LOG_LINES, DIFF_LINES, MAX_CHARS = 25, 80, 4000


def repairable(attempt: Attempt, mutator: str) -> bool:
    """Whether a repair turn of `mutator` fixes `attempt`: that mutator proposed it, it is no
    repair or retry itself, and it failed at a stage of `STAGES` or a gate."""
    return (attempt.status is Status.FAILED and attempt.mutator == mutator
            and attempt.repair_of is None and attempt.retry_of is None
            and (attempt.stage in STAGES or attempt.stage.startswith("gate:")))


@dataclass(frozen=True)
class Turn:
    """The plan of the next attempt, and the failed attempt it repairs (None: a new idea)."""

    plan: Plan
    repair_of: Attempt | None = None


def next_turn(strategy: Strategy, mutator: Mutator, config: Config, visible: list[Attempt],
              champion: Attempt, attempt_id: int, depth: int) -> Turn:
    """Attempt `attempt_id`'s plan from the attempts it may see (`visible`, up to id - depth):
    the repair of attempt id - depth when that one is repairable, else the strategy's plan."""
    failed = next((a for a in visible if a.id == attempt_id - depth), None)
    if mutator.repairs and failed is not None and repairable(failed, mutator.name):
        base = failed if failed.commit is not None else next(
            (a for a in visible if a.id == failed.parent and a.commit is not None), None)
        if base is not None:
            return Turn(Plan(base, hints=Hints(island=failed.hints.island)), failed)
    return Turn(plan_attempt(strategy, config, visible, champion, attempt_id))


def judged_against(view: RunView, attempt: Attempt) -> Attempt:
    """The attempt whose code `attempt`'s change is judged against (rename-only check, audit):
    its parent, but for a repair built on a failed commit the failed attempt's parent, since the
    failed change and its fix reach the champion together."""
    parent = view.get(attempt.parent if attempt.parent is not None else 0)
    if attempt.repair_of is not None and parent.id == attempt.repair_of \
            and parent.parent is not None:
        return view.get(parent.parent)
    return parent


def repaired(view: RunView, attempt: Attempt) -> Attempt | None:
    """The failed attempt `attempt` repairs; None when it is no repair."""
    return view.get(attempt.repair_of) if attempt.repair_of is not None else None


def repair_sections(view: RunView, attempt: Attempt) -> list[Section]:
    """The brief's repair section for a repair (what broke, quoted), [] for any other."""
    failed = repaired(view, attempt)
    if failed is None:
        return []
    idea = f" ({failed.hypothesis})" if failed.hypothesis else ""
    lines = [f"This attempt repairs attempt #{failed.id}{idea}, which failed at stage "
             f"`{failed.stage}`: {_oneline(failed.reason)}."]
    if failed.commit is None:
        lines.append("Its edits did not apply, so nothing changed: the code you see is as it "
                     "was. Make the change again, with SEARCH lines copied exactly from the "
                     "files shown.")
    else:
        lines.append(f"Its change is in the code you see (your starting point is #{failed.id}): "
                     "fix what broke so that the idea can be measured. Keep the idea; undoing "
                     "the change is no repair.")
        told = telling_line(failed.log_tail)
        if told:
            lines += [f"The most telling line: {told}"]
        lines += _quoted("The end of its log:", failed.log_tail, LOG_LINES)
        base = judged_against(view, failed)
        if base.commit is not None:
            diff = view.ws.repo.diff(base.commit, failed.commit)
            lines += _quoted(f"Its change against #{base.id}:", diff, DIFF_LINES, head=True)
    return [Section(SectionKind.REPAIR, f"Repair of attempt #{failed.id}", tuple(lines))]


def _oneline(text: str) -> str:
    return " ".join(text.split())[:600].rstrip(".")


def _quoted(title: str, text: str, most: int, head: bool = False) -> list[str]:
    """`title`, then `text`'s last (or first, `head`) `most` lines indented, within MAX_CHARS."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    if not lines:
        return []
    body = "\n".join(f"    {line}" for line in (lines[:most] if head else lines[-most:]))
    cut = len(lines) > most or len(body) > MAX_CHARS
    body = body[:MAX_CHARS] if head else body[-MAX_CHARS:]
    note = ["    (cut)"] if cut else []
    return [title, *(note if not head else []), body, *(note if head else [])]


@dataclass(frozen=True)
class RepairCounts:
    """A run's repairs: made, passed (got past the failure to be measured), kept."""

    made: int = 0
    passed: int = 0
    kept: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"made": self.made, "passed": self.passed, "kept": self.kept}

    def words(self) -> str:
        """'3 repairs (2 passed, 1 kept)'; '' when none was made."""
        if not self.made:
            return ""
        return (f"{self.made} repair{'s' if self.made != 1 else ''} "
                f"({self.passed} passed, {self.kept} kept)")


MEASURED = (Status.KEPT, Status.DISCARDED, Status.HELD, Status.VETOED)


def repair_counts(attempts: list[Attempt]) -> RepairCounts:
    """How many repairs `attempts` hold, how many passed and how many were kept (running
    repairs count as made only)."""
    repairs = [a for a in attempts if a.repair_of is not None]
    return RepairCounts(len(repairs), sum(1 for a in repairs if a.status in MEASURED),
                        sum(1 for a in repairs if a.status is Status.KEPT))


def repaired_by(attempts: list[Attempt], attempt_id: int) -> int | None:
    """The id of the repair of attempt `attempt_id`; None when it has none."""
    return next((a.id for a in attempts if a.repair_of == attempt_id), None)
