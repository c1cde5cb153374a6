"""The prompt of the llm mutator: the loop's brief plus code, context, lessons and the format.

The brief (goal, objective, champion, history with deltas, tried ideas) comes from the engine as
`ctx.brief`; this module adds the editable files (whole when they all fit the token budget,
otherwise a file map plus the files most related to recent changes), the `[files] context`
files, the lessons and the answer format. `build_prompt` keeps the whole under the budget.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from hone.config.load import CONFIG_FILE
from hone.mutators.base import ProposalContext
from hone.mutators.llm.lessons import LESSONS_HEADER, lessons_section
from hone.mutators.llm.tokens import TokenMeter
from hone.records import Status
from hone.vcs.git import git
from hone.vcs.paths import PathRules

SYSTEM = """\
You improve a program, one focused change at a time, inside an automatic loop that measures \
every change and keeps it only if the score truly improves. You see the goal, the score, the \
history of earlier attempts (with their outcome and why they failed) and lessons learnt so far. \
Prefer ideas that have not been tried; never special-case the benchmark's inputs."""

FORMAT = """\
## How to answer
Propose ONE focused change that you expect to improve the score; do not repeat an idea from the \
history unless you fix what made it fail. Answer with, first, one line

Hypothesis: <what you change and why it should improve the score, in one sentence>

then the edits as SEARCH/REPLACE blocks, each preceded by the file's path:

path/to/file.py
<<<<<<< SEARCH
the current lines, copied exactly from the file
=======
the new lines
>>>>>>> REPLACE

Rules: SEARCH must match the file exactly (whitespace included) and quote enough lines to be \
unique; use several small blocks rather than one large one; an empty SEARCH creates a new \
file; edit only the editable files, never protected ones. A block that does not match fails \
the attempt."""

_SKIP_DIRS = {".git", ".hone", "__pycache__", "node_modules", ".venv", "venv"}


@dataclass
class PromptParts:
    """The built prompt and what it left out (for the record and the tests)."""

    system: str
    user: str
    tokens: int
    whole: list[str] = field(default_factory=list)  # editable files shown in full
    mapped: list[str] = field(default_factory=list)  # editable files only listed in the map
    context: list[str] = field(default_factory=list)


def list_files(workdir: Path) -> list[str]:
    """Tracked files of the worktree (git), or every file under it outside tool folders."""
    out = git("ls-files", "-z", cwd=workdir, check=False) if (workdir / ".git").exists() else ""
    if out:
        return sorted(p for p in out.split("\0") if p)
    found = []
    for root, dirs, files in os.walk(workdir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in files:
            found.append(Path(root, name).relative_to(workdir).as_posix())
    return sorted(found)


def editable_files(ctx: ProposalContext, files: list[str], rules: PathRules) -> list[str]:
    """`ctx.editable` as files (entries may be paths or patterns), else what the rules allow."""
    if ctx.editable:
        spec = pathspec.PathSpec.from_lines("gitwildmatch", ctx.editable)
        named = [p for p in ctx.editable if p in files]
        return sorted(set(named) | {p for p in files if spec.match_file(p)
                                    and not rules.is_protected(p)})
    return rules.editable_files(files)


def _read(workdir: Path, rel: str) -> str | None:
    try:
        data = (workdir / rel).read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", errors="replace")


def related_order(ctx: ProposalContext, files: list[str]) -> list[str]:
    """Editable files, most related to recent attempts first (changed by them, named in their
    reasons and logs), then the rest from the smallest up."""
    score: dict[str, float] = {f: 0.0 for f in files}
    recent = [a for a in ctx.history if a.status is not Status.BASELINE][-8:]
    by_id = {a.id: a for a in ctx.history}
    for rank, attempt in enumerate(reversed(recent)):
        weight = 1.0 / (1 + rank)
        parent = by_id.get(attempt.parent) if attempt.parent is not None else None
        if attempt.commit and parent is not None and parent.commit:
            changed = git("diff", "--name-only", parent.commit, attempt.commit,
                          cwd=ctx.workdir, check=False)
            for path in changed.splitlines():
                if path in score:
                    score[path] += 2 * weight
        text = f"{attempt.hypothesis} {attempt.reason} {attempt.log_tail}"
        for path in files:
            if path in text or Path(path).name in text:
                score[path] += weight
    for path in files:
        if path in ctx.config.run.goal:
            score[path] += 1
    sizes = {f: (ctx.workdir / f).stat().st_size if (ctx.workdir / f).exists() else 0
             for f in files}
    return sorted(files, key=lambda f: (-score[f], sizes[f], f))


def _fence(rel: str, text: str) -> str:
    ticks = "````" if "```" in text else "```"
    return f"{rel}\n{ticks}\n{text}{'' if text.endswith(chr(10)) else chr(10)}{ticks}\n"


IDEAS_HEADER = "# Ideas already tried"


def _trim_ideas(brief: str, meter: TokenMeter, limit: int) -> str:
    """Keep the brief within `limit` tokens by dropping the oldest tried ideas (a long run's
    list grows without end; the recent ones and the table of attempts matter most)."""
    start = brief.find(IDEAS_HEADER)
    if start < 0 or meter.count(brief) <= limit:
        return brief
    end = brief.find("\n# ", start + 1)
    end = len(brief) if end < 0 else end
    header, *ideas = brief[start:end].rstrip("\n").split("\n")
    before, after = brief[:start], brief[end:]
    kept = list(ideas)
    while kept and meter.count(before + after) + meter.count("\n".join([header, *kept])) \
            + 20 > limit:
        kept = kept[max(1, len(kept) // 8):]  # drop the oldest eighth at a time
    note = f"- ({len(ideas) - len(kept)} older ideas not shown)"
    return before + "\n".join([header, note, *kept]) + "\n" + after


def build_prompt(ctx: ProposalContext, lessons: str, meter: TokenMeter,
                 budget: int) -> PromptParts:
    rules = PathRules(ctx.config.files.editable, ctx.config.files.protect)
    files = list_files(ctx.workdir)
    editable = editable_files(ctx, files, rules)
    brief = ctx.brief.strip() or f"# Goal\n{ctx.config.run.goal}"
    # the engine's brief carries the lessons as they were; the mutator has just updated them
    brief = re.sub(rf"(?ms)^{re.escape(LESSONS_HEADER)}\n.*?(?=^# |\Z)", "", brief).strip()
    # "# What to do" is said again, with the answer format, at the end of the prompt
    brief = re.sub(r"(?ms)^# What to do\n.*?(?=^# |\Z)", "", brief).strip()
    brief = _trim_ideas(brief, meter, budget // 2)
    head = [brief]
    if lessons.strip():
        head.append(lessons_section(lessons))
    tail = FORMAT
    fixed = meter.count(SYSTEM) + meter.count("\n\n".join([*head, tail])) + 16
    room = budget - fixed

    texts = {f: t for f in editable if (t := _read(ctx.workdir, f)) is not None}
    cost = {f: meter.count(_fence(f, t)) for f, t in texts.items()}
    parts = PromptParts(SYSTEM, "", 0)
    body: list[str] = []
    if sum(cost.values()) + 40 <= room:
        parts.whole = list(texts)
        room -= sum(cost.values()) + 40
        body.append("## Editable files\n" + "\n".join(_fence(f, texts[f]) for f in texts))
    else:
        lines = {f: t.count("\n") + (not t.endswith("\n")) for f, t in texts.items()}
        file_map = "## File map (editable files; those shown below are in full)\n" + "\n".join(
            f"- {f} ({lines[f]} lines, ~{cost[f]} tokens)" for f in texts)
        room -= meter.count(file_map) + 40
        shown = []
        for f in related_order(ctx, list(texts)):
            if cost[f] <= room:
                shown.append(f)
                room -= cost[f]
        parts.whole = shown
        parts.mapped = [f for f in texts if f not in shown]
        body.append(file_map)
        if shown:
            body.append("## Editable files most related to recent attempts\n"
                        + "\n".join(_fence(f, texts[f]) for f in shown))

    # context files may be protected (a testbench is worth reading); the config never is shown:
    # it names the holdout, which the proposer must not see
    context_spec = pathspec.PathSpec.from_lines("gitwildmatch", ctx.config.files.context)
    context = [f for f in files if ctx.config.files.context and context_spec.match_file(f)
               and f not in texts and f != CONFIG_FILE and not f.startswith(".hone/")]
    shown_ctx = []
    for f in context:
        text = _read(ctx.workdir, f)
        if text is None:
            continue
        block = _fence(f, text)
        if meter.count(block) <= room:
            shown_ctx.append(block)
            parts.context.append(f)
            room -= meter.count(block)
    if shown_ctx:
        body.append("## Context files (read-only)\n" + "\n".join(shown_ctx))

    parts.user = "\n\n".join([*head, *body, tail]) + "\n"
    parts.tokens = meter.count(parts.system) + meter.count(parts.user)
    return parts
