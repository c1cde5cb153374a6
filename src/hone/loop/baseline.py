"""The baseline's runs: one pass over the seeds (the gates with the first), one repeat of the
first seed that tells whether the objective is deterministic, and only when it is not, more
repeats up to `[acceptance] noise_runs` for its noise floor. One progress line per run.

Why one repeat: a deterministic objective gives the same score on a rerun of a seed, so one
rerun settles it; repeating every seed (the RISC-V example: seeds 1 and 2 twice, 5
place-and-route runs) costs runs that say nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass

from hone.decide.noise import noise_floor
from hone.executors.base import Outcome
from hone.loop.jobs import Measurer
from hone.records import Attempt, Measurement, Purpose
from hone.verify.verifier import Verdict


@dataclass(frozen=True)
class BaselineRun:
    """One finished run of the baseline: the `done`-th of `total` planned so far (the plan
    grows when the objective turns out noisy), its seed, and its score or failure."""

    done: int
    total: int
    seed: int
    seconds: float
    score: float | None
    failure: str = ""

    def line(self) -> str:
        """'run 2 of 4 (seed 2) 12.3 s', for people."""
        what = f"failed: {self.failure}" if self.failure else f"{self.seconds:.1f} s"
        return f"run {self.done} of {self.total} (seed {self.seed}) {what}"


Progress = Callable[[BaselineRun], None]


def measure_baseline(measurer: Measurer, baseline: Attempt, seeds: Sequence[int],
                     noise_runs: int, progress: Progress) -> Verdict:
    """Run the baseline as planned (see the module) and return one verdict of all its runs:
    the failure of a run in the first pass over the seeds fails the baseline; a failed repeat
    only leaves fewer runs to estimate the noise from. The first batch runs in parallel on the
    executor's slots, the noisy objective's further repeats too."""
    seeds = list(seeds) or [0]
    plan = [*seeds, seeds[0]]
    counter = _Counter(len(plan), progress)
    verdicts = counter.wait(_submit(measurer, baseline, plan, 0, len(seeds)))
    failure = next((verdicts[i].failure for i in range(len(seeds)) if verdicts[i].failure),
                   None)
    if failure is None and _runs(verdicts) and not noise_floor(_runs(verdicts)).deterministic:
        counter.total = max(noise_runs, len(plan))
        plan += [seeds[i % len(seeds)] for i in range(len(plan), counter.total)]
        verdicts |= counter.wait(_submit(measurer, baseline, plan, len(verdicts), len(seeds)))
    # The screen (when configured) ran with the gates, in the first job.
    return Verdict(failure, _runs(verdicts), screen=verdicts[0].screen if 0 in verdicts else None)


def _runs(verdicts: dict[int, Verdict]) -> list[Measurement]:
    """The measurements of the runs that did not fail, in the order of the plan."""
    return [m for _, v in sorted(verdicts.items()) if not v.failure for m in v.measurements]


def _submit(measurer: Measurer, baseline: Attempt, plan: Sequence[int], start: int,
            passes: int) -> dict[Future[Outcome], tuple[int, int]]:
    """Submit the runs of `plan` from index `start` on: future -> (index, seed). Runs past
    the first pass over the seeds (`passes`) are repeats, with log labels of their own."""
    return {measurer.submit(baseline, Purpose.BASELINE, (seed,), gates=i == 0,
                            label=f"_n{i}" if i >= passes else ""): (i, seed)
            for i, seed in enumerate(plan[start:], start)}


class _Counter:
    """Waits for a batch of runs, reporting each one as it finishes."""

    def __init__(self, total: int, progress: Progress) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def wait(self, jobs: dict[Future[Outcome], tuple[int, int]]) -> dict[int, Verdict]:
        verdicts: dict[int, Verdict] = {}
        for future in as_completed(jobs):
            index, seed = jobs[future]
            verdict = future.result().verdict
            verdicts[index] = verdict
            self.done += 1
            m = verdict.measurements[0] if verdict.measurements else None
            self.progress(BaselineRun(
                self.done, self.total, seed, m.seconds if m is not None else 0.0,
                m.score if m is not None else None,
                f"{verdict.failure.stage}: {verdict.failure.reason}"[:200]
                if verdict.failure else ""))
        return verdicts
