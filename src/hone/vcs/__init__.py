"""Git: the repository, hone's refs, hone-owned worktrees, path rules."""
