"""hone: an improvement loop over git that keeps only changes that are truly better."""

from __future__ import annotations

# The name on PyPI ("hone" there is an unrelated package); the command and the import stay hone.
DISTRIBUTION = "hone-loop"


def __getattr__(name: str) -> str:
    """`hone.__version__`, read from the installed metadata when first asked for:
    `importlib.metadata` costs about 70 ms of every command's start-up otherwise."""
    if name != "__version__":
        raise AttributeError(f"module 'hone' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version(DISTRIBUTION)
    except PackageNotFoundError:  # a source tree that was never installed (PYTHONPATH=src)
        found = "0+unknown"
    globals()["__version__"] = found
    return found
