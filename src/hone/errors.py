"""Exceptions that the CLI turns into one-line messages and exit codes."""

from __future__ import annotations


class HoneError(Exception):
    """A failure the user can act on; printed as one line, exit code 1."""

    exit_code = 1


class UsageError(HoneError):
    """Bad usage, bad config or bad input; printed as one line, exit code 2."""

    exit_code = 2


class ConfigError(UsageError):
    """The config file is missing, malformed or invalid."""


class RunLocked(HoneError):
    """Another `hone run` (or `tell`) already holds this run's lock."""
