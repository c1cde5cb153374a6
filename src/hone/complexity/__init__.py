"""What a change costs in code: complexity accounting, the simplicity criterion, simplification."""

from __future__ import annotations

from hone.complexity.measure import Complexity, ComplexityMeter, measure_text

__all__ = ["Complexity", "ComplexityMeter", "measure_text"]
