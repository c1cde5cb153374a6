"""The live terminal view of `hone run` (Rich Live): budget progress, slots, champion, recent
attempts and an ETA, redrawn from the engine's events. Works for one slot or many."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from hone.direction import Direction, fmt_gain
from hone.loop.brief import fmt, noise_lines
from hone.records import Attempt, Event, Status

# What a slot is doing after each engine event; unknown events show under their own name.
PHASES: dict[str, str] = {Event.BASELINE_START: "measuring baseline", Event.START: "proposing",
          Event.VERIFY: "verifying"}
STYLES = {"kept": "bold green", "discarded": "dim", "failed": "red", "rejected": "magenta",
          "baseline": "cyan", "running": "yellow", "duplicate": "yellow", "held": "bold yellow",
          "vetoed": "dim strike"}
RECENT = 8


def _slot_of(attempt: Attempt) -> str:
    """The slot the executor ran the attempt in, else a row of its own (`#ID`), so that
    attempts in flight at once never share a row even when the loop does not name its slots."""
    named = attempt.placement.slot if attempt.placement is not None else ""
    return named or f"#{attempt.id}"


@dataclass
class Slot:
    attempt: int
    phase: str
    since: float
    hypothesis: str = ""


@dataclass(frozen=True)
class Limits:
    """The budget this invocation works towards (None: no limit of that kind)."""

    attempts: int | None = None
    hours: float | None = None
    usd: float | None = None


class LiveView:
    """An `on_event` handler that keeps the state the view shows, and draws it with Rich Live.

    Events are `(event, attempt)`, with the slot given as `slot=` or by `attempt.placement`
    (a row per attempt in flight otherwise), so the same view serves the sequential and the
    parallel loop.
    """

    def __init__(self, limits: Limits, direction: Direction, history: list[Attempt] | None = None,
                 console: Console | None = None, clock: Any = time.monotonic) -> None:
        self.limits, self.direction, self.clock = limits, direction, clock
        self.console = console or Console()
        self.t0 = clock()
        self.baseline: float | None = None
        self.champion: tuple[int, float | None] | None = None
        self.done = 0
        self.done_here = 0
        self.usd = 0.0
        self.counts: dict[str, int] = {}
        self.slots: dict[str, Slot] = {}
        self.recent: deque[tuple[Attempt, str]] = deque(maxlen=RECENT)
        self.scores: dict[int, float | None] = {}
        # Events may come from worker threads while Rich's refresh thread draws.
        self.lock = threading.RLock()
        for a in history or []:
            self._absorb(a, replay=True)
        self.live = Live(console=self.console, refresh_per_second=4, transient=False,
                         get_renderable=self.render, redirect_stdout=False,
                         redirect_stderr=False)

    # -- events ---------------------------------------------------------------------------
    def __call__(self, event: Event, attempt: Attempt, slot: str | None = None,
                 **_: Any) -> None:
        with self.lock:
            if event == Event.BASELINE_RUN:  # one of the baseline's runs finished
                self.out(f"baseline: {attempt.reason}")
            else:
                self._event(event, attempt, slot or _slot_of(attempt))
        if self.live.is_started:
            self.live.refresh()

    def _event(self, event: str, attempt: Attempt, slot: str) -> None:
        if event == Event.BASELINE:
            self.baseline = attempt.score
            self.champion = (attempt.id, attempt.score)
            self.scores[attempt.id] = attempt.score
            self.slots = {n: s for n, s in self.slots.items() if s.attempt != attempt.id}
            self.out(f"baseline score {fmt(attempt.score)}")
            for line in noise_lines(attempt):  # the noise floor, and its warning if any
                self.out(line)
        elif event == Event.DECIDED:
            # The slot is free again, unless it already moved on to its next attempt.
            for name in [n for n, s in self.slots.items() if s.attempt == attempt.id]:
                del self.slots[name]
            if attempt.id != 0:
                self._absorb(attempt)
                self.done_here += 1
        elif event == Event.CHAMPION:
            self.champion = (attempt.id, attempt.score)
            # Text, not markup: a hypothesis may hold brackets that Rich would parse.
            gain = self._gain(attempt.score, self.baseline)
            self.out(Text.assemble((f"* new champion #{attempt.id}", "bold green"),
                                   f" score {fmt(attempt.score)}"
                                   + (f" {gain} over baseline" if gain else "")
                                   + f"  {attempt.hypothesis[:70]}"))
        else:
            # An attempt is on one row: drop it from any other (e.g. once its slot is named).
            since = self.clock()
            for name in [n for n, x in self.slots.items() if x.attempt == attempt.id]:
                since = min(since, self.slots.pop(name).since)
            self.slots[slot] = Slot(attempt.id, PHASES.get(event, str(event)), since,
                                    attempt.hypothesis)

    def _absorb(self, a: Attempt, replay: bool = False) -> None:
        """Count a decided attempt (replay: one recorded before this invocation)."""
        if a.id == 0:
            self.baseline = a.score
            self.scores[0] = a.score
            if self.champion is None:
                self.champion = (0, a.score)
            return
        if a.status is Status.RUNNING:
            return
        self.done += 1
        self.counts[a.status.value] = self.counts.get(a.status.value, 0) + 1
        self.usd += a.cost.usd if a.cost is not None else 0.0
        self.scores[a.id] = a.score
        parent = self.scores.get(a.parent) if a.parent is not None else None
        self.recent.append((a, self._gain(a.score, parent)))
        if replay and a.status is Status.KEPT:
            self.champion = (a.id, a.score)

    def _gain(self, score: float | None, reference: float | None) -> str:
        return fmt_gain(self.direction.gain(score, reference))

    def out(self, line: str | Text) -> None:
        """A line printed above the live view (kept in the scrollback)."""
        self.console.print(line, markup=False, highlight=False)

    _out = out  # the name cli_run uses for LinePrinter

    # -- drawing ----------------------------------------------------------------------------
    def eta(self) -> float | None:
        """Seconds until the first budget runs out, at this invocation's pace."""
        elapsed = self.clock() - self.t0
        left: list[float] = []
        if self.limits.hours:
            left.append(max(0.0, self.limits.hours * 3600 - elapsed))
        if self.limits.attempts is not None and self.done_here:
            per = elapsed / self.done_here
            left.append(max(0, self.limits.attempts - self.done) * per)
        if self.limits.usd and self.done_here and self.usd > 0:
            rate = self.usd / elapsed if elapsed > 0 else 0.0
            if rate > 0:
                left.append(max(0.0, self.limits.usd - self.usd) / rate)
        return min(left) if left else None

    def render(self) -> RenderableType:
        with self.lock:
            return self._render()

    def _render(self) -> RenderableType:
        """The whole view: budget bars, champion line, slots table and recent attempts."""
        return Group(self._budget(), self._champion_line(), Text(""), self._slots_table(),
                     Text(""), self._recent_table())

    def _budget(self) -> Table:
        """One progress bar per budget: attempts, time, and dollars once any are set or spent."""
        elapsed = self.clock() - self.t0
        budget = Table.grid(padding=(0, 1))
        budget.add_column(style="bold", width=9)
        budget.add_column(width=32)
        budget.add_column()
        lim = self.limits
        budget.add_row("attempts", *_bar(self.done, lim.attempts, str(self.done),
                                         str(lim.attempts)))
        seconds = lim.hours * 3600 if lim.hours else None
        budget.add_row("time", *_bar(elapsed, seconds, _dur(elapsed), _dur(seconds)))
        if lim.usd or self.usd:
            budget.add_row("dollars", *_bar(self.usd, lim.usd, f"${self.usd:.2f}",
                                            f"${lim.usd or 0:.2f}"))
        return budget

    def _champion_line(self) -> Text:
        """The champion, its score and gain over the baseline; below it the counts and ETA."""
        eta = self.eta()
        champ = Text("champion ", style="bold")
        if self.champion:
            cid, score = self.champion
            champ.append(f"#{cid} score {fmt(score)}", style="bold green")
            gain = self._gain(score, self.baseline)
            champ.append(f"   baseline {fmt(self.baseline)}"
                         + (f"   gain {gain}" if gain and cid != 0 else ""))
        else:
            champ.append("— (measuring the baseline)")
        counts = "  ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        champ.append(f"\n{counts or 'no attempts decided yet'}"
                     + (f"   ETA {_dur(eta)}" if eta is not None else ""), style="dim")
        return champ

    def _slots_table(self) -> Table:
        """What each slot is doing and for how long; one 'idle' row when none is busy."""
        slots = Table(box=None, pad_edge=False, show_edge=False, expand=False)
        for col in ("slot", "attempt", "doing", "for", "hypothesis"):
            slots.add_column(col, style="dim" if col == "for" else "",
                             overflow="ellipsis", no_wrap=True,
                             max_width=60 if col == "hypothesis" else None)
        now = self.clock()
        # Named slots first, by name; then attempts without a named slot, oldest first.
        order = sorted(self.slots, key=lambda n: (n.startswith("#"), self.slots[n].attempt
                                                  if n.startswith("#") else 0, n))
        for name in order:
            s = self.slots[name]
            slots.add_row("—" if name.startswith("#") else name, f"#{s.attempt}", s.phase,
                          _dur(now - s.since),
                          Text(" ".join(s.hypothesis.split())))  # Text: no markup from LLMs
        if not self.slots:
            slots.add_row("—", "", "idle", "", "")
        return slots

    def _recent_table(self) -> Table:
        """The last decided attempts: status, score, gain over the parent, hypothesis."""
        recent = Table(box=None, pad_edge=False, show_edge=False, title_justify="left")
        for col in ("#", "status", "score", "vs parent", "hypothesis"):
            recent.add_column(col, justify="right" if col in ("#", "score", "vs parent")
                              else "left", no_wrap=True, overflow="ellipsis",
                              max_width=70 if col == "hypothesis" else None)
        for a, delta in self.recent:
            why = f" [{a.stage}]" if a.status in (Status.FAILED, Status.REJECTED) else ""
            recent.add_row(str(a.id), Text(a.status.value, style=STYLES.get(a.status.value, "")),
                           fmt(a.score), delta, Text(" ".join(a.hypothesis.split()) + why))
        return recent

    def __enter__(self) -> LiveView:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()


def _bar(value: float, total: float | None, shown: str, total_shown: str
         ) -> tuple[RenderableType, str]:
    if total:
        return ProgressBar(total=total, completed=min(value, total), width=30), \
            f"{shown} of {total_shown}"
    return Text(""), f"{shown} (no limit)"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.1f}m"
    return f"{seconds / 3600:.2f}h"
