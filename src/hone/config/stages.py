"""The `[objective]` and `[[gates]]` sections of `hone.toml`: what is measured and what must
pass first (part of `hone.config.model`, which re-exports them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from hone.config.section import MAX_INT, MAX_REPEATS, MAX_SECONDS
from hone.config.section import Section as _Section
from hone.direction import Direction


class ObjectiveSection(_Section):
    run: str = Field(min_length=1)
    score: str = "score"
    direction: Direction = Direction.MAX
    timeout: float = Field(600.0, gt=0, le=MAX_SECONDS)
    seeds: list[Annotated[int, Field(ge=0, le=MAX_INT)]] | None = Field(
        None, max_length=MAX_REPEATS)
    repeats: int = Field(1, ge=1, le=MAX_REPEATS)
    aggregation: Literal["median", "mean", "min", "max"] = "median"
    # Secondary metrics: `luts <= 6000` must hold on every run (else stage `constraint`);
    # `min luts` decides between candidates whose scores are equal within noise.
    constraints: list[str] = Field(default_factory=list)
    tie_breakers: list[str] = Field(default_factory=list)
    # What one run leaves for the next (gitignore patterns, e.g. a synthesis cache); every
    # other file a run writes is gone before the next run.
    outputs: list[str] = Field(default_factory=list)
    # Writes a semantically equivalent variant into the worktree (`{variant}`, HONE_VARIANT:
    # its number), e.g. a renaming of internal signals: equivalence noise for non-Python code.
    equivalent: str = ""
    # What the score measures: a claimed speed-up of a "time" or a "rate" is checked against
    # the process's own CPU time (verify/corroborate.py); "other" (a quality) is not.
    measures: Literal["time", "rate", "other"] = "other"
    # Run before the objective: a candidate worse there than the champion by the margin ends.
    screen: str = ""
    screen_margin: float = Field(0.05, ge=0, le=MAX_INT)

    @field_validator("constraints")
    @classmethod
    def _parse_constraints(cls, values: list[str]) -> list[str]:
        from hone.errors import UsageError
        from hone.expr.constraints import Constraint

        for text in values:
            try:
                Constraint(text)
            except UsageError as exc:
                raise ValueError(str(exc)) from None
        return values

    @field_validator("tie_breakers")
    @classmethod
    def _parse_tie_breakers(cls, values: list[str]) -> list[str]:
        for text in values:
            words = text.split()
            if len(words) != 2 or words[0] not in ("min", "max"):
                raise ValueError(f"tie-breaker {text!r} must read 'min NAME' or 'max NAME'")
        return values

    @model_validator(mode="after")
    def _margin_needs_screen(self) -> ObjectiveSection:
        if self.screen_margin != 0.05 and not self.screen.strip():  # 0.05: the default
            raise ValueError("screen_margin is set but screen (the quick command) is not")
        return self

    def seed_list(self) -> list[int]:
        """The seeds an attempt is measured with: `seeds`, else 1..repeats."""
        return list(self.seeds) if self.seeds else list(range(1, self.repeats + 1))


class GateSection(_Section):
    run: str = Field(min_length=1)
    name: str = ""
    timeout: float = Field(600.0, gt=0, le=MAX_SECONDS)
    # Runs again after a failure (a timeout too), up to this many times; a pass that comes
    # only after a failure must then repeat this many times in a row (verify/retries.py).
    retries: int = Field(0, ge=0, le=100)
    # What this gate leaves for later stages (gitignore patterns, e.g. `build/**`); every
    # other file it writes is gone before the next stage.
    outputs: list[str] = Field(default_factory=list)
