"""One audit finding: which check fired, where, and why it is suspicious."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    check: str
    path: str
    line: int
    reason: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def findings_json(findings: Iterable[Finding]) -> list[dict[str, object]]:
    return [f.to_json() for f in findings]
