"""The journal: every run, attempt and measurement, durable across crashes."""

from __future__ import annotations

from hone.store.base import RunInfo, Store
from hone.store.sqlite import SQLiteStore

__all__ = ["RunInfo", "SQLiteStore", "Store"]
