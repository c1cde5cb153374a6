"""`hone retry`: verify the change of a failed or rejected attempt again, as a new attempt.

A flaky gate or a timeout on a loaded machine should not end an idea for good. The new attempt
has the same parent(s) and the same change (its own commit, with the same tree), records
`retry_of`, and goes through the loop's usual steps (`asktell.evaluate`: commit, path rules,
verify, decide, record); only the duplicate check is skipped, since repeating the change is the
point. A change that was measured (kept, discarded, held, vetoed) is not retried: measuring it
again until noise favours it is what the decisions guard against.
"""

from __future__ import annotations

from dataclasses import replace

from hone.errors import UsageError
from hone.loop.asktell import evaluate
from hone.loop.engine import Engine
from hone.mutators.base import Proposal
from hone.records import Attempt, Status
from hone.vcs.git import git


def refusal(attempt: Attempt) -> str:
    """Why `attempt` cannot be retried, in one line; '' when it can."""
    which = f"attempt #{attempt.id}"
    if attempt.status is Status.DUPLICATE:
        return (f"{which} is a duplicate and was never verified; retry the attempt it "
                f"repeats ({attempt.reason})")
    if attempt.status not in (Status.FAILED, Status.REJECTED):
        return (f"{which} is {attempt.status.value}: only a failed or rejected attempt can be "
                "retried")
    if attempt.commit is None or attempt.parent is None:
        return f"{which} has no change to verify (it failed at {attempt.stage or 'propose'})"
    return ""


def retry_slot(run: str) -> str:
    """The worktree where a retry's change is committed (removed afterwards)."""
    return f"retry-{run}"


def retry(engine: Engine, attempt_id: int) -> Attempt:
    """Verify attempt `attempt_id`'s change again as a new attempt (`retry_of` it), decided
    like any other; the new attempt as recorded. UsageError when it cannot be retried."""
    engine.info()  # a run that does not exist is an error, not one to start
    engine.start()  # resume: a crash may have left attempts or refs to put in order
    original = engine.get(attempt_id)
    problem = refusal(original)
    if problem:
        raise UsageError(problem)
    assert original.parent is not None and original.commit is not None
    parent = engine.get(original.parent)
    if parent.commit is None:
        raise UsageError(f"attempt #{attempt_id}'s parent #{parent.id} has no commit")
    attempt = engine.open_attempt(
        engine.store.free_attempt_id(engine.run), parent, original.mutator,
        parent2=engine.get(original.parent2) if original.parent2 is not None else None,
        hints=original.hints)
    attempt = replace(attempt, retry_of=original.id, hypothesis=original.hypothesis)
    engine.store.put_attempt(attempt)
    slot = retry_slot(engine.run)
    workdir = engine.ws.worktrees(engine.run).checkout(slot, original.commit)
    try:
        # The original's files on top of the parent: committing them makes the same change.
        git("reset", "--quiet", "--soft", parent.commit, cwd=workdir)
        return evaluate(engine, attempt, slot, Proposal(original.hypothesis))
    except BaseException as exc:
        engine.abandon(attempt.id, exc)
        raise
    finally:
        engine.ws.worktrees(engine.run).remove(slot)
