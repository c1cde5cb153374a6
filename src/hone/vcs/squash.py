"""`hone best --squash`: the champion's lineage rewritten as a clean history to merge.

`ideas`: one commit per kept idea on the path from the baseline to the champion, in order, each
with its hypothesis and measured gain as the message (attempts on the path that were not kept,
e.g. a near-miss a population strategy built on, fold into the next kept idea). `one`: a single
commit with a summary table. Either way the last commit's tree is the champion's tree and the
first commit's parent is the baseline commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hone.direction import Direction, fmt_gain
from hone.errors import UsageError
from hone.flags import flags
from hone.records import Attempt, Status
from hone.table import cut
from hone.vcs.git import Repo, git

SquashMode = Literal["ideas", "one"]


@dataclass(frozen=True)
class Idea:
    """A kept attempt on the lineage and the attempts folded into it."""

    attempt: Attempt
    folded: tuple[Attempt, ...]
    before: float | None  # the score it improved on


def lineage(history: Sequence[Attempt], champion: Attempt) -> list[Attempt]:
    """The attempts from the baseline (excluded) to the champion (included), oldest first."""
    by_id = {a.id: a for a in history}
    chain: list[Attempt] = []
    a: Attempt | None = champion
    while a is not None and a.id != 0:
        chain.append(a)
        a = by_id.get(a.parent) if a.parent is not None else None
    return chain[::-1]


def ideas(history: Sequence[Attempt], champion: Attempt) -> list[Idea]:
    baseline = next(a for a in history if a.id == 0)
    out: list[Idea] = []
    pending: list[Attempt] = []
    before = baseline.score
    for a in lineage(history, champion):
        if a.status is Status.KEPT or a.id == champion.id:
            out.append(Idea(a, tuple(pending), before))
            before, pending = a.score, []
        else:
            pending.append(a)
    return out


def _change(before: float | None, after: float | None, direction: Direction) -> str:
    """'score 3 -> 4 (+33.33%)', the gain signed so that + is better whatever the direction."""
    if before is None or after is None:
        return "score unknown"
    gain = fmt_gain(direction.gain(after, before))
    return f"score {before:.6g} -> {after:.6g}" + (f" ({gain})" if gain else "")


def _cost(a: Attempt) -> str:
    added, removed = a.code.lines_added, a.code.lines_removed
    return f"+{added}/-{removed} lines" if added is not None else ""


def idea_message(run: str, idea: Idea, direction: Direction) -> str:
    a = idea.attempt
    title = " ".join(a.hypothesis.split()) or f"attempt #{a.id}"
    subject = cut(title, 72)  # at a word; the whole hypothesis then opens the body
    runs = a.decision.evidence.get("runs") if a.decision is not None else None
    body = [title if subject != title else "", _change(idea.before, a.score, direction)
            + (f", measured over {runs} run(s)" if runs else "")
            + (f"; {_cost(a)}" if _cost(a) else ""),
            f"kept because: {a.reason}" if a.reason else "",
            *[f"flag: {f}" for f in flags(a)],
            *[f"includes #{f.id}: {' '.join(f.hypothesis.split())}" for f in idea.folded],
            f"hone run {run}, attempt #{a.id} ({a.mutator}), commit {a.commit}"]
    return subject + "\n\n" + "\n".join(line for line in body if line) + "\n"


def summary_message(run: str, baseline: Attempt, champion: Attempt, found: list[Idea],
                    direction: Direction) -> str:
    lines = [f"hone run {run}: {_change(baseline.score, champion.score, direction)}", "",
             f"{len(found)} kept idea(s) from the baseline ({baseline.commit}) to "
             f"champion #{champion.id}:", "",
             "| # | idea | score | gain | lines |", "|---|---|---|---|---|"]
    for idea in found:
        a = idea.attempt
        gain = fmt_gain(direction.gain(a.score, idea.before))
        hyp = cut(a.hypothesis, 100).replace("|", "/")
        lines.append(f"| {a.id} | {hyp} | {a.score:.6g} | {gain} | {_cost(a)} |"
                     if a.score is not None else f"| {a.id} | {hyp} | | | {_cost(a)} |")
    flagged = [f"- #{i.attempt.id}: {f}" for i in found for f in flags(i.attempt)]
    return "\n".join(lines + (["", "Flags:", *flagged] if flagged else [])) + "\n"


def squash(repo: Repo, run: str, history: Sequence[Attempt], champion: Attempt,
           mode: SquashMode, direction: Direction) -> str:
    """Write the commits (no branch yet) and return the last one."""
    baseline = next(a for a in history if a.id == 0)
    if champion.id == 0 or champion.commit is None or baseline.commit is None:
        raise UsageError("the champion is the baseline: there is nothing to squash")
    found = ideas(history, champion)
    if mode == "one":
        return _commit(repo, champion.commit, baseline.commit,
                       summary_message(run, baseline, champion, found, direction))
    parent = baseline.commit
    for idea in found:
        assert idea.attempt.commit is not None
        parent = _commit(repo, idea.attempt.commit, parent, idea_message(run, idea, direction))
    return parent


def _commit(repo: Repo, tree_of: str, parent: str, message: str) -> str:
    return git("commit-tree", f"{tree_of}^{{tree}}", "-p", parent, "-F", "-", cwd=repo.root,
               input=message)
