"""Corroboration: does the process's own time, as hone timed it, bear out a claimed speed-up?

hone times every objective process itself (verify/process.py: wall seconds, and CPU seconds of
the process and the descendants it waited for). When the score measures speed
(`[objective] measures = "time"` or `"rate"`), a candidate that claims to be faster than its
reference (its parent) is checked against those times.

The rule (`corroborate`), stated precisely. Let C0 and C1 be the median process CPU seconds of
the reference's and the candidate's objective runs, g the claimed speed-up factor (a time:
reference score / candidate score; a rate: candidate score / reference score). When g > 1 the
claim is *not corroborated* if

    C1 > C0 + max(REL_MARGIN * C0, ABS_MARGIN, SPREAD_MARGIN * spread(C0 runs))

with C0, C1 taken over ROUNDS fresh runs of reference and candidate, interleaved. Those fresh
runs are made only on a suspicion: the same test with SUSPECT_MARGIN on the runs the decision
already had (without a way to rerun, the full margin on those runs decides). So: the timed part
claims to have become faster while the whole process spent clearly more CPU time (half as much
again) than the reference's, under the same load. A claim explains a process that got faster
(by any amount) or stayed as fast; it can never explain one that got slower: work moved before
the timer (answers precomputed at import, a warm-up that fills a cache) shows there.

Calibration at the reference: the margin grows with the reference's own CPU time and with the
spread of its runs, so a loaded machine's noise is not a finding. Nothing is assumed about the
share of the process the timed region is: an honest 10x speed-up of a 10 ms kernel after 1 s of
data loading leaves the process's time as it was, and is not flagged.

What it cannot catch: work moved out of the timer that costs less than the margin (half the
reference process, 50 ms at least); a claim of "+900% while the process took as long" (without
the timer's units hone cannot tell it from an honest speed-up of a small timed region); work
done by a process the objective does not wait for (its CPU time is not the objective's). What it
can flag although honest: a speed-up that adds setup costing more than the margin (a heavy
import to save milliseconds): the process as a whole did get slower, which a person may approve.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hone.records import Measurement

Measures = Literal["time", "rate", "other"]
REL_MARGIN = 0.5  # of the reference's CPU time
SUSPECT_MARGIN = 0.25  # the first look's, before fresh interleaved runs settle it
ABS_MARGIN = 0.05  # seconds
SPREAD_MARGIN = 4.0  # times the reference runs' median absolute deviation
ROUNDS = 3  # fresh runs of reference and candidate each, interleaved


@dataclass(frozen=True)
class ProcessTime:
    """Median wall and CPU seconds of some objective runs, and the CPU times' median absolute
    deviation (0 for one run)."""

    wall: float
    cpu: float
    cpu_spread: float = 0.0

    @classmethod
    def of(cls, runs: Sequence[Measurement]) -> ProcessTime | None:
        """The process time of `runs` (their objective runs with a CPU time); None when none
        has one (measurements of a journal from before hone timed CPU)."""
        timed = [m for m in runs if m.cpu_seconds > 0 and m.score is not None]
        if not timed:
            return None
        cpu = [m.cpu_seconds for m in timed]
        mid = statistics.median(cpu)
        return cls(statistics.median(m.seconds for m in timed), mid,
                   statistics.median(abs(c - mid) for c in cpu))


@dataclass(frozen=True)
class Corroboration:
    """The check of one claim: `claimed` speed-up factor, the two process times, `finding`
    (empty when the process's time bears the claim out), and `interleaved`: how many fresh
    interleaved runs of each side the times come from (0: the runs the decision had)."""

    claimed: float
    reference: ProcessTime
    candidate: ProcessTime
    finding: str = ""
    interleaved: int = 0

    def to_json(self) -> dict[str, Any]:
        r, c = self.reference, self.candidate
        return {"claimed_speedup": self.claimed, "cpu": [r.cpu, c.cpu],
                "wall": [r.wall, c.wall], "interleaved": self.interleaved,
                "finding": self.finding}


def claimed_speedup(measures: Measures, reference: float | None,
                    score: float | None) -> float | None:
    """How many times faster the candidate's score says it is (None: the score is not a time
    or a rate, or a score is missing or not positive)."""
    if measures == "other" or reference is None or score is None:
        return None
    if reference <= 0 or score <= 0:
        return None
    return reference / score if measures == "time" else score / reference


def margin(reference: ProcessTime, rel: float = 0.5) -> float:
    """CPU seconds the candidate's process may spend beyond the reference's, as noise."""
    return max(rel * reference.cpu, ABS_MARGIN, SPREAD_MARGIN * reference.cpu_spread)


Rerun = Callable[[int], tuple[Measurement | None, Measurement | None]]


def corroborate(measures: Measures, reference_score: float | None,
                reference_runs: Sequence[Measurement], score: float | None,
                runs: Sequence[Measurement], rerun: Rerun | None = None,
                against: str = "parent") -> Corroboration | None:
    """Check the candidate's claim (`score` over `runs`) against its reference's (`against`
    names it in the finding); None when there is no speed-up claim to check or no process time
    to check it with.

    A first look with the narrower `SUSPECT_MARGIN`; a suspicion is then settled on `ROUNDS`
    fresh runs of reference and candidate, interleaved (`rerun(i)` gives round i's pair, None
    for a run that failed), so that a machine's load falls on both alike. Without `rerun` (or
    fresh runs) the full margin is applied to the runs at hand."""
    claimed = claimed_speedup(measures, reference_score, score)
    if claimed is None or claimed <= 1:
        return None
    first = _check(claimed, measures, reference_runs, runs, SUSPECT_MARGIN, against)
    if first is None or not first.finding:
        return first
    pairs = [rerun(i) for i in range(ROUNDS)] if rerun is not None else []
    fresh_ref = [r for r, _c in pairs if r is not None]
    fresh = [c for _r, c in pairs if c is not None]
    settled = _check(claimed, measures, fresh_ref, fresh, REL_MARGIN, against,
                     min(len(fresh_ref), len(fresh)))
    if settled is not None:
        return settled
    return _check(claimed, measures, reference_runs, runs, REL_MARGIN, against)


def _check(claimed: float, measures: Measures, reference_runs: Sequence[Measurement],
           runs: Sequence[Measurement], rel: float, against: str,
           interleaved: int = 0) -> Corroboration | None:
    ref, cand = ProcessTime.of(reference_runs), ProcessTime.of(runs)
    if ref is None or cand is None:
        return None
    finding = ""
    if cand.cpu > ref.cpu + margin(ref, rel):
        said = (f"-{1 - 1 / claimed:.0%} time" if measures == "time"
                else f"+{claimed - 1:.0%} {measures}")
        over = f" over {interleaved} interleaved runs" if interleaved else ""
        finding = (f"claimed {said}, but the process's own CPU time is {cand.cpu / ref.cpu:.2f}x "
                   f"the {against}'s{over} ({ref.cpu:.3f}s -> {cand.cpu:.3f}s, wall "
                   f"{ref.wall:.3f}s -> {cand.wall:.3f}s): work moved out of the timed region?")
    return Corroboration(claimed, ref, cand, finding, interleaved)


_TIME_WORDS = ("time", "seconds", "secs", "sec", "s", "ms", "us", "ns", "latency", "duration",
               "elapsed", "runtime", "wall")
_RATE_WORDS = ("per", "ops", "throughput", "qps", "rps", "fps", "hz", "mhz", "ghz", "khz",
               "speed", "rate", "speedup", "iops", "flops", "gflops", "tps")


MEASURES_NOTE = {"time": "a claimed speed-up must show in the process's own CPU time",
                 "rate": "a claimed speed-up must show in the process's own CPU time",
                 "other": "the process's own time is not checked"}


def guess_measures(names: Sequence[str], direction: str) -> Measures:
    """What a score over metrics `names` most likely measures, from their words (`wall_ms` and
    min: a time; `ops_per_sec` and max: a rate); "other" when nothing says so. `hone init`
    writes the guess and says so; the setting stays the user's to correct."""
    words = {w for name in names for w in name.lower().replace("-", "_").split("_") if w}
    if direction == "min" and words & set(_TIME_WORDS):
        return "time"
    if direction == "max" and words & set(_RATE_WORDS):
        return "rate"
    return "other"
