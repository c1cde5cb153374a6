"""The `agent` mutator (`mutator.AgentMutator`): a coding-agent CLI run in hone's jail inside the
attempt's worktree; `jail` builds its sandbox and checks its command before a run, `usage` reads
the tokens and dollars an agent reports. Kept import-free (see hone.registry)."""
