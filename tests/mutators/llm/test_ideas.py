"""What the llm mutator makes of exploration hints and of tried ideas (mutators/llm/ideas.py)."""

from __future__ import annotations

from hone.mutators.llm.ideas import similar_idea, temperature, verbalized_candidates
from hone.records import Attempt, Status


def test_temperature_rises_only_when_that_action_fires() -> None:
    assert temperature(0.2, "temperature") == 0.2 + 0.4
    assert temperature(1.4, "temperature") == 1.5
    assert temperature(0.2, "verbalized") == 0.2 and temperature(None, None) is None


def test_verbalized_candidates_are_parsed() -> None:
    answer = ("Candidate (p=0.4): cache it\n- Candidate (p = .05): rewrite in C\n"
              "Hypothesis: rewrite in C\n")
    assert verbalized_candidates(answer) == [{"p": 0.4, "text": "cache it"},
                                             {"p": 0.05, "text": "rewrite in C"}]


def test_similar_idea_finds_rewordings_only() -> None:
    history = [Attempt("r", 0, None, "c", Status.BASELINE, hypothesis="baseline"),
               Attempt("r", 1, 0, "c", Status.DISCARDED,
                       hypothesis="Unroll the inner loop by 4 to cut branch overhead.")]
    hit = similar_idea("unroll the inner loop by 4 to cut the branch overhead", history, 0.85)
    assert hit is not None and hit.id == 1
    assert similar_idea("Replace the list with a binary heap.", history, 0.85) is None
    assert similar_idea("baseline", history, 0.85) is None  # the baseline is not an idea
    # Another value of the same knob is a new point, not a repeat.
    assert similar_idea("Unroll the inner loop by 8 to cut branch overhead.", history,
                        0.85) is None
