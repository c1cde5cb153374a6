"""Where attempts live in git: `refs/hone/<run>/<id>` and `refs/hone/<run>/best`."""

from __future__ import annotations


def attempt_ref(run: str, attempt_id: int) -> str:
    return f"refs/hone/{run}/{attempt_id}"


def best_ref(run: str) -> str:
    return f"refs/hone/{run}/best"


def run_prefix(run: str) -> str:
    return f"refs/hone/{run}/"
