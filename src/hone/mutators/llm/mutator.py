"""The `llm` mutator: build the prompt, call the model, apply its edits; reflect meanwhile.

One `propose` takes the lessons (mutators/llm/reflector.py, which queues a reflection on the
attempts decided since, to run while this attempt is measured), makes one proposal call with
retries, then parses and applies the SEARCH/REPLACE edits all-or-nothing.
Every prompt and answer is returned as attempt texts; tokens and dollars go into the record.
Parallel slots call `propose` from several threads: per-attempt settings (the temperature of an
exploring attempt) travel as arguments of the calls, never as state of the shared provider.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hone.config.model import Config
from hone.mutators.base import (
    MUTATORS,
    Mutator,
    MutatorExhausted,
    Proposal,
    ProposalContext,
    RunEnd,
)
from hone.mutators.llm.edits import (
    EditFailed,
    EditRejected,
    apply_edits,
    parse_edits,
    parse_hypothesis,
)
from hone.mutators.llm.ideas import already_tried, similar_idea, temperature, verbalized_candidates
from hone.mutators.llm.lessons import lessons_path, playbook_path
from hone.mutators.llm.prompt import build_prompt
from hone.mutators.llm.providers import (
    CallFailed,
    Completion,
    Fatal,
    Provider,
    Sampling,
    make_provider,
)
from hone.mutators.llm.reflector import Reflector, Usage
from hone.mutators.llm.retry import FailureStreak, RetryLog, RetryPolicy, with_retries
from hone.mutators.llm.tokens import TokenMeter


@MUTATORS.register("llm")
class LLMMutator(Mutator):
    name = "llm"

    @classmethod
    def from_config(cls, config: Config) -> Mutator:
        return cls(config)

    def __init__(self, config: Config, provider: Provider | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 reflect_every: int | None = None) -> None:
        s = config.llm
        self.settings = s
        self.provider = provider or make_provider(s)
        self.model = s.model
        self.policy = RetryPolicy(retries=s.max_retries, base_delay=s.retry_base_delay,
                                  max_delay=s.retry_max_delay)
        self.sleep = sleep
        self.streak = FailureStreak(s.max_consecutive_failures)
        self.repairs = s.repair
        self.meter = TokenMeter()
        self.reflector = Reflector(s.lessons, reflect_every or s.reflect_every,
                                   lambda system, user, usage: self._call(system, user, usage,
                                                                          retries=1))

    # -- one attempt -------------------------------------------------------------------------
    def propose(self, ctx: ProposalContext) -> Proposal:
        usage = Usage()
        texts: dict[str, str] = {}
        lessons = ""
        if self.settings.lessons > 0:
            lessons = self.reflector.lessons(lessons_path(ctx.brief_path, ctx.run), ctx.history,
                                             ctx.config, usage, texts)
        return self._propose(ctx, lessons, usage, texts)

    def _propose(self, ctx: ProposalContext, lessons: str, usage: Usage,
                 texts: dict[str, str]) -> Proposal:
        if lessons:
            texts["lessons"] = lessons
        parts = build_prompt(ctx, lessons, self.meter, self.settings.prompt_token_budget)
        texts["prompt"] = f"## system\n{parts.system}\n\n## user\n{parts.user}"
        prompt_notes = {"prompt_tokens_estimate": parts.tokens, "files_whole": parts.whole,
                        "files_mapped": parts.mapped}

        def done(hypothesis: str, failure: str = "", rejected: str = "", stage: str = ""
                 ) -> Proposal:
            cost = usage.cost(self.provider.model, self.settings.price_in,
                              self.settings.price_out)
            return Proposal(hypothesis, failure=failure, rejected=rejected, texts=texts,
                            cost=cost, notes={**usage.notes(), **prompt_notes}, stage=stage)

        sampling = Sampling(temperature(self.settings.temperature, ctx.hints.get("explore")))
        if sampling.temperature != self.settings.temperature:
            prompt_notes["temperature"] = sampling.temperature
        try:
            answer = self._call(parts.system, parts.user, usage, sampling)
            answer = self._unless_tried(ctx, parts.system, parts.user, answer, usage, texts,
                                        prompt_notes, sampling)
        except CallFailed as exc:
            reason = f"LLM call failed: {exc}"
            if isinstance(exc, Fatal) or self.streak.failure(reason):
                why = str(exc) if isinstance(exc, Fatal) else (
                    f"{self.streak.count} LLM calls failed in a row, last: {exc}")
                raise MutatorExhausted(f"{why} (fix it, then `hone run` resumes)") from None
            return done("", failure=reason)
        self.streak.success()
        self.meter.observe(len(parts.system) + len(parts.user), answer.tokens_in)
        texts["response"] = answer.text
        return self._apply(ctx, answer, done)

    def _apply(self, ctx: ProposalContext, answer: Completion,
               done: Callable[..., Proposal]) -> Proposal:
        parsed = parse_edits(answer.text)
        hypothesis = parsed.hypothesis
        if answer.finish == "refusal":
            why = answer.refusal or answer.text
            return done(hypothesis, failure="the model refused: "
                        + (" ".join(why.split())[:200] or "(no reason given)"))
        if not answer.text.strip():
            return done("", failure=f"empty answer (finish reason {answer.finish!r})")
        if answer.finish == "length":
            return done(hypothesis, failure="answer cut short at max_tokens="
                        f"{self.settings.max_tokens} (raise [llm] max_tokens or ask for less)")
        if parsed.problems:
            return done(hypothesis, failure="unusable answer: " + "; ".join(parsed.problems))
        if not parsed.edits:
            return done(hypothesis, failure="no SEARCH/REPLACE block in the answer: "
                        + " ".join(answer.text.split())[:120])
        hypothesis = hypothesis or "llm change (no Hypothesis line given)"
        from hone.vcs.paths import rules_for

        rules = rules_for(tuple(ctx.config.files.editable), tuple(ctx.config.files.protect))
        try:
            apply_edits(ctx.workdir, parsed.edits, rules)
        except EditRejected as exc:
            return done(hypothesis, rejected=str(exc))
        except EditFailed as exc:  # the stage a repair turn looks for (loop/repair.py)
            return done(hypothesis, failure=str(exc), stage="edit")
        return done(hypothesis)

    # -- novelty -----------------------------------------------------------------------------
    def _unless_tried(self, ctx: ProposalContext, system: str, user: str, answer: Completion,
                      usage: Usage, texts: dict[str, str], notes: dict[str, Any],
                      sampling: Sampling) -> Completion:
        """Send an answer whose hypothesis is a near-duplicate of a tried idea back, once."""
        candidates = verbalized_candidates(answer.text)
        if candidates:
            notes["verbalized"] = candidates
        # A repair takes up the idea of the attempt it repairs: that one is no twin.
        fixing = ctx.repair_of.id if ctx.repair_of is not None else None
        twin = similar_idea(parse_hypothesis(answer.text),
                            [a for a in ctx.history if a.id != fixing],
                            ctx.config.search.similarity)
        if twin is None:
            return answer
        texts["response_first"] = answer.text
        again = user + "\n\n" + already_tried(answer.text, twin)
        texts["prompt_again"] = again
        notes["near_duplicate_of"] = twin.id
        try:
            return self._call(system, again, usage, sampling)
        except CallFailed as exc:  # the first answer is still a proposal
            texts["response_again"] = f"(call failed: {exc})"
            return answer

    # -- calls -------------------------------------------------------------------------------
    def _call(self, system: str, user: str, usage: Usage, sampling: Sampling | None = None,
              retries: int | None = None) -> Completion:
        """One call with retries; `sampling` None samples as the config says."""
        log = RetryLog()
        policy = self.policy if retries is None else RetryPolicy(
            retries, self.policy.base_delay, self.policy.max_delay)
        try:
            answer = with_retries(lambda: self.provider.complete(system, user, sampling), policy,
                                  self.sleep, log)
        finally:
            usage.retries += len(log.waits)
            usage.waited += sum(log.waits)
            usage.errors += log.errors
        usage.add(answer)
        return answer

    # -- lessons -----------------------------------------------------------------------------
    def finish(self, end: RunEnd) -> Proposal | None:
        """Reflect on the attempts decided since the last reflection, the last one included,
        whatever `reflect_every` says (no later proposal would). Not after the model failed
        the last call: the run stopped because it is unreachable."""
        if self.settings.lessons <= 0 or self.streak.count:
            return None
        usage = Usage()
        texts: dict[str, str] = {}
        self.reflector.final(playbook_path(end.hone_dir, end.run), end.history, end.config,
                             usage, texts)
        if not usage.calls:
            return None
        return Proposal("", texts=texts, cost=usage.cost(self.provider.model,
                                                          self.settings.price_in,
                                                          self.settings.price_out))
