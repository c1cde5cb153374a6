"""Parse the objective's output: JSON on the last non-empty line, or `name: value` lines."""

from __future__ import annotations

import json
import math
import re

_NUM = r"[-+]?(?:[0-9][0-9_]*\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?inf|nan"
_LINE = re.compile(rf"^\s*([A-Za-z_][A-Za-z0-9_.\-/]*)\s*[:=]\s*({_NUM})\s*$")


def parse_metrics(stdout: str) -> dict[str, float]:
    """Metrics printed by the objective; numeric values only, the last occurrence wins."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if lines:
        last = lines[-1].strip()
        if last.startswith("{"):
            try:
                obj = json.loads(last)
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict):
                return {
                    str(k): float(v) for k, v in obj.items()
                    if isinstance(v, int | float) and not isinstance(v, bool)
                }
    metrics: dict[str, float] = {}
    for line in lines:
        m = _LINE.match(line)
        if m:
            metrics[m.group(1)] = float(m.group(2).replace("_", ""))
    return metrics


def is_finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
