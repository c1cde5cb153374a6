"""Read-only views of a run for `status` and `best` (table, JSON, CSV, Markdown); `show` is
`hone.show`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from typing import Any

from hone.direction import Direction, fmt_gain
from hone.errors import UsageError
from hone.flags import flags
from hone.loop.brief import fmt, vs_baseline, vs_parent
from hone.loop.repair import repair_counts
from hone.loop.view import RunView
from hone.records import Attempt, Status, spend_json
from hone.status_table import cells, render
from hone.table import cut, terminal_width
from hone.vcs.git import git

COLUMNS = ["id", "parent", "status", "score", "delta", "code", "stage", "hypothesis", "flags"]


@dataclass(frozen=True)
class StatusView:
    """A run's attempts for `hone status`. Gains (`delta`: over the parent; the champion's
    over the baseline) come from `Direction.gain`: positive means better in every format.
    `attempts` is the whole run (gains need parents); `shown` the ids a filter kept (None:
    all)."""

    run: str
    champion: Attempt
    attempts: list[Attempt]
    direction: Direction
    meta: dict[str, Any] = field(default_factory=dict)
    shown_ids: frozenset[int] | None = None

    def select(self, statuses: set[Status] | None = None, last: int | None = None
               ) -> StatusView:
        """The view showing only attempts of `statuses`, then only the `last` of those."""
        picked = [a for a in self.attempts if statuses is None or a.status in statuses]
        if last is not None:
            picked = picked[-last:] if last > 0 else []
        return replace(self, shown_ids=frozenset(a.id for a in picked))

    def shown(self) -> list[Attempt]:
        return [a for a in self.attempts if self.shown_ids is None or a.id in self.shown_ids]

    def gains(self) -> dict[int, tuple[float | None, float | None]]:
        """Each attempt's gain over its parent and over the baseline."""
        by_id = {a.id: a for a in self.attempts}
        return {a.id: (vs_parent(a, by_id, self.direction), vs_baseline(a, by_id, self.direction))
                for a in self.attempts}

    def champion_gain(self) -> float | None:
        return self.gains().get(self.champion.id, (None, None))[1]

    def rows(self, columns: list[str] | None = None) -> list[dict[str, str]]:
        """The shown attempts as text cells (the human table's, '' for nothing)."""
        by_id = {a.id: a for a in self.attempts}
        names = columns or COLUMNS
        return [{k: v for k, v in cells(a, by_id, self.direction, -1).items() if k in names}
                for a in self.shown()]

    def spend(self) -> tuple[int, int, float]:
        """LLM tokens in, tokens out and dollars over the whole run."""
        costs = [a.cost for a in self.attempts if a.cost is not None]
        return (sum(c.tokens_in for c in costs), sum(c.tokens_out for c in costs),
                sum(c.usd for c in costs))

    def to_json(self) -> dict[str, Any]:
        tokens_in, tokens_out, usd = self.spend()
        gains = self.gains()
        return {
            "run": self.run,
            "champion": {"id": self.champion.id, "score": self.champion.score},
            # Beside "champion", whose keys are a contract: its gain, what to look twice at.
            "direction": self.direction.value,
            "champion_gain": gains.get(self.champion.id, (None, None))[1],
            "champion_overfit": self.champion.vetting.overfit,
            "champion_flags": flags(self.champion),
            "tokens": {"in": tokens_in, "out": tokens_out}, "usd": round(usd, 6),
            "noise": self.meta.get("noise"), "confirmation": self.meta.get("confirmation"),
            "repairs": repair_counts(self.attempts).to_json(),  # made, passed, kept
            "attempts": [
                {"id": a.id, "parent": a.parent, "status": a.status.value, "score": a.score,
                 "hypothesis": a.hypothesis, "commit": a.commit, "stage": a.stage,
                 "reason": a.reason, "parent2": a.parent2, "retry_of": a.retry_of,
                 "repair_of": a.repair_of,
                 "vs_parent": gains[a.id][0], "vs_baseline": gains[a.id][1],
                 "lines_added": a.code.lines_added, "lines_removed": a.code.lines_removed,
                 "files_touched": a.code.files_touched, "complexity": a.code.complexity,
                 "kept_as": a.decision.kept_as if a.decision else None,
                 **spend_json(a.cost),
                 "seconds": a.seconds, "overfit": a.vetting.overfit,
                 "flags": flags(a), "decision": a.decision.to_json() if a.decision else None,
                 "review": a.review.to_json() if a.review else None, "tainted": a.tainted}
                for a in self.shown()
            ],
        }

    def to_csv(self, columns: list[str] | None = None) -> str:
        """CSV of the shown attempts; the score in full precision, gains as text."""
        names = columns or COLUMNS
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        scores = {a.id: a.score for a in self.shown()}
        for a, row in zip(self.shown(), self.rows(names), strict=True):
            writer.writerow({**row, **({"score": scores[a.id]} if "score" in names else {})})
        return buf.getvalue()

    def to_markdown(self, columns: list[str] | None = None) -> str:
        names = columns or COLUMNS
        lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
        for r in self.rows(names):
            # A pipe or a line break inside a cell (a multi-line hypothesis) breaks the table.
            lines.append("| " + " | ".join(" ".join(r[c].replace("|", "/").split())
                                           for c in names) + " |")
        return "\n".join(lines) + "\n"

    def title(self) -> list[str]:
        """'run R: champion #N score S (+x% over baseline)' and 'A attempts: 3 kept, ...'."""
        gain = fmt_gain(self.champion_gain()) if self.champion.id != 0 else ""
        counts: dict[str, int] = {}
        for a in self.attempts[1:]:
            counts[a.status.value] = counts.get(a.status.value, 0) + 1
            if a.tainted:
                counts["tainted"] = counts.get("tainted", 0) + 1
        shown = len(self.shown())
        repairs = repair_counts(self.attempts).words()
        return [f"run {self.run}: champion #{self.champion.id} score "
                f"{fmt(self.champion.score)}" + (f" ({gain} over baseline)" if gain else ""),
                f"{len(self.attempts) - 1} attempts"
                + (": " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                   if counts else "")
                + (f"; {repairs}" if repairs else "")
                + (f"; showing {shown}" if shown != len(self.attempts) else "")]

    def print_table(self, columns: list[str] | None = None, width: int | None = None) -> None:
        """The title, one line per shown attempt and the LLM spend, each fitting `width`
        (default: the terminal's, or 80 in a pipe); coloured only on a terminal."""
        from rich.console import Console
        from rich.text import Text

        width = width or terminal_width()
        lines = render(self.shown(), self.attempts, self.direction, self.champion.id, width,
                       columns)
        status_of = {a.id: a.status.value for a in self.shown()}
        style = {"kept": "green", "baseline": "cyan", "failed": "red", "rejected": "magenta",
                 "held": "yellow", "discarded": "dim",
                 "vetoed": "dim strike"}
        console = Console(width=width, highlight=False)
        for line in self.title():
            console.print(Text(cut(line, width), style="bold"), no_wrap=True, crop=True)
        console.print(Text(lines[0], style="bold"), no_wrap=True, crop=True)
        for a, line in zip(self.shown(), lines[1:], strict=True):
            champion = a.id == self.champion.id
            console.print(Text(line, style="bold green" if champion
                               else style.get(status_of[a.id], "")), no_wrap=True, crop=True)
        tokens_in, tokens_out, usd = self.spend()
        if tokens_in or tokens_out:
            console.print(f"LLM: {tokens_in:,} tokens in, {tokens_out:,} out, ${usd:.4f}",
                          no_wrap=True, crop=True)


def status_view(engine: RunView) -> StatusView:
    return StatusView(engine.run, engine.champion(), engine.history(),
                      engine.ws.config.objective.direction, engine.info().meta)


def best_view(engine: RunView, branch: str | None, squash: str | None = None
              ) -> dict[str, Any]:
    champion = engine.champion()
    baseline = engine.get(0)
    direction = engine.ws.config.objective.direction
    gain = direction.gain(champion.score, baseline.score)
    assert champion.commit is not None
    tip, commits = champion.commit, None
    if squash is not None:
        from hone.vcs.squash import squash as write_squashed

        if squash not in ("ideas", "one"):
            raise UsageError(f"--squash takes no value or 'one', not {squash!r}")
        if not branch:
            raise UsageError("--squash needs --branch NAME")
        tip = write_squashed(engine.ws.repo, engine.run, engine.history(), champion,
                             "one" if squash == "one" else "ideas", direction)
        commits = int(git("rev-list", "--count", f"{baseline.commit}..{tip}",
                          cwd=engine.ws.repo.root))
    if branch:
        engine.ws.repo.create_branch(branch, tip)
    # "gain" and "vs_baseline": the same number (0.2 for 20% better; None when unknown).
    return {"run": engine.run, "id": champion.id, "score": champion.score,
            "commit": champion.commit, "hypothesis": champion.hypothesis,
            "baseline_score": baseline.score, "gain": gain, "vs_baseline": gain,
            "direction": direction.value, "branch": branch,
            "branch_commit": tip if branch else None, "squash": squash, "commits": commits,
            "status": champion.status.value if champion.status is not Status.RUNNING else "",
            "flags": flags(champion), **review_ids(engine.history())}


def review_ids(history: list[Attempt]) -> dict[str, list[int]]:
    """The ids a person has to look at, or looked at: `held`, `vetoed`, `tainted`."""
    return {"held": [a.id for a in history if a.status is Status.HELD],
            "vetoed": [a.id for a in history if a.status is Status.VETOED],
            "tainted": [a.id for a in history if a.tainted]}


def evidence_line(d: dict[str, Any]) -> str:
    """One line of a decision's evidence: rule, runs, estimate, interval, p-value."""
    parts = [str(d.get("rule", ""))]
    if d.get("deterministic"):
        parts.append(f"deterministic, {d.get('runs')} run(s)")
    else:
        parts.append(f"{d.get('runs')} candidate runs vs {d.get('champion_reference', '?')} "
                     f"champion runs ({d.get('champion_runs')} fresh)")
    if d.get("estimate") is not None and d.get("deterministic"):
        parts.append(f"effect {d['estimate']:+.2%}")  # no interval: a seed spread is not noise
    elif d.get("estimate") is not None:
        low, high = (d.get("interval") or [None, None])[:2]
        ends = ", ".join("unbounded" if x is None else f"{x:+.2%}" for x in (low, high))
        parts.append(f"effect {d['estimate']:+.2%} [{ends}]")
    if d.get("p_value") is not None:
        parts.append(f"p = {d['p_value']:.3g} (keeps below {d.get('p_threshold', 0):.3g})")
    return "; ".join(parts)
