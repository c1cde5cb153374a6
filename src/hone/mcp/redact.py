"""What a proposer may not see, taken out of every answer the MCP server gives.

The holdout is a second objective the proposer never sees; its scores and the overfit verdicts
drawn from them would be an oracle. Views made for the user (`status`, `show`) carry them, so
the server passes every answer through `redact` first.
"""

from __future__ import annotations

import re
from typing import Any

from hone.verify.holdout import KIND as HOLDOUT_KIND

# Keys (and short values: a stage name) that name the holdout or a verdict drawn from it.
_HIDDEN = re.compile(r"holdout|overfit|held_back", re.IGNORECASE)
HIDDEN_VALUE = "hidden"


def redact(value: Any) -> Any:
    """`value` (JSON-like) without the holdout: keys that name it dropped, measurements of its
    kind dropped, list entries that mention it (flags, log files) dropped, a one-word value
    that names it (the stage `holdout`) replaced by 'hidden'. Other text is kept whole: a diff
    that happens to contain the word is the proposer's own code."""
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()
                if not (isinstance(k, str) and _HIDDEN.search(k))}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value if not _names_holdout(v)]
    if isinstance(value, str) and not re.search(r"[\s/]", value) and _HIDDEN.search(value):
        return HIDDEN_VALUE
    return value


def _names_holdout(item: Any) -> bool:
    if isinstance(item, dict):
        return item.get("kind") == HOLDOUT_KIND
    # A path is judged by its file name: the folders above it are the user's to name.
    return isinstance(item, str) and bool(_HIDDEN.search(item.rsplit("/", 1)[-1]))


def redact_message(message: str) -> str:
    """An error's text for the proposer: a message that names the holdout (it failed on the
    baseline, say) says only that a check it does not see failed."""
    if _HIDDEN.search(message):
        return "a check the proposer does not see failed; the user must look at it"
    return message
