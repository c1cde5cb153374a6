"""The gate for route.py: hand-checked grids, then agreement with a slow but obvious reference."""

from __future__ import annotations

import itertools
import random

import pytest
from route import shortest_path

Cell = tuple[int, int]


def path_cost(grid: list[str], path: list[Cell]) -> int:
    return sum(int(grid[r][c]) for r, c in path[1:])


def assert_route(grid: list[str], start: Cell, goal: Cell, cost: int) -> None:
    found = shortest_path(grid, start, goal)
    assert found is not None
    got_cost, path = found
    assert got_cost == cost
    assert path[0] == start and path[-1] == goal
    for (r1, c1), (r2, c2) in itertools.pairwise(path):
        assert abs(r1 - r2) + abs(c1 - c2) == 1
        assert grid[r2][c2] != "#"
    assert path_cost(grid, path) == cost


def test_straight_line() -> None:
    assert_route(["1111"], (0, 0), (0, 3), 3)


def test_start_is_goal() -> None:
    assert shortest_path(["15", "11"], (0, 1), (0, 1)) == (0, [(0, 1)])


def test_goes_round_a_wall() -> None:
    grid = [
        "111",
        "1#1",
        "1#1",
    ]
    assert_route(grid, (2, 0), (2, 2), 6)


def test_prefers_cheap_cells_over_short_routes() -> None:
    grid = [
        "11111",
        "19991",
    ]
    assert_route(grid, (1, 0), (1, 4), 6)


def test_cost_counts_cells_entered_not_left() -> None:
    assert_route(["91", "11"], (0, 0), (1, 1), 2)
    assert_route(["11", "19"], (0, 0), (1, 1), 10)


def test_no_route_through_walls() -> None:
    grid = [
        "1#1",
        "1#1",
    ]
    assert shortest_path(grid, (0, 0), (0, 2)) is None


@pytest.mark.parametrize("start, goal", [((0, 1), (0, 0)), ((0, 0), (0, 1)), ((0, 0), (5, 0))])
def test_wall_or_outside_ends_have_no_route(start: Cell, goal: Cell) -> None:
    assert shortest_path(["1#", "11"], start, goal) is None


def test_grid_is_left_as_it_was() -> None:
    grid = ["123", "4#5", "678"]
    before = list(grid)
    shortest_path(grid, (0, 0), (2, 2))
    assert grid == before


def reference_cost(grid: list[str], start: Cell, goal: Cell) -> int | None:
    """Bellman-Ford: relax every cell until nothing changes. Slow, and hard to get wrong."""
    rows, cols = len(grid), len(grid[0])
    if grid[start[0]][start[1]] == "#" or grid[goal[0]][goal[1]] == "#":
        return None
    dist = {start: 0}
    changed = True
    while changed:
        changed = False
        for (r, c), d in list(dist.items()):
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#":
                    nd = d + int(grid[nr][nc])
                    if nd < dist.get((nr, nc), nd + 1):
                        dist[(nr, nc)] = nd
                        changed = True
    return dist.get(goal)


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_the_reference_on_random_grids(seed: int) -> None:
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 9), rng.randint(1, 9)
    grid = ["".join(rng.choice("#123456789") for _ in range(cols)) for _ in range(rows)]
    start = (rng.randrange(rows), rng.randrange(cols))
    goal = (rng.randrange(rows), rng.randrange(cols))
    expected = reference_cost(grid, start, goal)
    if expected is None:
        assert shortest_path(grid, start, goal) is None
    else:
        assert_route(grid, start, goal, expected)
