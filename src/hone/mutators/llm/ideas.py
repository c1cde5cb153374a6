"""What the llm mutator makes of the plan's hints and of ideas already tried: the sampling
temperature of an exploring attempt, the candidates of a verbalized-sampling answer, and the
near-duplicate check that sends a tried idea back once.

The strategies decide *that* an attempt explores (`strategies/stagnation.py`); how a chat model
samples hotter or words its candidates is the llm mutator's business, so it lives here.
"""

from __future__ import annotations

import difflib
import re

from hone.records import Attempt, Status

TEMPERATURE_BOOST = 0.4
MAX_TEMPERATURE = 1.5


def temperature(base: float | None, action: object) -> float | None:
    """The temperature of an attempt whose exploration action (hint `explore`) is `action`."""
    if action != "temperature":
        return base
    return min(MAX_TEMPERATURE, (base if base is not None else 0.7) + TEMPERATURE_BOOST)


_CANDIDATE = re.compile(r"^[\s>*_-]*candidate[^(:]*\(\s*p\s*=\s*([0-9]*\.?[0-9]+)\s*\)\s*:\s*(.+)$",
                        re.IGNORECASE | re.MULTILINE)


def verbalized_candidates(answer: str) -> list[dict[str, object]]:
    """The `Candidate (p=...): ...` lines of a verbalized-sampling answer, for the record."""
    return [{"p": float(p), "text": text.strip()[:200]}
            for p, text in _CANDIDATE.findall(answer)][:10]


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s.]", " ", text.lower()).replace(". ", " ").split()


def similar_idea(hypothesis: str, history: list[Attempt], threshold: float
                 ) -> Attempt | None:
    """The most similar tried hypothesis when it is at least `threshold` alike (0..1, by word
    sequence) and names the same numbers: "set N to 8" after "set N to 4" is a new point."""
    mine = words(hypothesis)
    if not mine:
        return None
    numbers = sorted(_NUMBER.findall(hypothesis))
    best: tuple[float, Attempt | None] = (0.0, None)
    for a in history:
        theirs = words(a.hypothesis)
        if a.id == 0 or not theirs or a.status is Status.RUNNING:
            continue
        if sorted(_NUMBER.findall(a.hypothesis)) != numbers:
            continue
        matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
        if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue
        ratio = matcher.ratio()
        if ratio >= threshold and ratio > best[0]:
            best = (ratio, a)
    return best[1]


def already_tried(answer: str, twin: Attempt) -> str:
    """The message that sends a near-duplicate idea back to the model."""
    score = "" if twin.score is None else f", score {twin.score:.6g}"
    return (f"## Your answer was\n{answer.strip()}\n\n## already tried: #{twin.id} "
            f"\"{' '.join(twin.hypothesis.split())[:300]}\" ({twin.status.value}{score}).\n"
            "Propose a different idea, not a variation of this one, in the same format.")
