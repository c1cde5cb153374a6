"""Strategies on synthetic histories: who can be a parent, how often, and determinism."""

from __future__ import annotations

from collections import Counter

from hone.config.model import SearchSection
from hone.direction import Direction
from hone.records import Attempt, Hints, Status
from hone.strategies.islands import IslandsStrategy, island_of
from hone.strategies.merge import next_pair
from hone.strategies.population import PopulationStrategy


def att(i: int, parent: int | None, status: Status, score: float | None, parent2: int | None
        = None, island: int | None = None) -> Attempt:
    return Attempt("r", i, parent, f"c{i}", status, score=score, parent2=parent2,
                   hypothesis=f"h{i}", hints=Hints(island=island))


def history_with_near_miss() -> list[Attempt]:
    return [
        att(0, None, Status.BASELINE, 10.0),
        att(1, 0, Status.KEPT, 20.0),
        att(2, 1, Status.DISCARDED, 19.5),  # near-miss: within 5% of 20
        att(3, 1, Status.DISCARDED, 5.0),
        att(4, 1, Status.FAILED, None),
        att(5, 1, Status.DUPLICATE, None),
    ]


def test_population_draws_top_k_and_near_misses_never_failures() -> None:
    h = history_with_near_miss()
    strategy = PopulationStrategy(SearchSection(population=1, exploit=0.5), Direction.MAX)
    picks = Counter(strategy.select(h, h[1], i).parent.id for i in range(6, 606))
    assert set(picks) == {1, 2}  # the top-1 (champion) and the near-miss
    assert 240 < picks[2] < 360  # about half of the draws go to the near-miss
    wide = PopulationStrategy(SearchSection(population=3, exploit=1.0), Direction.MAX)
    picks = Counter(wide.select(h, h[1], i).parent.id for i in range(6, 606))
    assert set(picks) == {0, 1, 2}  # top-3 by score; never #3 (4th), failures or duplicates
    assert picks[1] > picks[2] > picks[0]  # the better, the likelier


def test_population_is_a_function_of_the_history() -> None:
    h = history_with_near_miss()
    a = PopulationStrategy(SearchSection(), Direction.MAX)
    b = PopulationStrategy(SearchSection(), Direction.MAX)
    assert [a.select_parent(h, h[1], i).id for i in range(6, 60)] == \
        [b.select_parent(list(h), h[1], i).id for i in range(6, 60)]


def test_population_minimises() -> None:
    h = [att(0, None, Status.BASELINE, 10.0), att(1, 0, Status.KEPT, 5.0),
         att(2, 1, Status.DISCARDED, 50.0)]
    strategy = PopulationStrategy(SearchSection(population=1, exploit=1.0), Direction.MIN)
    assert {strategy.select_parent(h, h[1], i).id for i in range(3, 30)} == {1}


def test_islands_evolve_apart_then_migrate() -> None:
    search = SearchSection(islands=2, migrate_every=10, exploit=1.0)
    s = IslandsStrategy(search, Direction.MAX)
    h = [att(0, None, Status.BASELINE, 1.0)]
    # Attempt k is on island (k-1) % 2; island 0 improves to 5, island 1 to 3.
    h += [att(1, 0, Status.DISCARDED, 5.0, island=0), att(2, 0, Status.DISCARDED, 3.0, island=1)]
    h += [att(k, 0, Status.DISCARDED, 0.5, island=island_of(k, 2)) for k in range(3, 10)]
    sel = s.select(h, h[0], 9)
    assert sel.hints.island == 0 and sel.parent.id == 1
    assert s.select(h, h[0], 8).parent.id == 2  # island 1 does not see island 0's best yet
    # At attempt 10 the bests migrate around the ring: island 1 now holds #1.
    at10 = s.select(h, h[0], 10)
    assert at10.hints.island == 1 and at10.parent.id == 1
    assert {"migrate": 1, "from": 0, "to": 1} in at10.notes["island_events"]


def test_stagnant_island_restarts_from_the_best() -> None:
    search = SearchSection(islands=4, migrate_every=4, exploit=1.0)
    s = IslandsStrategy(search, Direction.MAX)
    h = [att(0, None, Status.BASELINE, 1.0), att(1, 0, Status.DISCARDED, 9.0, island=0)]
    h += [att(k, 0, Status.DISCARDED, 0.1, island=island_of(k, 4)) for k in range(2, 8)]
    # #1 travels one island per period (0 -> 1 at 4, 1 -> 2 at 8); island 3 has not improved
    # for two periods by attempt 8 and does not hold the best, so it restarts from #1.
    events = s.select(h, h[0], 8).notes["island_events"]
    assert {"restart": 3, "from": 1} in events
    assert not any(e.get("restart") == 2 for e in events)
    assert [m.id for m in s.replay(h, 9).members[3]] == [1]
    assert s.select(h, h[0], 12).parent.id == 1  # island 3's next attempt starts from #1


def test_merge_pairs_unrelated_improvements_once() -> None:
    h = [att(0, None, Status.BASELINE, 2.0), att(1, 0, Status.KEPT, 6.0),
         att(2, 0, Status.DISCARDED, 6.0), att(3, 1, Status.DISCARDED, 5.0),
         att(4, 0, Status.DISCARDED, 1.0)]
    search = SearchSection(merge_every=1)
    pair = next_pair(h, h[1], search, Direction.MAX, 5)
    assert pair is not None and {pair[0].id, pair[1].id} == {1, 2}
    # Once that merge exists (whatever became of it) the pair is not proposed again, and
    # neither #3 (a worse child of #1) nor #4 (no improvement) is a merge candidate.
    h.append(att(5, 1, Status.FAILED, None, parent2=2))
    assert next_pair(h, h[1], search, Direction.MAX, 6) is None


def test_merges_are_spaced() -> None:
    h = [att(0, None, Status.BASELINE, 2.0), att(1, 0, Status.KEPT, 6.0),
         att(2, 0, Status.DISCARDED, 6.0), att(3, 0, Status.DISCARDED, 4.0),
         att(4, 1, Status.DISCARDED, 5.0, parent2=2)]
    assert next_pair(h, h[1], SearchSection(merge_every=4), Direction.MAX, 5) is None
    pair = next_pair(h, h[1], SearchSection(merge_every=4), Direction.MAX, 8)
    assert pair is not None and {pair[0].id, pair[1].id} == {1, 3}
