"""Loading, validating and writing hone's configuration."""

from __future__ import annotations

from hone.config.load import find_config, load_config
from hone.config.model import Config

__all__ = ["Config", "find_config", "load_config"]
