"""The engine's hook for code cost: account every attempt's complexity, review every decision.

`account` runs once per commit (cheap: only changed files are analysed); `review` applies the
complexity price, the simplification rule and the tie-breakers after the decider has spoken.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hone.complexity.measure import Complexity, ComplexityMeter
from hone.complexity.policy import review
from hone.config.model import Config
from hone.decide.base import Decision
from hone.records import Attempt, Measurement
from hone.sections import Section, SectionKind
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules

SIMPLIFY_BRIEF = Section(SectionKind.SIMPLIFY, "This is a simplification pass", tuple("""\
Do not try to raise the score. Make the code smaller or simpler while keeping the score within
noise of the champion: delete dead code and unused parameters, merge duplicated logic, drop
earlier changes that no longer pay for themselves, flatten needless branching. The change is
kept only if the score holds and the code got smaller (fewer lines of code) or simpler (less
cyclomatic complexity).""".splitlines()))


class Quality:
    def __init__(self, repo: Repo, rules: PathRules, config: Config,
                 simplify_only: bool = False) -> None:
        self.repo, self.rules, self.config = repo, rules, config
        self.meter = ComplexityMeter()
        # `hone simplify`: keep only smaller code whose score holds
        self.simplify_only = simplify_only

    def measure(self, workdir: Path, commit: str) -> Complexity:
        blobs = {p: b for p, b in self.repo.blobs(commit).items() if self.rules.is_editable(p)}
        return self.meter.measure(workdir, blobs)

    def account(self, attempt: Attempt, workdir: Path, commit: str) -> Attempt:
        """The attempt with its code's complexity in `code.complexity`."""
        cx = self.measure(workdir, commit)
        return replace(attempt, code=replace(attempt.code, complexity=cx.to_json()))

    def review(self, decision: Decision, attempt: Attempt, champion: Attempt,
               cand: list[Measurement], champ: list[Measurement]) -> Decision:
        verdict = review(decision, cand, champ,
                         Complexity.from_json(attempt.code.complexity),
                         Complexity.from_json(champion.code.complexity),
                         self.config, simplify_only=self.simplify_only)
        if verdict.keep == decision.keep and verdict.rule == decision.rule:
            return decision
        return replace(decision, keep=verdict.keep, rule=verdict.rule,
                       evidence={**decision.evidence, "kept_as": verdict.kind})

    def brief_sections(self) -> list[Section]:
        return [SIMPLIFY_BRIEF] if self.simplify_only else []
