"""hone: an improvement loop over git that keeps only changes that are truly better."""

from __future__ import annotations

__version__ = "0.1.0"
