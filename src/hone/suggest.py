"""'did you mean ...?' for a misspelt name: the nearest of the valid ones, by difflib."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, valid: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The valid name closest to `name`, or None when none is at least `cutoff` alike
    (difflib's ratio, 0..1)."""
    options = list(valid)
    close = difflib.get_close_matches(name, options, n=1, cutoff=cutoff)
    if not close:  # a case slip ('Timeout') or a key typed with its section's prefix missing
        lower = {o.lower(): o for o in options}
        close = [lower[name.lower()]] if name.lower() in lower else []
    return close[0] if close else None


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """' (did you mean `x`?)' for the valid name closest to `name`; '' when none is close."""
    match = nearest(name, valid)
    return f" (did you mean `{match}`?)" if match else ""
