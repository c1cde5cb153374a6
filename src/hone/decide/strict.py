"""The naive rule: keep when the candidate's median beats the champion's median."""

from __future__ import annotations

from typing import Literal

from hone.decide.base import DECIDERS, Decider, Decision, Remeasure
from hone.records import Measurement
from hone.verify.verifier import aggregate


def better(a: float, b: float, direction: Literal["max", "min"]) -> bool:
    return a > b if direction == "max" else a < b


@DECIDERS.register("strict")
class StrictDecider(Decider):
    def decide(self, candidate: list[Measurement], champion: list[Measurement],
               direction: Literal["max", "min"], remeasure: Remeasure) -> Decision:
        cand = aggregate([m.score for m in candidate])
        champ = aggregate([m.score for m in champion])
        keep = cand is not None and (champ is None or better(cand, champ, direction))
        return Decision(keep, cand, champ, "median strictly better" if keep else "not better",
                        {"runs": len(candidate), "champion_runs": len(champion)})
