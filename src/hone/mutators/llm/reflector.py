"""Reflection on decided attempts into the run's playbook of lessons, off the loop's path.

A reflection is one more model call per attempt reflected on; made before the proposal call,
as it once was, the loop waited for it between one measurement and the next. Here the
proposal for attempt k is shown the playbook as the reflections queued by earlier proposals
left it, then queues one on the attempts decided since (attempt k-1 in a serial run), which
runs while attempt k is measured (verify/meanwhile.py): a lesson reaches the proposal after
next. Which lessons a proposal sees does not depend on timing: the proposal waits for the
reflection queued before it, which runs at once if no measurement came. A reflection's calls
are counted in the attempt whose proposal waited for it (its tokens, its texts
`reflection_prompt_<id>` and `reflection_<id>`), or at the run's end in the last one.

Parallel slots propose from several threads: one lock orders the proposals' turns at the
playbook, and only one reflection per playbook is ever queued or running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hone.config.model import Config
from hone.mutators.llm.lessons import REFLECT_SYSTEM, Playbook, parse_ops, reflection_prompt
from hone.mutators.llm.providers import CallFailed, Completion
from hone.records import Attempt, Cost, Status
from hone.verify import meanwhile

# Reflect on at most this many attempts per round (after a resume or a batch of ask/tell,
# older ones are marked seen without a call: lessons come from what is recent).
MAX_REFLECTIONS = 2
# `[llm] reflect_every` (default 4): reflect once that many decided attempts wait (or at once
# after a keep, which teaches most). A reflection costs a real model about what a proposal
# costs, so reflecting after every attempt doubled the calls of a run; in batches of 4 with at
# most MAX_REFLECTIONS calls, a run of discards makes half a reflection call per attempt.


@dataclass
class Usage:
    """What the calls of one attempt cost."""

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    retries: int = 0
    waited: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, completion: Completion) -> None:
        self.calls += 1
        self.tokens_in += completion.tokens_in
        self.tokens_out += completion.tokens_out

    def cost(self, model: str, price_in: float, price_out: float) -> Cost:
        usd = self.tokens_in * price_in / 1e6 + self.tokens_out * price_out / 1e6
        return Cost(self.tokens_in, self.tokens_out, round(usd, 8), model, self.calls)

    def notes(self) -> dict[str, Any]:
        """The retries, the time spent waiting and the last errors, when there were any."""
        out: dict[str, Any] = {}
        if self.retries:
            out["llm_retries"] = self.retries
            out["llm_waited_s"] = round(self.waited, 3)
            out["llm_errors"] = self.errors[-5:]
        return out

    def merge(self, other: Usage) -> None:
        """Count `other`'s calls in this one too."""
        self.calls += other.calls
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        self.retries += other.retries
        self.waited += other.waited
        self.errors.extend(other.errors)


@dataclass
class Reflected:
    """What one reflection round cost and wrote (attempt texts)."""

    usage: Usage = field(default_factory=Usage)
    texts: dict[str, str] = field(default_factory=dict)

    def into(self, usage: Usage, texts: dict[str, str]) -> None:
        """Count this round in an attempt's `usage` and `texts`."""
        usage.merge(self.usage)
        texts.update(self.texts)


# One reflection call: (system, user, usage) -> the answer, or CallFailed.
Caller = Callable[[str, str, Usage], Completion]


class Reflector:
    """The playbooks of a mutator's runs, and the one reflection queued for each."""

    def __init__(self, limit: int, every: int, call: Caller) -> None:
        self.limit, self.every, self._call = limit, max(1, every), call
        self._playbooks: dict[Path, Playbook] = {}
        self._queued: dict[Path, meanwhile.Later[Reflected]] = {}
        self._lock = threading.Lock()

    def lessons(self, path: Path, history: list[Attempt], config: Config,
                usage: Usage, texts: dict[str, str]) -> str:
        """The lessons a proposal shown `history` gets: the playbook at `path` once the
        reflection queued before has run (its calls counted in `usage` and `texts`). Then
        queues a reflection on the attempts decided since, when one is due."""
        with self._lock:
            playbook = self._at(path)
            self._settle(path, usage, texts)
            text = playbook.text()
            fresh = self._due(history, playbook)
            if fresh is not None:
                self._queued[path] = meanwhile.later(
                    lambda: self._round(fresh, history, config, playbook))
            return text

    def final(self, path: Path, history: list[Attempt], config: Config,
              usage: Usage, texts: dict[str, str]) -> None:
        """Reflect now on every attempt not reflected on yet (the run has ended)."""
        with self._lock:
            playbook = self._at(path)
            self._settle(path, usage, texts)
            fresh = self._due(history, playbook, final=True)
            if fresh is not None:
                self._round(fresh, history, config, playbook).into(usage, texts)

    def _at(self, path: Path) -> Playbook:
        if path not in self._playbooks:
            self._playbooks[path] = Playbook(path, self.limit)
        return self._playbooks[path]

    def _settle(self, path: Path, usage: Usage, texts: dict[str, str]) -> None:
        queued = self._queued.pop(path, None)
        if queued is not None:
            queued.result().into(usage, texts)

    def _due(self, history: list[Attempt], playbook: Playbook, final: bool = False
             ) -> list[Attempt] | None:
        """The attempts to mark seen in a round now, or None when none is due: not before
        `every` of them wait or one was kept (or at the `final` one)."""
        fresh = unobserved(history, playbook)
        worth = teaching(fresh)
        if not fresh or (len(worth) < self.every and not final
                         and not any(a.status is Status.KEPT for a in worth)):
            return None  # not yet: they stay unobserved and count towards the next batch
        return fresh

    def _round(self, fresh: list[Attempt], history: list[Attempt], config: Config,
               playbook: Playbook) -> Reflected:
        """One call per recent attempt of `fresh` (one change to the playbook each), then
        `fresh` marked seen and the playbook written."""
        done = Reflected()
        for attempt in teaching(fresh)[-MAX_REFLECTIONS:]:
            prompt = reflection_prompt(attempt, history, playbook, config.run.goal,
                                       config.objective.direction)
            done.texts[f"reflection_prompt_{attempt.id}"] = prompt
            try:
                answer = self._call(REFLECT_SYSTEM, prompt, done.usage)
            except CallFailed as exc:  # lessons are a bonus: the proposals still go on
                done.texts[f"reflection_{attempt.id}"] = f"(reflection failed: {exc})"
                break
            changes = playbook.apply(parse_ops(answer.text))
            done.texts[f"reflection_{attempt.id}"] = answer.text + (
                "\n\n-> " + ", ".join(changes) if changes else "\n\n-> no change")
        playbook.observed.update(a.id for a in fresh)
        playbook.saving().result()
        return done


def unobserved(history: list[Attempt], playbook: Playbook) -> list[Attempt]:
    """The decided attempts the playbook has not reflected on yet."""
    return [a for a in history if a.id != 0 and a.status not in (
        Status.RUNNING, Status.BASELINE) and a.id not in playbook.observed]


def teaching(attempts: list[Attempt]) -> list[Attempt]:
    """Those with a hypothesis: one without (API down, empty answer) teaches nothing."""
    return [a for a in attempts if a.hypothesis.strip()]
