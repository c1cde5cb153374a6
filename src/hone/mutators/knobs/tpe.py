"""Knob values proposed by Optuna's TPE sampler, from the run's journal alone.

Each proposal builds a fresh in-memory study, replays as its trials every attempt of the
history whose knob values the journal tells (`notes["knobs"]`, written by the classic mutator
with the values it proposed, and `notes["knobs_parent"]` with those of the parent it started
from, so that the baseline and other attempts it built on count too) and the parent (whose
values are those in its worktree), then asks for the next values. The
sampler's seed comes from the run and the attempt id, so a resumed run proposes what an
uninterrupted one would have: no state lives outside the journal.

How attempts become trials: a measured attempt (kept, discarded, held, the baseline) is a
trial with its score; one that failed (build, gate, crash, timeout), broke a rule or was vetoed
is a trial with the worst score measured so far, so that TPE steers away from its values (an
attempt stopped by the user or by hone itself counts for nothing); one still running is a
running trial (TPE's constant liar keeps parallel slots apart); duplicates are already there
as their original. Trials over other knobs than today's, or outside today's ranges, are left
out.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hone.direction import Direction
from hone.mutators.knobs.marks import Knob
from hone.records import Attempt, Status

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution

NOTE = "knobs"  # the attempt's notes key: {knob key: value written}
PARENT_NOTE = "knobs_parent"  # the same for the parent it started from
STARTUP_TRIALS = 5  # random proposals before TPE models the history
MAX_ASKS = 20  # asks before giving up on finding an untried configuration

_MEASURED = frozenset({Status.BASELINE, Status.KEPT, Status.DISCARDED, Status.HELD})
_BAD = frozenset({Status.FAILED, Status.REJECTED, Status.VETOED})
_NOT_ITS_FAULT = frozenset({"interrupted", "internal"})  # stages that say nothing of values

Values = dict[str, int | float]


@dataclass(frozen=True)
class Trial:
    """One configuration of the knobs and what it scored; `score` None while it runs."""

    values: Values
    score: float | None
    running: bool = False


class NothingNew(Exception):
    """TPE kept proposing configurations that were tried already."""


def trials_from_history(history: list[Attempt], parent: Attempt, knobs: list[Knob],
                        direction: Direction) -> list[Trial]:
    """The trials the journal holds for these knobs, oldest first (see the module's rules);
    scores are oriented (larger is better, `Direction.oriented`)."""
    attempts = {a.id: a for a in history}
    attempts.setdefault(parent.id, parent)
    known = _known_values(list(attempts.values()), parent, knobs)
    measured: list[Trial] = []
    bad: list[Values] = []
    running: list[Values] = []
    for attempt in sorted(attempts.values(), key=lambda a: a.id):
        values = known.get(attempt.id)
        if values is None:
            continue
        if attempt.status in _MEASURED and _finite(attempt.score):
            measured.append(Trial(values, direction.oriented(attempt.score or 0.0)))
        elif attempt.status in _BAD and attempt.stage not in _NOT_ITS_FAULT:
            bad.append(values)
        elif attempt.status is Status.RUNNING:
            running.append(values)
    worst = min((t.score for t in measured if t.score is not None), default=None)
    return (measured + [Trial(v, worst) for v in bad if worst is not None]
            + [Trial(v, None, running=True) for v in running])


def _known_values(attempts: list[Attempt], parent: Attempt, knobs: list[Knob]
                  ) -> dict[int, Values]:
    """Each attempt's knob values, where the journal tells them: its own note, or the note of
    a child proposed by TPE (`PARENT_NOTE`, so the baseline stays a trial), or, for the parent,
    its worktree. Values over other knobs than these, or out of their ranges, are left out."""
    found: dict[int, object] = {parent.id: {k.key: k.value for k in knobs}}
    for attempt in attempts:
        if attempt.parent is not None and PARENT_NOTE in attempt.notes:
            found.setdefault(attempt.parent, attempt.notes[PARENT_NOTE])
    for attempt in attempts:
        if NOTE in attempt.notes:
            found[attempt.id] = attempt.notes[NOTE]
    out = {}
    for attempt_id, noted in found.items():
        values = _checked(noted, knobs)
        if values is not None:
            out[attempt_id] = values
    return out


def _checked(noted: object, knobs: list[Knob]) -> Values | None:
    """`noted` as values of exactly these knobs, each within its range; else None."""
    if not isinstance(noted, dict) or set(noted) != {k.key for k in knobs}:
        return None
    values: Values = {}
    for knob in knobs:
        value = noted[knob.key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not knob.contains(value):
            return None
        values[knob.key] = value
    return values


def _finite(score: float | None) -> bool:
    return score is not None and math.isfinite(score)


def seed_for(run: str, attempt_id: int) -> int:
    """The sampler's seed of one attempt: the same on every machine and after a resume."""
    digest = hashlib.sha256(f"{run}:{attempt_id}:tpe".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def suggest(knobs: list[Knob], trials: list[Trial], seed: int) -> Values:
    """The next values for the knobs: TPE's proposal after replaying `trials`, one that no
    trial holds yet (a repeat is told its known score and TPE asked again). Raises NothingNew
    after `MAX_ASKS` repeats."""
    import optuna  # heavy (about 0.7 s): only when a run tunes knobs

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = {k.key: _distribution(k) for k in knobs}
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=STARTUP_TRIALS,
                                         multivariate=True, constant_liar=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    known: dict[tuple[float, ...], Trial] = {}
    for trial in trials:
        state = (optuna.trial.TrialState.RUNNING if trial.running
                 else optuna.trial.TrialState.COMPLETE)
        study.add_trial(optuna.trial.create_trial(
            params=dict(trial.values), distributions=space, value=trial.score, state=state))
        known[_point(knobs, trial.values)] = trial
    for _ in range(MAX_ASKS):
        asked = study.ask(space)
        values: Values = {k.key: _typed(k, asked.params[k.key]) for k in knobs}
        seen = known.get(_point(knobs, values))
        if seen is None:
            return values
        if seen.score is None:
            study.tell(asked, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(asked, seen.score)
    raise NothingNew(f"TPE proposed only tried configurations in {MAX_ASKS} asks")


def _distribution(knob: Knob) -> BaseDistribution:
    from optuna.distributions import FloatDistribution, IntDistribution

    if knob.is_int:
        return IntDistribution(int(knob.low), int(knob.high), log=knob.log)
    return FloatDistribution(knob.low, knob.high, log=knob.log)


def _typed(knob: Knob, value: float) -> int | float:
    """The value as the file will hold it (an int, or a float of 6 significant digits)."""
    text = knob.text(value)
    return int(text) if knob.is_int else float(text)


def _point(knobs: list[Knob], values: Values) -> tuple[float, ...]:
    return tuple(float(values[k.key]) for k in knobs)
