"""The validated shape of `hone.toml` (or `[tool.hone]` in pyproject.toml).

Every section forbids unknown keys so that a typo is an error naming the key, not a silent default.
Plugin names (`mutator.kind`, `search.strategy`, `executor.kind`, `acceptance.rule`) are plain
strings here: the plugins register themselves and import this module, so the names are checked
against their registries by `hone.plugins.check`, a layer above (and again when one is built).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from hone.config.names import check_run_name
from hone.config.paths import jail_path_problem
from hone.config.section import MAX_REPEATS, MAX_SECONDS
from hone.config.section import Section as _Section
from hone.config.stages import GateSection as GateSection
from hone.config.stages import ObjectiveSection as ObjectiveSection


def _jail_paths(paths: list[str]) -> list[str]:
    """`paths` when none is `/` (the repository is checked where it is known, see
    `hone.config.paths.check_jail_paths`)."""
    for text in paths:
        problem = jail_path_problem(text, None)
        if problem:
            raise ValueError(problem)
    return paths


class RunSection(_Section):
    name: str = "main"
    goal: str = "Improve the score of the objective."

    @field_validator("name")
    @classmethod
    def _name_is_a_ref(cls, name: str) -> str:
        return check_run_name(name)


class FilesSection(_Section):
    editable: list[str] = Field(default_factory=list)
    protect: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    # Binary files a change may add or modify (data, images); bytecode never.
    allow_binary: list[str] = Field(default_factory=list)


class MutatorSection(_Section):
    kind: str = "classic"  # a registered mutator
    # the classic mutator's search over knobs (`hone: knob` lines): Optuna's TPE, neighbour
    # steps, or half of each (see mutators/classic.py)
    search: Literal["tpe", "neighbour", "mixed"] = "tpe"


class AgentSection(_Section):
    """The `agent` mutator: a coding-agent CLI, run in hone's jail (see mutators/agent/).

    The jail is the one of `[sandbox]` (its limits too) but with this section's network,
    environment and extra paths: the agent's API key is passed only when `env` names it.
    """

    command: str = ('claude -p "$(cat {brief})" --permission-mode acceptEdits '
                    "--output-format json")
    timeout: float = Field(1800.0, gt=0, le=MAX_SECONDS)  # per attempt
    jail: bool | Literal["auto"] = "auto"  # as `[sandbox] enabled`
    network: bool = True  # an agent calls its model over the network
    # NAME passes it through, NAME=VALUE sets it; the default is the default command's key
    env: list[str] = Field(default_factory=lambda: ["ANTHROPIC_API_KEY"])
    ro_paths: list[str] = Field(default_factory=list)  # its binary, its login folder
    rw_paths: list[str] = Field(default_factory=list)  # folders it must write (its state)
    max_consecutive_failures: int = Field(5, ge=1)  # then the run stops (resumable)
    # $ per million tokens, for agents that report tokens but no dollars (Codex)
    price_in: float = Field(0.0, ge=0)
    price_out: float = Field(0.0, ge=0)

    @field_validator("ro_paths", "rw_paths")
    @classmethod
    def _not_root(cls, paths: list[str]) -> list[str]:
        return _jail_paths(paths)


class LLMSection(_Section):
    model: str = ""
    base_url: str = ""
    temperature: float | None = 0.7
    max_tokens: int = Field(4096, ge=1)
    timeout: float = Field(120.0, gt=0, le=MAX_SECONDS)
    max_retries: int = Field(5, ge=0)
    max_consecutive_failures: int = Field(5, ge=1)
    price_in: float = Field(0.0, ge=0)
    price_out: float = Field(0.0, ge=0)
    prompt_token_budget: int = Field(12000, ge=500)
    # backoff: base * 2**n, capped, Retry-After wins
    retry_base_delay: float = Field(1.0, ge=0, le=MAX_SECONDS)
    retry_max_delay: float = Field(60.0, ge=0, le=MAX_SECONDS)
    lessons: int = Field(12, ge=0)  # size of the lessons playbook; 0 turns reflection off
    # Reflect on lessons once this many decided attempts wait (at once after a keep).
    reflect_every: int = Field(4, ge=1)
    # A candidate whose edits do not apply, or that fails a gate or the objective, gets one
    # repair turn: the next proposal fixes it, with the error in its prompt (loop/repair.py).
    repair: bool = True


class AcceptanceSection(_Section):
    """When a candidate is kept: minimum relative effect, confidence, and the run budget."""

    min_effect: float = Field(default=0.01, ge=0)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    max_repeats: int = Field(default=16, ge=1, le=MAX_REPEATS)
    initial_repeats: int = Field(default=2, ge=1, le=MAX_REPEATS)
    noise_runs: int = Field(default=5, ge=1, le=MAX_REPEATS)
    # Earlier champion runs a decision may compare with (0: only the fresh interleaved ones,
    # immune to drift of the machine but about half as sensitive).
    window: int = Field(default=30, ge=0)
    # Compare the champion's fresh runs with those earlier ones; when the machine drifted
    # since (they differ), decide on the fresh interleaved runs alone (decide/drift.py).
    drift_check: bool = True
    rule: str = "sequential"  # a registered decider
    # A gain must pay for the code it adds: each added line of code costs this much relative
    # gain (0.001: +10 lines need +1%). 0 turns the price off.
    complexity_weight: float = Field(default=0.0, ge=0)
    # Keep a change that removes code while the score stays within noise of the champion.
    simplify: bool = True
    # Equivalent variants of the baseline measured for equivalence noise (a keep must beat
    # their spread); None: 6 with an `[objective] equivalent` hook, else 0 (off).
    variants: int | None = Field(default=None, ge=0, le=MAX_REPEATS)
    # A change that only renames (Python, same syntax tree up to names) is not evaluated.
    refuse_renames: bool = True
    early_stop: bool = True  # stop a candidate clearly worse on its first seeds

    @model_validator(mode="after")
    def _initial_within_max(self) -> AcceptanceSection:
        if self.initial_repeats > self.max_repeats:
            raise ValueError("initial_repeats must not exceed max_repeats")
        return self


ExploreAction = Literal["verbalized", "temperature", "near_miss"]


class SearchSection(_Section):
    """How parents are chosen and how the search is kept from converging (see strategies/)."""

    strategy: str = "greedy"  # a registered strategy
    population: int = Field(8, ge=1)  # top-K parents of `population` (and of each island)
    exploit: float = Field(0.7, ge=0, le=1)  # share of parents drawn from the top-K
    near_miss: float = Field(0.05, ge=0)  # relative distance to the champion of a near-miss
    islands: int = Field(3, ge=1)
    migrate_every: int = Field(10, ge=1)  # attempts between migrations around the ring
    merge: bool = True  # propose three-way merges of lineages (population, islands)
    merge_every: int = Field(4, ge=1)  # at most one merge attempt in this many attempts
    dedupe: bool = True  # do not evaluate a change identical to one already evaluated
    similarity: float = Field(0.8, gt=0, le=1)  # hypotheses this similar are near-duplicates
    patience: int = Field(10, ge=0)  # attempts without a new champion before exploring; 0: never
    explore: list[ExploreAction] = Field(
        default_factory=lambda: list[ExploreAction](["verbalized", "temperature", "near_miss"]))
    categories: list[str] = Field(default_factory=list)  # rotated across attempts


class ExecutorSection(_Section):
    """Where evaluations run. `gpus`: one id per slot, given to it as CUDA_VISIBLE_DEVICES;
    `exclusive_objective`: gates of parallel slots overlap, objectives run one at a time."""

    kind: str = "local"  # a registered executor
    parallel: int = Field(1, ge=1, le=1024)
    ray_address: str = ""
    gpus: list[int] = Field(default_factory=list)
    exclusive_objective: bool = False
    max_retries: int = Field(3, ge=0)


class BudgetSection(_Section):
    attempts: int | None = Field(None, ge=0)
    hours: float | None = Field(None, gt=0, le=MAX_SECONDS / 3600)
    usd: float | None = Field(None, ge=0)


class LogsSection(_Section):
    max_bytes: int = Field(2_000_000, ge=1024)
    tail_lines: int = Field(30, ge=1)


class SandboxSection(_Section):
    """How gates, objective and holdout are jailed (see verify/sandbox.py)."""

    enabled: bool | Literal["auto"] = "auto"
    network: bool = False
    env: list[str] = Field(default_factory=list)  # NAME passes it through; NAME=VALUE sets it
    ro_paths: list[str] = Field(default_factory=list)  # hidden paths to show read-only again
    rw_paths: list[str] = Field(default_factory=list)  # writable besides the worktree (caches)
    # Resident memory of all the command's processes (a cgroup); RLIMIT_AS per process only
    # without a writable cgroup. 0: no limit.
    memory_mb: int = Field(8192, ge=0, le=2**40)
    cpu_seconds: int = Field(3600, ge=0, le=2**40)
    file_size_mb: int = Field(2048, ge=0, le=2**40)
    processes: int = Field(1024, ge=0, le=2**22)
    # what a command may write: /tmp's size, the worktree's quota
    disk_mb: int = Field(0, ge=0, le=2**40)
    # the serial loop builds an attempt's first jail while the mutator proposes (prestart.py)
    prestart: bool = True

    @field_validator("ro_paths", "rw_paths")
    @classmethod
    def _not_root(cls, paths: list[str]) -> list[str]:
        return _jail_paths(paths)


class HoldoutSection(_Section):
    """A second objective the proposer never sees, run on champions (see verify/holdout.py)."""

    run: str = ""
    score: str = ""  # default: the objective's score
    files: list[str] = Field(default_factory=list)  # hidden from the proposer's worktree
    timeout: float = Field(600.0, gt=0, le=MAX_SECONDS)
    repeats: int = Field(3, ge=1, le=MAX_REPEATS)
    gate: bool = False
    tolerance: float = Field(0.0, ge=0)  # relative drop tolerated on top of the noise


class AuditSection(_Section):
    """Static checks on kept diffs, and re-verification of implausible gains."""

    enabled: bool = True
    block: bool = False  # a flagged change is rejected instead of kept
    # a keep that vetting finds suspicious is held for `hone approve` / `hone veto` instead of
    # kept (false: kept, with its flags)
    hold: bool = True
    implausible_factor: float = Field(10.0, gt=1)


class NotifySection(_Section):
    """Your own command, run (outside the jail) when a run stops, holds an attempt or finds a
    new champion, with HONE_EVENT, HONE_RUN, HONE_ATTEMPT, HONE_SCORE set (loop/notify.py)."""

    command: str = ""
    timeout: float = Field(30.0, gt=0, le=MAX_SECONDS)


class Config(_Section):
    """The whole config. `objective` is the only required section."""

    run: RunSection = Field(default_factory=lambda: RunSection())
    objective: ObjectiveSection
    gates: list[GateSection] = Field(default_factory=list)
    files: FilesSection = Field(default_factory=lambda: FilesSection())
    mutator: MutatorSection = Field(default_factory=lambda: MutatorSection())
    agent: AgentSection = Field(default_factory=lambda: AgentSection())
    llm: LLMSection = Field(default_factory=lambda: LLMSection())
    acceptance: AcceptanceSection = AcceptanceSection()
    search: SearchSection = Field(default_factory=lambda: SearchSection())
    executor: ExecutorSection = Field(default_factory=lambda: ExecutorSection())
    budget: BudgetSection = Field(default_factory=lambda: BudgetSection())
    logs: LogsSection = Field(default_factory=lambda: LogsSection())
    sandbox: SandboxSection = Field(default_factory=lambda: SandboxSection())
    holdout: HoldoutSection = Field(default_factory=lambda: HoldoutSection())
    audit: AuditSection = Field(default_factory=lambda: AuditSection())
    notify: NotifySection = Field(default_factory=lambda: NotifySection())

    @model_validator(mode="before")
    @classmethod
    def _agent_keys_of_old(cls, raw: Any) -> Any:
        """`[mutator] agent_command` / `agent_timeout` (hone before `[agent]`) still work."""
        if not isinstance(raw, dict) or not isinstance(raw.get("mutator"), dict):
            return raw
        mutator = dict(raw["mutator"])
        moved = {new: mutator.pop(old) for old, new in (("agent_command", "command"),
                                                         ("agent_timeout", "timeout"))
                 if old in mutator}
        if not moved:
            return raw
        agent = dict(raw.get("agent") or {})
        if set(moved) & set(agent):
            raise ValueError("the agent's command and timeout are set twice: keep [agent] "
                             "command/timeout and drop [mutator] agent_command/agent_timeout")
        return {**raw, "mutator": mutator, "agent": {**agent, **moved}}

    @model_validator(mode="after")
    def _name_gates(self) -> Config:
        for i, gate in enumerate(self.gates):
            if not gate.name:
                object.__setattr__(gate, "name", f"gate{i + 1}")
        names = [g.name for g in self.gates]
        if len(set(names)) != len(names):
            raise ValueError("gate names must be unique")
        return self
