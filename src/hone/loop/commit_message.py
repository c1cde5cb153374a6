"""The git commit message of an attempt (`refs/hone/<run>/<id>`)."""

from __future__ import annotations

from hone.records import Attempt


def commit_message(attempt: Attempt) -> str:
    """The commit message of an attempt: its hypothesis' first line, then its parents and
    mutator as trailers."""
    hypothesis = attempt.hypothesis.strip() or "(no hypothesis)"
    return f"hone {attempt.run} #{attempt.id}: {hypothesis.splitlines()[0][:200]}\n\n" \
           f"Parent: #{attempt.parent}\n" \
           + (f"Parent2: #{attempt.parent2}\n" if attempt.parent2 is not None else "") \
           + f"Mutator: {attempt.mutator}\n"
