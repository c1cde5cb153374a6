"""The `ablate` mutator: offline simplification by undoing one piece of the run's work.

It splits the champion's difference from the baseline into hunks and reverts one hunk per
attempt, the largest additions first: dead code an earlier attempt added, or a change that no
longer pays, goes away if the score holds. `hone simplify` uses it when no LLM or agent is set.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from hone.mutators.base import MUTATORS, Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.vcs.git import git, run_git

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    """One hunk of the reverse diff (champion -> baseline), with its file header."""

    path: str
    header: str
    body: str
    line: int  # where it starts in the champion's file
    drops: int  # lines of the champion it removes
    restores: int  # lines of the baseline it brings back

    @property
    def key(self) -> str:
        # Line numbers shift as other hunks go; the content identifies the hunk.
        return hashlib.sha1(f"{self.path}\n{self.body.split(chr(10), 1)[-1]}".encode()
                            ).hexdigest()[:16]

    @property
    def patch(self) -> str:
        return self.header + self.body


def reverse_hunks(workdir_diff: str) -> list[Hunk]:
    """Split `git diff -U0 CHAMPION BASELINE` output into hunks."""
    hunks: list[Hunk] = []
    header: list[str] = []
    path = ""
    current: list[str] | None = None
    start = drops = restores = 0

    def flush() -> None:
        if current is not None:
            hunks.append(Hunk(path, "".join(header), "".join(current), start, drops, restores))

    for line in workdir_diff.splitlines(keepends=True):
        if line.startswith("diff --git "):
            flush()
            current, header, path = None, [line], ""
        elif current is None and not line.startswith("@@"):
            header.append(line)
            if line.startswith("--- a/") or (line.startswith("+++ b/") and not path):
                path = line[6:].rstrip("\n")
        elif (m := _HUNK.match(line)) is not None:
            flush()
            current = [line]
            start = int(m.group(1))
            drops = int(m.group(2) if m.group(2) is not None else 1)
            restores = int(m.group(4) if m.group(4) is not None else 1)
        elif current is not None:
            current.append(line)
    flush()
    return hunks


def blocks(hunk: Hunk) -> list[Hunk]:
    """Pure deletions inside `hunk`: each run of the lines it drops that a blank line ends,
    with the blank lines before it, so that one dead function can go while the rest stays."""
    dropped = [line for line in hunk.body.splitlines(keepends=True)[1:] if line.startswith("-")]
    out: list[Hunk] = []
    start = 0
    while start < len(dropped):
        end = start
        while end < len(dropped) and not dropped[end][1:].strip():
            end += 1  # leading blank lines go with the block
        while end < len(dropped) and dropped[end][1:].strip():
            end += 1
        part = dropped[start:end]
        if 0 < len(part) < len(dropped) or (part and hunk.restores):
            first = hunk.line + start
            body = f"@@ -{first},{len(part)} +{first - 1},0 @@\n" + "".join(part)
            out.append(Hunk(hunk.path, hunk.header, body, first, len(part), 0))
        start = end
    return out


@MUTATORS.register("ablate")
class AblateMutator(Mutator):
    name = "ablate"

    def propose(self, ctx: ProposalContext) -> Proposal:
        baseline = next((a for a in ctx.history if a.id == 0), None)
        if baseline is None or baseline.commit is None or ctx.parent.commit is None:
            raise MutatorExhausted("no baseline to ablate towards")
        for hunk in self._untried(ctx, ctx.parent.commit, baseline.commit):
            proc = run_git("apply", "--unidiff-zero", "--whitespace=nowarn", "-",
                           cwd=ctx.workdir, input=hunk.patch)
            if proc.returncode == 0:
                return Proposal(f"simplify: {_describe(hunk)} at {hunk.path}:{hunk.line}",
                                notes={"hunk": hunk.key})
        raise MutatorExhausted("every piece of the champion's change was tried for removal")

    def _untried(self, ctx: ProposalContext, parent: str, baseline: str) -> list[Hunk]:
        """Pieces of the way back from the parent to the baseline not tried from this parent,
        in the order to try them."""
        diff = git("diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames",
                   parent, baseline, "--", *ctx.editable, cwd=ctx.workdir)
        tried = {a.notes.get("hunk") for a in ctx.history
                 if a.parent == ctx.parent.id and a.mutator == self.name}
        candidates = [c for h in reverse_hunks(diff + "\n") for c in (h, *blocks(h))]
        # Largest net removal first (what adds the most code is the first suspect), pure
        # deletions before reverts.
        return sorted((h for h in candidates if h.key not in tried),
                      key=lambda h: (h.restores - h.drops, h.restores > 0, h.path, h.line))


def _describe(hunk: Hunk) -> str:
    if not hunk.restores:
        return f"drop {hunk.drops} line(s)"
    return (f"restore the baseline's {hunk.restores} line(s)"
            + (f" in place of {hunk.drops}" if hunk.drops else ""))
