"""The prompt of the llm mutator: the loop's brief plus code, context, lessons and the format.

The brief (goal, objective and thresholds, champion, every attempt with why it ended) comes as
typed sections (`ctx.sections`), rendered for the llm audience; this module adds the editable
files (whole when they all fit the token budget, otherwise a file map plus the files most
related to recent changes), the `[files] context` files, the lessons and the answer format.
`build_prompt` keeps the whole under the budget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from hone.config.load import CONFIG_FILE
from hone.mutators.base import ProposalContext
from hone.mutators.llm.lessons import lessons_section
from hone.mutators.llm.tokens import TokenMeter
from hone.records import Attempt, Status
from hone.safe_read import read_capped
from hone.sections import Audience, Brief, Section, SectionKind
from hone.vcs.git import GitError, Repo, git
from hone.vcs.paths import PathRules, rules_for

SYSTEM = """\
You improve a program, one focused change at a time, inside an automatic loop that measures \
every change and keeps it only if the score truly improves. You see the goal, the score and \
the thresholds a change must clear, every earlier attempt with why it ended, and lessons learnt \
so far. Prefer ideas that have not been tried; never special-case the benchmark's inputs."""

FORMAT = """\
## How to answer
Propose ONE focused change that you expect to improve the score. Every idea in the history \
was tried: take one up again only with a change that addresses why it ended. Answer with one \
line (after the `Candidate` lines, when a section above asks for them)

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


def list_files(ctx: ProposalContext) -> list[str]:
    """Tracked files at the parent's commit (the loop's repository caches them), else those of
    the worktree (git), else every file under it outside tool folders."""
    if ctx.repo is not None and ctx.parent.commit:
        return sorted(ctx.repo.tracked_files(ctx.parent.commit))
    workdir = ctx.workdir
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
    data = read_capped(workdir / rel)  # never a symlink, a device or a huge file
    if data is None or b"\0" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", errors="replace")


def _changed(repo: Repo, attempt: Attempt, by_id: dict[int, Attempt]) -> tuple[str, ...]:
    """The paths `attempt` changed against its parent (none when either commit is unknown)."""
    parent = by_id.get(attempt.parent) if attempt.parent is not None else None
    if not attempt.commit or parent is None or not parent.commit:
        return ()
    try:
        return repo.change(parent.commit, attempt.commit).paths
    except GitError:  # a commit gone (pruned run): it just says nothing about relatedness
        return ()


def _named(text: str, files: list[str]) -> list[str]:
    return [p for p in files if p in text or Path(p).name in text]


def _relatedness(ctx: ProposalContext, files: list[str]) -> dict[str, float]:
    """Per file: changed by recent attempts (twice as much), named in their hypotheses, reasons
    and logs, named in the goal; the more recent the attempt, the more it weighs."""
    score: dict[str, float] = {f: 0.0 for f in files}
    repo = ctx.repo or Repo(ctx.workdir)
    recent = [a for a in ctx.history if a.status is not Status.BASELINE][-8:]
    by_id = {a.id: a for a in ctx.history}
    for rank, attempt in enumerate(reversed(recent)):
        weight = 1.0 / (1 + rank)
        for path in _changed(repo, attempt, by_id):
            if path in score:
                score[path] += 2 * weight
        for path in _named(f"{attempt.hypothesis} {attempt.reason} {attempt.log_tail}", files):
            score[path] += weight
    for path in files:
        if path in ctx.config.run.goal:
            score[path] += 1
    return score


def related_order(ctx: ProposalContext, files: list[str]) -> list[str]:
    """Editable files, most related to recent attempts first (changed by them, named in their
    reasons and logs), then the rest from the smallest up."""
    score = _relatedness(ctx, files)
    sizes = {f: (ctx.workdir / f).stat().st_size if (ctx.workdir / f).exists() else 0
             for f in files}
    return sorted(files, key=lambda f: (-score[f], sizes[f], f))


def _fence(rel: str, text: str) -> str:
    ticks = "````" if "```" in text else "```"
    return f"{rel}\n{ticks}\n{text}{'' if text.endswith(chr(10)) else chr(10)}{ticks}\n"


def _head(ctx: ProposalContext, lessons: str, meter: TokenMeter, budget: int) -> list[str]:
    """The brief as the llm prompt shows it, then the fresh `lessons`. The llm audience leaves
    out the brief's own lessons (the mutator has just updated them) and its task (said again
    with the answer format at the end); the history is cut from the oldest attempt to fit half
    the budget (a long run's history grows without end; the recent attempts matter most)."""
    brief = ctx.sections or Brief((Section(SectionKind.GOAL, "Goal", (ctx.config.run.goal,)),))
    brief = brief.trimmed(SectionKind.HISTORY,
                          lambda text: meter.count(text) + 20 <= budget // 2, Audience.LLM_PROMPT)
    fresh = lessons_section(lessons)
    return [brief.render(Audience.LLM_PROMPT).strip(), *([fresh.render()] if fresh else [])]


def _editable_body(ctx: ProposalContext, texts: dict[str, str], meter: TokenMeter,
                   parts: PromptParts, room: int) -> tuple[list[str], int]:
    """The editable files: all in full when they fit `room`, else a file map and the files most
    related to recent attempts that fit; the blocks and the room left."""
    cost = {f: meter.count(_fence(f, t)) for f, t in texts.items()}
    if sum(cost.values()) + 40 <= room:
        parts.whole = list(texts)
        return (["## Editable files\n" + "\n".join(_fence(f, texts[f]) for f in texts)],
                room - sum(cost.values()) - 40)
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
    body = [file_map]
    if shown:
        body.append("## Editable files most related to recent attempts\n"
                    + "\n".join(_fence(f, texts[f]) for f in shown))
    return body, room


def _context_body(ctx: ProposalContext, files: list[str], editable: dict[str, str],
                  meter: TokenMeter, parts: PromptParts, room: int) -> list[str]:
    """The `[files] context` files that fit `room`. They may be protected (a testbench is worth
    reading); the config never is shown: it names the holdout, which the proposer must not see."""
    if not ctx.config.files.context:
        return []
    spec = pathspec.PathSpec.from_lines("gitwildmatch", ctx.config.files.context)
    shown = []
    for f in files:
        if (not spec.match_file(f) or f in editable or f == CONFIG_FILE
                or f.startswith(".hone/")):
            continue
        text = _read(ctx.workdir, f)
        block = _fence(f, text) if text is not None else ""
        if block and meter.count(block) <= room:
            shown.append(block)
            parts.context.append(f)
            room -= meter.count(block)
    return ["## Context files (read-only)\n" + "\n".join(shown)] if shown else []


def build_prompt(ctx: ProposalContext, lessons: str, meter: TokenMeter,
                 budget: int) -> PromptParts:
    """The system and user prompt for one attempt, within `budget` tokens: the brief (for the
    llm audience), the fresh `lessons`, the code, the context files and the answer format."""
    rules = rules_for(tuple(ctx.config.files.editable), tuple(ctx.config.files.protect))
    files = list_files(ctx)
    head = _head(ctx, lessons, meter, budget)
    room = budget - (meter.count(SYSTEM) + meter.count("\n\n".join([*head, FORMAT])) + 16)
    texts = {f: t for f in editable_files(ctx, files, rules)
             if (t := _read(ctx.workdir, f)) is not None}
    parts = PromptParts(SYSTEM, "", 0)
    body, room = _editable_body(ctx, texts, meter, parts, room)
    body += _context_body(ctx, files, texts, meter, parts, room)
    parts.user = "\n\n".join([*head, *body, FORMAT]) + "\n"
    parts.tokens = meter.count(parts.system) + meter.count(parts.user)
    return parts
