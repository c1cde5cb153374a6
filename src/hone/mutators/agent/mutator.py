"""The `agent` mutator: a coding-agent CLI run in hone's jail inside the attempt's worktree.

The command template (`[agent] command`) may use `{brief}` (path of the brief file),
`{workdir}` and `{files}` (the editable files, quoted, relative to the worktree); whatever the
agent changed in the worktree becomes the attempt. A `Hypothesis: ...` line in its answer names
the idea. Its tokens and dollars are recorded when it reports them (see `usage`).
"""

from __future__ import annotations

import os
import re
import shlex

from hone.config.model import AgentSection, Config, SandboxSection
from hone.mutators.agent.jail import jail_settings, preflight
from hone.mutators.agent.usage import AgentReport, read_report
from hone.mutators.base import MUTATORS, Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.mutators.llm.retry import FailureStreak
from hone.records import Cost
from hone.verify import sandbox
from hone.verify.metrics import stdout_text
from hone.verify.process import CommandResult, run_command
from hone.verify.scrub import scrub

_HYPOTHESIS = re.compile(r"^\s*\**\s*hypothesis\s*\**\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


@MUTATORS.register("agent")
class AgentMutator(Mutator):
    """Runs `[agent] command` once per attempt, jailed (see `jail`). A failed run (non-zero
    exit, timeout, a limit) fails the attempt; `max_consecutive_failures` of them in a row
    stop the run (`MutatorExhausted`), so a missing or broken agent cannot burn attempts."""

    name = "agent"

    @classmethod
    def from_config(cls, config: Config) -> Mutator:
        preflight(config, os.environ)
        return cls(config)

    def __init__(self, config: Config) -> None:
        self.config = config
        self.settings: AgentSection = config.agent
        self.streak = FailureStreak(config.agent.max_consecutive_failures)

    def propose(self, ctx: ProposalContext) -> Proposal:
        res = self._run(ctx, jail_settings(self.config, ctx.brief_path))
        report = read_report(stdout_text(res.stdout_path, res.stdout_tail,
                                         self.config.logs.max_bytes))
        texts = {"agent_output": res.stdout_tail[-20000:] + res.stderr_tail[-5000:]}
        cost = self._cost(report)
        failure = self._failure(res)
        if failure:
            if self.streak.failure(failure):
                raise MutatorExhausted(f"{self.streak.count} agent runs failed in a row, last: "
                                       f"{failure} (fix it, then `hone run` resumes)")
            return Proposal("", failure=failure, texts=texts, cost=cost)
        self.streak.success()
        found = _HYPOTHESIS.findall(report.text)
        hypothesis = found[-1].strip() if found else "agent change (no Hypothesis line given)"
        return Proposal(hypothesis[:500], texts=texts, cost=cost)

    def _run(self, ctx: ProposalContext, settings: SandboxSection) -> CommandResult:
        files = " ".join(shlex.quote(f) for f in ctx.editable)
        cmd = (self.settings.command.replace("{brief}", shlex.quote(str(ctx.brief_path)))
               .replace("{workdir}", shlex.quote(str(ctx.workdir))).replace("{files}", files))
        stem = ctx.brief_path.with_suffix("")
        environ = {**os.environ, "HONE_BRIEF": str(ctx.brief_path),
                   "HONE_WORKDIR": str(ctx.workdir)}
        with sandbox.launch(cmd, ctx.workdir, settings, environ) as how:
            return run_command(how.argv, ctx.workdir, stem.with_name(stem.name + ".agent"),
                               self.settings.timeout, how.env, self.config.logs.max_bytes,
                               how.preexec)

    def _failure(self, res: CommandResult) -> str:
        if res.timed_out:
            return f"agent timed out after {self.settings.timeout:g}s"
        if res.killed:
            return f"agent stopped: {res.killed}"
        if res.returncode != 0:
            return (f"agent exited with code {res.returncode}: "
                    + scrub(res.tail(3)).replace("\n", " | "))
        return ""

    def _cost(self, report: AgentReport) -> Cost | None:
        """Tokens and dollars as the agent reported them; dollars from `[agent] price_in/out`
        when it gave tokens only. None when it reported nothing."""
        if not report.reported:
            return None
        usd = report.usd
        if usd is None:
            usd = (report.tokens_in * self.settings.price_in
                   + report.tokens_out * self.settings.price_out) / 1e6
        return Cost(report.tokens_in, report.tokens_out, round(usd, 8), report.model,
                    max(report.calls, 1))
