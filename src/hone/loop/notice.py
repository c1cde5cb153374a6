"""What changed since a run was last opened, said before it goes on: its config, the user's
branch, the working tree.

A change of what is measured refuses to resume (one line, exit 2): the run's scores would mix
two measures. Any other config change is applied, recorded as a new config version with the
first attempt that uses it (`Store.config_versions`), and announced.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from hone.config.changes import ConfigChange, compare
from hone.errors import UsageError
from hone.loop.workspace import Workspace
from hone.records import Status
from hone.store.base import ConfigVersion, RunInfo


@dataclass(frozen=True)
class RecordedConfig:
    """The config a run used last: its version (1: the one it was created with) and value."""

    version: int
    config: dict[str, Any]


def recorded_config(ws: Workspace, info: RunInfo) -> RecordedConfig:
    versions = ws.store.config_versions(info.name)
    if versions:
        return RecordedConfig(versions[-1].version, versions[-1].config)
    return RecordedConfig(1, info.config)


def version_of(ws: Workspace, run: str, attempt_id: int) -> int:
    """The config version attempt `attempt_id` of `run` was opened under."""
    used = [v.version for v in ws.store.config_versions(run) if v.since_attempt <= attempt_id]
    return used[-1] if used else 1


def notice_config(ws: Workspace, info: RunInfo) -> list[str]:
    """Compare `ws.config` with the config the run used last. UsageError when what is measured
    changed (and the baseline was measured); otherwise record the new version, and the lines
    that announce it ([] when nothing changed)."""
    last = recorded_config(ws, info)
    current = ws.config.model_dump(mode="json")
    change = compare(last.config, current)
    if not change:
        return []
    baseline = ws.store.get_attempt(info.name, 0)
    measured = baseline is not None and baseline.status is Status.BASELINE
    if measured and change.measured:
        raise UsageError(refusal(info.name, change, ws.config_path.name))
    since = 1 + max((a.id for a in ws.store.list_attempts(info.name)), default=-1)
    version = ConfigVersion(last.version + 1, since, current, tuple(change.names()),
                            time.time())
    ws.store.add_config_version(info.name, version)
    shown = ", ".join(str(k) for k in change.keys[:4])
    more = f" (+{len(change.keys) - 4} more)" if len(change.keys) > 4 else ""
    return [f"config changed (version {version.version}, from attempt #{since}): "
            f"{shown}{more}"]


def refusal(run: str, change: ConfigChange, config_name: str) -> str:
    """The one line that refuses to resume a run whose measure changed."""
    keys = ", ".join(k.key for k in change.measured)
    return (f"{config_name} changed what run {run!r} measures ({keys}): its scores would not "
            f"compare; start a new run: hone run --run NAME, or hone run --rebase, "
            f"or restore {config_name}")


def notice_tree(ws: Workspace, info: RunInfo | None) -> list[str]:
    """A user's branch that moved since the run's baseline, and uncommitted changes (never
    measured: hone measures commits)."""
    lines = []
    head = ws.repo.head()
    if info is not None and head != info.baseline_commit:
        lines.append(f"note: your branch moved since run {info.name!r} started (baseline "
                     f"{info.baseline_commit[:10]}, HEAD now {head[:10]}); this run goes on "
                     f"from its baseline: `hone run --rebase` starts a new run from HEAD")
    if ws.repo.is_dirty():
        lines.append(f"note: the working tree has uncommitted changes; hone measures the "
                     f"committed HEAD ({head[:10]}), not them")
    return lines
