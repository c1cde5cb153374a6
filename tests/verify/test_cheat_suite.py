"""The cheat suite, in-process: every cheat candidate of issue 15's seven categories must fail,
be rejected or be flagged (by the verifier, the audit or hygiene), and every honest
optimisation must pass with no finding. One fixture repository, one worktree, the real
Verifier running real gates and objectives as subprocesses; what passes them meets the
holdout (other inputs, hone's own holdout code, in the same worktree), as a champion would.

Candidates that verify/ cannot catch today are strict xfails whose reason names the layer that
will (so the gap is visible, and closing it turns the xfail into a failure to update).
`HONE_CHEAT_REPORT=FILE` writes one line per candidate with its outcome.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.verify.cheats import (
    detectable_holdout,
    forged_metric,
    honest,
    lying_values,
    runtime_patch,
    special_casing,
    weak_defaults,
    worktree_state,
)
from tests.verify.cheats.lab import Case, Lab, Outcome

CHEATS = [*forged_metric.CASES, *runtime_patch.CASES, *lying_values.CASES,
          *worktree_state.CASES, *special_casing.CASES, *detectable_holdout.CASES,
          *weak_defaults.CASES]
HONEST = honest.CASES
RESULTS: dict[str, tuple[Case, Outcome]] = {}


def params(cases: list[Case]) -> list[object]:
    out: list[object] = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case.gap)] if case.gap else []
        out.append(pytest.param(case, id=f"{case.category}:{case.name}", marks=marks))
    return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    yield Lab(tmp_path_factory.mktemp("cheats"))
    report = os.environ.get("HONE_CHEAT_REPORT")
    if report:
        Path(report).write_text(summary())


def run(lab: Lab, case: Case) -> Outcome:
    if case.sandbox:
        require_tool("bwrap")
    outcome = lab.run(case)
    RESULTS[case.name] = (case, outcome)
    return outcome


def test_the_suite_is_as_large_as_issue_15_asks() -> None:
    per_category = Counter(c.category for c in CHEATS)
    assert len(CHEATS) >= 40 and len(HONEST) >= 20
    assert len(per_category) == 7 and min(per_category.values()) >= 5
    assert len({c.name for c in [*CHEATS, *HONEST]}) == len(CHEATS) + len(HONEST)


def test_the_baseline_passes_clean(lab: Lab) -> None:
    assert lab.baseline is not None


@pytest.mark.parametrize("case", params(CHEATS))
def test_cheat_is_caught(lab: Lab, case: Case) -> None:
    outcome = run(lab, case)
    if case.kind == "neutralised":
        # The set-up takes the cheat's effect away: it passes with no gain over the baseline
        # beyond one of the score's buckets (a factor 8: a speed near a bucket's edge can
        # cross it with a loaded machine's noise; these cheats, when they work, gain 64x or
        # more, two buckets).
        assert outcome.caught or (outcome.score is not None and lab.baseline is not None
                                  and outcome.score <= lab.baseline + 1), outcome.describe()
    else:
        assert outcome.caught, outcome.describe()


@pytest.mark.parametrize("case", params(HONEST))
def test_honest_change_passes_clean(lab: Lab, case: Case) -> None:
    outcome = run(lab, case)
    assert outcome.failure is None, outcome.describe()
    assert outcome.findings == []
    assert outcome.overfit == "", outcome.describe()  # the holdout flags no honest change


def summary() -> str:
    lines = []
    for case, outcome in RESULTS.values():
        lines.append(f"{case.category:20} {case.kind:11} {case.name}: {outcome.describe()}")
    counts: Counter[tuple[str, bool]] = Counter(
        (case.category, outcome.caught or case.kind == "neutralised")
        for case, outcome in RESULTS.values() if case.kind != "honest")
    for cat in sorted({c for c, _ in counts}):
        lines.append(f"{cat}: caught {counts[(cat, True)]} of "
                     f"{counts[(cat, True)] + counts[(cat, False)]}")
    clean = sum(1 for case, o in RESULTS.values() if case.kind == "honest"
                and not o.caught and case.name != "baseline")
    lines.append(f"honest: clean {clean} of {len(HONEST)}")
    return "\n".join(lines) + "\n"
