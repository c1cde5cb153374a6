"""Keep or discard: how a candidate's measurements are compared with the champion's."""

from __future__ import annotations

from hone.decide.base import Decider, Decision, Remeasure
from hone.decide.strict import StrictDecider

__all__ = ["Decider", "Decision", "Remeasure", "StrictDecider"]
