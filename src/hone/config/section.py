"""The base of every `hone.toml` section: unknown keys, inf, nan and numbers beyond 64 bits
are errors; the bounds on numbers the sections share."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

# Bounds on numbers, so that a typo cannot overflow a timer, SQLite or a resource limit.
MAX_INT = 2**63 - 1  # what SQLite and git's tools hold
MAX_SECONDS = 366 * 86400.0  # a timeout of at most a year
MAX_REPEATS = 1000  # runs of one command for one measurement


class Section(BaseModel):
    # No inf or nan anywhere: `timeout = inf` would never time out.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _ints_fit(cls, value: Any) -> Any:
        """Every integer (alone or in a list) fits in 64 bits."""
        items = value if isinstance(value, list) else [value]
        if any(isinstance(v, int) and not -MAX_INT <= v <= MAX_INT for v in items):
            raise ValueError("a number beyond 64 bits")
        return value
