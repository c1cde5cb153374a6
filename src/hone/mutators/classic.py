"""The `classic` mutator: no LLM; changes numeric literals of the editable files.

Searches (`[mutator] search`):
* `tpe` (the default): knobs, lines marked `hone: knob LOW..HIGH [log]` (`knobs/marks.py`), are
  proposed together by Optuna's TPE sampler from the journal's history (`knobs/tpe.py`); other
  marked literals take neighbour steps as below. With both kinds present, an attempt picks one
  of the two at random (seeded by the attempt).
* `neighbour`: one literal per attempt moves to a neighbour value: floats by a multiplicative
  step, ints to a nearby value (a knob stays within its range). It climbs: after a kept change
  it tries the same direction on the same literal again half of the time.
* `mixed`: half of the attempts (seeded) are a TPE proposal, the others a neighbour step.
A neighbour step that moves a knob records every knob's value, as a TPE proposal does, so that
TPE learns from it.

A line carrying `hone: tune` (or a knob mark) marks its literals; once any line in the editable
files is marked, only marked lines are used. A line carrying `hone: fixed` is never touched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from hone.config.model import Config
from hone.mutators.base import MUTATORS, Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.mutators.knobs import tpe
from hone.mutators.knobs.marks import Knob, KnobError, find_knobs
from hone.mutators.knobs.sites import (
    MARK_TUNE,
    Site,
    assigned_name,
    find_sites,
    neighbours,
    parse_number,
    replace_sites,
)
from hone.records import Status

__all__ = ["ClassicMutator", "find_sites", "neighbours"]

Tried = set[tuple[object, object]]


@dataclass(frozen=True)
class Targets:
    """What one attempt may change: the knobs TPE owns, and the literals neighbour steps
    move (with the knob of each knob line, for its range)."""

    knobs: list[Knob]
    sites: list[Site]
    ranges: dict[str, Knob]


@MUTATORS.register("classic")
class ClassicMutator(Mutator):
    name = "classic"

    def __init__(self, search: Literal["tpe", "neighbour", "mixed"] = "tpe") -> None:
        self.search = search

    @classmethod
    def from_config(cls, config: Config) -> Mutator:
        return cls(config.mutator.search)

    def propose(self, ctx: ProposalContext) -> Proposal:
        rng = random.Random(f"{ctx.run}:{ctx.attempt_id}")
        targets = self._targets(ctx)
        if targets.knobs and (not targets.sites or rng.random() < 0.5):
            return _propose_knobs(ctx, targets.knobs)
        if not targets.sites:
            raise MutatorExhausted("no numeric literal to perturb in the editable files "
                                   f"(mark lines with '# {MARK_TUNE}')")
        return self._propose_step(ctx, targets, rng)

    def _targets(self, ctx: ProposalContext) -> Targets:
        try:
            knobs = find_knobs(ctx.workdir, ctx.editable)
        except KnobError as exc:
            raise MutatorExhausted(str(exc)) from exc
        on_knob_lines = {(k.site.path, k.site.line): k for k in knobs}
        sites = [s for s in find_sites(ctx.workdir, ctx.editable)
                 if (s.path, s.line) not in on_knob_lines]
        if self.search == "tpe":
            return Targets(knobs, sites, {})
        if self.search == "mixed":
            return Targets(knobs, sites + [k.site for k in knobs],
                           {k.site.key: k for k in knobs})
        # neighbour steps move knobs too, each within its range
        return Targets([], sites + [k.site for k in knobs],
                       {k.site.key: k for k in knobs})

    def _propose_step(self, ctx: ProposalContext, targets: Targets,
                      rng: random.Random) -> Proposal:
        tried = {(a.notes.get("site"), a.notes.get("new")) for a in ctx.history
                 if a.parent == ctx.parent.id and a.mutator == self.name}
        options_of = _OptionsOf(targets.ranges, tried)
        choice = self._follow_success(ctx, targets.sites, options_of, rng)
        for _ in range(200):
            if choice is not None:
                break
            site = rng.choice(targets.sites)
            options = options_of(site)
            if options:
                choice = (site, rng.choice(options))
        if choice is None:
            raise MutatorExhausted("every neighbour of every literal was tried from this parent")
        site, new = choice
        replace_sites(ctx.workdir, [(site, new)])
        notes: dict[str, object] = {"site": site.key, "old": site.text, "new": new}
        if site.key in targets.ranges:  # a knob moved: TPE may learn from it too
            knobs = list(targets.ranges.values())
            before = {k.key: k.value for k in knobs}
            after = {k.key: (parse_number(new) if k.site.key == site.key else k.value)
                     for k in knobs}
            notes.update({tpe.NOTE: after, tpe.PARENT_NOTE: before})
        return Proposal(f"{_name(ctx, site)} = {site.text} -> {new} in {site.path}:{site.line}",
                        notes=notes)

    def _follow_success(self, ctx: ProposalContext, sites: list[Site],
                        options_of: _OptionsOf, rng: random.Random
                        ) -> tuple[Site, str] | None:
        """After a kept change, half of the time push the same literal the same way again."""
        last = ctx.parent
        if last.status is not Status.KEPT or last.mutator != self.name or rng.random() < 0.5:
            return None
        by_key = {s.key: s for s in sites}
        site = by_key.get(str(last.notes.get("site")))
        old = parse_number(str(last.notes.get("old")))
        new = parse_number(str(last.notes.get("new")))
        if site is None or old is None or new is None or old == new:
            return None
        value = parse_number(site.text)
        assert value is not None
        same_way = [o for o in options_of(site) if ((parse_number(o) or 0) > value) == (new > old)]
        if not same_way:
            return None
        # The smallest step in the same direction as the success.
        same_way.sort(key=lambda o: abs((parse_number(o) or 0) - value))
        return site, same_way[0]


class _OptionsOf:
    """The untried neighbours of a site, within its knob's range when it is a knob."""

    def __init__(self, ranges: dict[str, Knob], tried: Tried) -> None:
        self.ranges, self.tried = ranges, tried

    def __call__(self, site: Site) -> list[str]:
        knob = self.ranges.get(site.key)
        return [o for o in neighbours(site.text) if (site.key, o) not in self.tried
                and (knob is None or knob.contains(parse_number(o) or 0))]


def _propose_knobs(ctx: ProposalContext, knobs: list[Knob]) -> Proposal:
    """Every knob set to TPE's next proposal (see `knobs/tpe.py`)."""
    trials = tpe.trials_from_history(ctx.history, ctx.parent, knobs,
                                     ctx.config.objective.direction)
    try:
        values = tpe.suggest(knobs, trials, tpe.seed_for(ctx.run, ctx.attempt_id))
    except tpe.NothingNew as exc:
        raise MutatorExhausted(str(exc)) from exc
    changes = [(k, k.text(values[k.key])) for k in knobs]
    replace_sites(ctx.workdir, [(k.site, text) for k, text in changes if text != k.site.text])
    moved = [f"{k.name} {k.site.text} -> {text}" for k, text in changes if text != k.site.text]
    return Proposal(f"tpe trial {len(trials) + 1}: " + ", ".join(moved),
                    notes={tpe.NOTE: values, tpe.PARENT_NOTE: {k.key: k.value for k in knobs},
                           "search": "tpe"})


def _name(ctx: ProposalContext, site: Site) -> str:
    line = (ctx.workdir / site.path).read_text(encoding="utf-8").splitlines()[site.line - 1]
    return assigned_name(line, site.col) or line.strip()[:40]
