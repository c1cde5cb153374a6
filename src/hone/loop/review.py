"""A person's word on a run after the loop: `hone approve` and `hone veto`.

Contracts:
- `approve`: a `held` attempt becomes `kept`. It becomes the champion when its score is
  strictly better than the current champion's score (a plain comparison of the recorded
  scores; no re-measurement: it already beat the champion of its time beyond noise).
- `veto`: a `kept` or `held` attempt becomes `vetoed`. Every attempt that descends from it (by
  `parent` or `parent2`, at any depth) is marked tainted: its status is left as it was, its
  `review` says `tainted` with the vetoed ancestor as `source`, and it is never a champion or
  a parent again. When the champion was the vetoed attempt or a descendant, the champion falls
  back to the best-scored attempt that is the baseline or kept, neither vetoed nor tainted.
- Both move `refs/hone/<run>/best` with the champion, write who (the login) and when on the
  attempt (`Attempt.review`) and append the same to the run's `reviews` ledger (run meta).
- Both are the user's alone: refused while a run holds the repository's lock (UsageError,
  exit 2) and from inside a hone job or proposer (the variables hone sets there); the MCP
  server does not offer them.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from hone.direction import Direction
from hone.errors import RunLocked, UsageError
from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.records import Attempt, Review, ReviewAction, Status
from hone.vcs import refs

# What hone sets for the commands it runs and the proposers it starts: none of them may decide.
JOB_VARIABLES = ("HONE_ATTEMPT", "HONE_SEED", "HONE_BRIEF", "HONE_WORKDIR", "HONE_SLOT")


@dataclass(frozen=True)
class ReviewResult:
    """What a review did: the attempt after it, the champion before and after, the attempts
    it tainted."""

    attempt: Attempt
    champion_before: Attempt
    champion: Attempt
    tainted: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        a = self.attempt
        return {"id": a.id, "status": a.status.value, "score": a.score,
                "review": a.review.to_json() if a.review else None,
                "champion": {"id": self.champion.id, "score": self.champion.score},
                "champion_before": {"id": self.champion_before.id,
                                    "score": self.champion_before.score},
                "tainted": list(self.tainted)}


def approve(ws: Workspace, run: str, attempt_id: int, note: str = "") -> ReviewResult:
    """Approve held attempt `attempt_id` of `run` (see the module's contract)."""
    with _locked(ws, run):
        view = RunView(ws, run)
        a = view.get(attempt_id)
        if a.status is not Status.HELD:
            raise UsageError(f"#{a.id} is {a.status.value}, not held: there is nothing to "
                             "approve")
        if a.tainted:
            raise UsageError(f"#{a.id} descends from vetoed #{_source(a)}: it cannot be kept")
        before = view.champion()
        done = replace(a, status=Status.KEPT, review=_review(ReviewAction.APPROVED, a, note),
                       reason=f"approved after it was {a.reason or 'held'}")
        view.store.put_attempt(done)
        direction = ws.config.objective.direction
        better = (done.score is not None and before.score is not None
                  and direction.better(done.score, before.score))
        champion = crown(view, done) if better or before.score is None else before
        _ledger(view, done, before, champion, ())
        return ReviewResult(done, before, champion)


def veto(ws: Workspace, run: str, attempt_id: int, note: str = "") -> ReviewResult:
    """Veto kept or held attempt `attempt_id` of `run` (see the module's contract)."""
    with _locked(ws, run):
        view = RunView(ws, run)
        a = view.get(attempt_id)
        if a.status not in (Status.KEPT, Status.HELD):
            raise UsageError(f"#{a.id} is {a.status.value}: only a kept or held attempt can "
                             "be vetoed")
        before = view.champion()
        done = replace(a, status=Status.VETOED, review=_review(ReviewAction.VETOED, a, note))
        view.store.put_attempt(done)
        history = view.history()
        tainted = descendants(history, a.id)
        for d in history:
            if d.id in tainted and not d.tainted and d.status is not Status.VETOED:
                view.store.put_attempt(replace(d, review=_review(
                    ReviewAction.TAINTED, d, note, source=a.id)))
        champion = before
        if before.id == a.id or before.id in tainted:
            champion = crown(view, fallback(view.history(), ws.config.objective.direction))
        _ledger(view, done, before, champion, tuple(sorted(tainted)))
        return ReviewResult(done, before, champion, tuple(sorted(tainted)))


def descendants(history: Iterable[Attempt], root: int) -> set[int]:
    """The ids of every attempt that has `root` among its ancestors (parent or parent2)."""
    found: set[int] = set()
    for a in sorted(history, key=lambda x: x.id):  # parents have smaller ids
        if any(p is not None and (p == root or p in found) for p in (a.parent, a.parent2)):
            found.add(a.id)
    return found


def fallback(history: list[Attempt], direction: Direction) -> Attempt:
    """The best-scored attempt that may be champion: the baseline or a kept attempt, not
    tainted; among equal scores the older."""
    able = [a for a in history if (a.id == 0 or a.status is Status.KEPT) and not a.tainted
            and a.commit is not None]
    return min(able, key=lambda a: (direction.key(a.score), a.id))


def crown(view: RunView, champion: Attempt) -> Attempt:
    """Make `champion` the run's champion: the run's record and `refs/hone/<run>/best`."""
    assert champion.commit is not None
    view.store.update_run(view.run, champion=champion.id)
    view.ws.repo.set_ref(refs.best_ref(view.run), champion.commit)
    return champion


def _review(action: ReviewAction, a: Attempt, note: str, source: int | None = None) -> Review:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        who = str(os.getuid())
    return Review(action, who, time.time(), a.status.value, source, note)


def _source(a: Attempt) -> int | None:
    return a.review.source if a.review is not None else None


def _ledger(view: RunView, a: Attempt, before: Attempt, after: Attempt,
            tainted: tuple[int, ...]) -> None:
    """Append the review to the run's `reviews` list (run meta): the journal's record of it."""
    assert a.review is not None
    entry = {**a.review.to_json(), "id": a.id, "champion_before": before.id,
             "champion_after": after.id, "tainted": list(tainted)}
    past = view.info().meta.get("reviews")
    view.store.update_run(view.run, meta={"reviews": [*(past if isinstance(past, list)
                                                        else []), entry]})


@contextmanager
def _locked(ws: Workspace, run: str) -> Iterator[None]:
    """The repository's lock for a review; a one-line usage error while a run holds it or
    when called from inside a hone job."""
    inside = [name for name in JOB_VARIABLES if os.environ.get(name)]
    if inside:
        raise UsageError(f"approve and veto are a person's decision: refused inside a hone "
                         f"job or proposer ({inside[0]} is set)")
    try:
        lock = ws.lock(run)
    except RunLocked:
        raise UsageError(f"run {run!r} is in use by another hone process: approve or veto "
                         "once it stops") from None
    try:
        yield
    finally:
        lock.release(force=True)
