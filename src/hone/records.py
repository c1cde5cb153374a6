"""Immutable records shared by the loop, the journal and the CLI."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """Lifecycle of an attempt (see PRODUCT.md, Words)."""

    BASELINE = "baseline"
    RUNNING = "running"
    KEPT = "kept"
    DISCARDED = "discarded"
    FAILED = "failed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    HELD = "held"  # would be kept, but a safeguard found something a person must approve
    VETOED = "vetoed"  # taken back by `hone veto`

    @property
    def decided(self) -> bool:
        return self is not Status.RUNNING


@dataclass(frozen=True)
class Measurement:
    """One run of the objective on one commit: the metrics it printed and the score.
    `seconds` and `cpu_seconds`: the process's own wall and CPU time, as hone timed it
    (verify/process.py), whatever the objective claims."""

    attempt_id: int
    seed: int
    score: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    kind: str = "objective"  # objective | holdout | confirm | equivalence
    feedback: str = ""  # the `feedback` text of its JSON record (not kept by the store)
    cpu_seconds: float = 0.0


class Purpose(enum.StrEnum):
    """Why a measurement job runs; every one goes through the run's executor."""

    VERIFY = "verify"  # gates, then the objective: a new attempt
    BASELINE = "baseline"  # the baseline's runs, its noise floor included
    REMEASURE = "remeasure"  # one more objective run for the decider
    REVERIFY = "reverify"  # gates and objective again from a clean tree (outsized gains)
    HOLDOUT = "holdout"  # the objective the proposer never sees
    CONFIRM = "confirm"  # the final champion-against-baseline runs
    EQUIVALENCE = "equivalence"  # the objective on an equivalent variant (equivalence noise)

    @property
    def gates(self) -> bool:
        """Whether this purpose runs the gates before the objective."""
        return self in (Purpose.VERIFY, Purpose.BASELINE, Purpose.REVERIFY)


class Event(enum.StrEnum):
    """What the loop tells its observers (the live view, the line printer)."""

    BASELINE_START = "baseline-start"
    BASELINE_RUN = "baseline-run"  # one run of the baseline finished; `reason` says which
    BASELINE = "baseline"
    START = "start"
    VERIFY = "verify"
    DECIDED = "decided"
    CHAMPION = "champion"


@dataclass(frozen=True)
class Cost:
    """What proposing an attempt cost: LLM tokens and dollars (journal keys `tokens_in`,
    `tokens_out`, `usd`, `model`, `llm_calls`)."""

    tokens_in: int = 0
    tokens_out: int = 0
    usd: float = 0.0
    model: str = ""
    calls: int = 0


def added_cost(a: Cost | None, b: Cost) -> Cost:
    """`a` and `b` together (one attempt's calls made at two moments)."""
    if a is None:
        return b
    return Cost(a.tokens_in + b.tokens_in, a.tokens_out + b.tokens_out, a.usd + b.usd,
                a.model or b.model, a.calls + b.calls)


def spend_json(cost: Cost | None) -> dict[str, Any]:
    """`tokens_in`, `tokens_out` and `usd` as listings show them; None where nothing was
    recorded (an attempt no LLM proposed)."""
    if cost is None:
        return {"tokens_in": None, "tokens_out": None, "usd": None}
    return {"tokens_in": cost.tokens_in, "tokens_out": cost.tokens_out, "usd": cost.usd}


@dataclass(frozen=True)
class CodeStats:
    """The size of an attempt's change against its parent and the complexity of its code; None
    where not measured (the baseline has a complexity but no diff)."""

    lines_added: int | None = None
    lines_removed: int | None = None
    files_touched: int | None = None
    complexity: dict[str, Any] | None = None  # `Complexity.to_json()`


@dataclass(frozen=True)
class Lineage:
    """What identifies an attempt's code: its git tree and the key of its diff (duplicates)."""

    diff_key: str = ""
    tree: str = ""


@dataclass(frozen=True)
class DecisionRecord:
    """The rule that decided an attempt, the champion's score it was judged against and the
    decider's evidence (numbers, plus `kept_as` from the code-cost policy)."""

    rule: str
    champion_score: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def kept_as(self) -> str | None:
        kind = self.evidence.get("kept_as")
        return kind if isinstance(kind, str) else None

    def to_json(self) -> dict[str, Any]:
        """The journal's `decision` object: rule and champion score beside the evidence."""
        return {"rule": self.rule, "champion_score": self.champion_score, **self.evidence}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionRecord:
        evidence = {k: v for k, v in data.items() if k not in ("rule", "champion_score")}
        score = data.get("champion_score")
        return cls(str(data.get("rule", "")),
                   float(score) if isinstance(score, int | float) else None, evidence)


@dataclass(frozen=True)
class VettingRecord:
    """What vetting a would-be champion found (audit, gain, clean re-verification, holdout),
    and the final holdout written on the champion at the end of a run. None: not done."""

    audit: list[dict[str, Any]] | None = None  # findings, as `audit.findings_json` gives them
    gain: float | None = None  # relative gain over the champion (positive: better)
    reverified: dict[str, Any] | None = None  # claimed_gain, clean_gain, passed
    holdout: dict[str, Any] | None = None  # score, vs_champion, vs_baseline (or failed)
    overfit: bool = False
    held_back: bool = False
    holdout_final: dict[str, Any] | None = None
    # the claimed speed-up against the process's own time (`Corroboration.to_json`)
    corroboration: dict[str, Any] | None = None

    @property
    def uncorroborated(self) -> str:
        """Why the process's own time does not bear out the claimed speed-up ('' when it
        does, or was not checked)."""
        return str((self.corroboration or {}).get("finding") or "")


class ReviewAction(enum.StrEnum):
    """A person's word on an attempt, or what a veto did to a descendant."""

    APPROVED = "approved"  # `hone approve`: held, now kept
    VETOED = "vetoed"  # `hone veto`: kept or held, now vetoed
    TAINTED = "tainted"  # descends from a vetoed attempt; its status is left as it was


@dataclass(frozen=True)
class Review:
    """Who decided what on an attempt after the loop did (journal key `review`): `by` is the
    user's login, `at` the time, `was` the status before, `source` the vetoed ancestor of a
    tainted attempt, `note` what the person said (`--reason`)."""

    action: ReviewAction
    by: str
    at: float
    was: str
    source: int | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "by": self.by, "at": self.at, "was": self.was,
                "source": self.source, "note": self.note}


@dataclass(frozen=True)
class Placement:
    """Where and when the executor ran an attempt's verification."""

    slot: str
    host: str = ""
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Hints:
    """The plan's notes for an attempt: the stagnation action and how long the run is stuck,
    the category to focus on, the island and why this parent was picked."""

    explore: str | None = None
    stuck: int | None = None
    category: str | None = None
    island: int | None = None
    pick: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The hints that are set, under their journal keys."""
        return {k: v for k, v in (("explore", self.explore), ("stuck", self.stuck),
                                  ("category", self.category), ("island", self.island),
                                  ("pick", self.pick)) if v is not None}


@dataclass(frozen=True)
class Noise:
    """The baseline's noise floor (`NoiseFloor.to_json()`) and the warning it led to."""

    floor: dict[str, Any]
    warning: str = ""


@dataclass(frozen=True)
class GateFlake:
    """A gate that both failed and passed on the same code: `passed` of its `runs` runs
    passed (see `[[gates]] retries`). Shown as a flag: the test, or the machine, is flaky."""

    gate: str
    passed: int
    runs: int

    def __str__(self) -> str:
        return f"flaky gate {self.gate}: passed {self.passed} of {self.runs} runs"


@dataclass(frozen=True)
class Attempt:
    """One proposed change: a git commit with its verdict. Id 0 is the baseline.

    The sub-records after `parent2` are kept in the journal's `extra` JSON under the key names
    of `store/extra.py`; None (or a default record) means the attempt has no such value."""

    run: str
    id: int
    parent: int | None
    commit: str | None
    status: Status
    score: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    hypothesis: str = ""
    mutator: str = ""
    stage: str = ""
    reason: str = ""
    log_tail: str = ""
    started: float = 0.0
    finished: float | None = None
    parent2: int | None = None
    cost: Cost | None = None
    code: CodeStats = CodeStats()
    lineage: Lineage = Lineage()
    decision: DecisionRecord | None = None
    vetting: VettingRecord = VettingRecord()
    placement: Placement | None = None
    noise: Noise | None = None  # the baseline only
    hints: Hints = Hints()
    feedback: str = ""  # what the objective said of its last decided run (`feedback` text)
    asked: bool = False  # handed out by `hone ask`, not told yet
    told: bool = False  # `hone tell` came back for it
    flakes: tuple[GateFlake, ...] = ()  # gates that failed and passed on this code
    retry_of: int | None = None  # the attempt whose change `hone retry` verified again
    repair_of: int | None = None  # the failed attempt whose failure this one fixes (repair turn)
    review: Review | None = None  # `hone approve` / `hone veto`, or tainted by a veto
    # Free-form values each written and read by one plugin (classic's site, ablate's hunk,
    # merge parents, LLM call details), and keys of older journals this version does not know:
    # kept so that rewriting a row loses nothing.
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float | None:
        return None if self.finished is None else self.finished - self.started

    @property
    def tainted(self) -> bool:
        """Descends from a vetoed attempt: never a champion or a parent again."""
        return self.review is not None and self.review.action is ReviewAction.TAINTED
