"""The `agent` mutator: a coding-agent CLI run inside the attempt's worktree.

The command template may use `{brief}` (path of the brief file) and `{workdir}`; whatever the
agent changed in the worktree becomes the attempt. A `Hypothesis: ...` line in its output names
the idea.
"""

from __future__ import annotations

import os
import re
import shlex

from hone.config.model import Config
from hone.mutators.base import MUTATORS, Mutator, Proposal, ProposalContext
from hone.verify.process import run_command

_HYPOTHESIS = re.compile(r"^\s*\**\s*hypothesis\s*\**\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


@MUTATORS.register("agent")
class AgentMutator(Mutator):
    name = "agent"

    @classmethod
    def from_config(cls, config: Config) -> Mutator:
        return cls(config.mutator.agent_command, config.mutator.agent_timeout)

    def __init__(self, command: str, timeout: float) -> None:
        self.command, self.timeout = command, timeout

    def propose(self, ctx: ProposalContext) -> Proposal:
        cmd = (self.command.replace("{brief}", shlex.quote(str(ctx.brief_path)))
               .replace("{workdir}", shlex.quote(str(ctx.workdir))))
        log_stem = ctx.brief_path.with_suffix("")
        env = {**os.environ, "HONE_BRIEF": str(ctx.brief_path), "HONE_WORKDIR": str(ctx.workdir)}
        res = run_command(["bash", "-c", cmd], ctx.workdir, log_stem.with_name(
            log_stem.name + ".agent"), self.timeout, env)
        texts = {"agent_output": res.stdout_tail[-20000:] + res.stderr_tail[-5000:]}
        if res.timed_out:
            return Proposal("", failure=f"agent timed out after {self.timeout:g}s", texts=texts)
        if res.returncode != 0:
            return Proposal("", failure=f"agent exited with code {res.returncode}: "
                            + res.tail(3).replace("\n", " | "), texts=texts)
        found = _HYPOTHESIS.findall(res.stdout_tail)
        hypothesis = found[-1].strip() if found else "agent change (no Hypothesis line given)"
        return Proposal(hypothesis[:500], texts=texts)
