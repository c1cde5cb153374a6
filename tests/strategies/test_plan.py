"""The plan of an attempt: merges, stagnation's exploration actions, categories, brief notes."""

from __future__ import annotations

from typing import Any

from hone.config.model import Config
from hone.records import Attempt, Status
from hone.sections import SectionKind
from hone.strategies import make_strategy
from hone.strategies.plan import brief_sections, plan_attempt


def config(**search: Any) -> Config:
    return Config.model_validate({"objective": {"run": "true"}, "search": search})


def stuck_history(n: int) -> list[Attempt]:
    h = [Attempt("r", 0, None, "c0", Status.BASELINE, score=10.0),
         Attempt("r", 1, 0, "c1", Status.KEPT, score=20.0, hypothesis="big win")]
    h += [Attempt("r", k, 1, f"c{k}", Status.DISCARDED, score=19.8 if k == 2 else 3.0,
                  hypothesis=f"idea {k}") for k in range(2, 2 + n)]
    return h


def test_no_exploration_before_patience_then_actions_take_turns() -> None:
    cfg = config(patience=3)
    greedy = make_strategy("greedy", cfg)
    h = stuck_history(2)
    assert plan_attempt(greedy, cfg, h, h[1], len(h)).hints.explore is None
    fired = []
    for n in range(3, 9):
        h = stuck_history(n)
        plan = plan_attempt(greedy, cfg, h, h[1], len(h))
        fired.append(plan.hints.explore)
        if plan.hints.explore == "near_miss":
            assert plan.parent.id == 2  # the near-miss, not the champion
        else:
            assert plan.parent.id == 1
    assert fired == ["verbalized", "temperature", "near_miss"] * 2


def test_without_a_near_miss_the_other_actions_fire() -> None:
    cfg = config(patience=1, explore=["near_miss", "temperature"], near_miss=0.0001)
    greedy = make_strategy("greedy", cfg)
    h = stuck_history(4)
    assert {plan_attempt(greedy, cfg, h, h[1], k).hints.explore for k in range(6, 9)} == {
        "temperature"}


def test_exploration_and_category_reach_the_brief() -> None:
    cfg = config(patience=1, explore=["verbalized"], categories=["micro_opt", "structural"])
    greedy = make_strategy("greedy", cfg)
    h = stuck_history(3)
    cats = [plan_attempt(greedy, cfg, h, h[1], k).hints.category for k in (5, 6, 7)]
    assert cats == ["structural", "micro_opt", "structural"]
    plan = plan_attempt(greedy, cfg, h, h[1], 5)
    attempt = Attempt("r", 5, 1, None, Status.RUNNING, hints=plan.hints)
    sections = brief_sections(cfg, h, attempt, plan.parent)
    assert [s.kind for s in sections] == [SectionKind.EXPLORE, SectionKind.FOCUS]
    text = "\n".join(s.render() for s in sections)
    assert text.startswith("# Explore: the search is stuck\n")
    assert "Candidate (p=" in text and "unlikely tail" in text and "last 3 attempts" in text
    assert "category `structural`" in text
