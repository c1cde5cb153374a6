"""hone: an improvement loop over git that keeps only changes that are truly better."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# The name on PyPI ("hone" there is an unrelated package); the command and the import stay hone.
DISTRIBUTION = "hone-loop"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # a source tree that was never installed (PYTHONPATH=src)
    __version__ = "0+unknown"
