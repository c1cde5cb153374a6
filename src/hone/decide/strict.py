"""The naive rule: keep when the candidate's median beats the champion's median."""

from __future__ import annotations

from hone.decide.base import DECIDERS, Decider, Decision, Remeasure
from hone.decide.pooled import pooled_score
from hone.direction import Direction
from hone.records import Measurement


@DECIDERS.register("strict")
class StrictDecider(Decider):
    def decide(self, candidate: list[Measurement], champion: list[Measurement],
               direction: Direction, remeasure: Remeasure) -> Decision:
        cand = pooled_score([m.score for m in candidate])
        champ = pooled_score([m.score for m in champion])
        keep = cand is not None and (champ is None or direction.better(cand, champ))
        return Decision(keep, cand, champ, "median strictly better" if keep else "not better",
                        {"runs": len(candidate), "champion_runs": len(champion)})
