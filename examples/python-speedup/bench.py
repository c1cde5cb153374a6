"""Protected benchmark for the python-speedup example: times route.shortest_path, checks it.

Runs every instance once, timing each call, then checks every answer: a route must be a chain of
open neighbouring cells from start to goal whose cost is the optimum listed in EXPECTED. Prints
`ops_per_sec: X` (routes found per second of routing); on a wrong answer it exits 1 with a one-line
reason on stderr and prints no score.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from route import shortest_path

Cell = tuple[int, int]
Instance = tuple[list[str], Cell, Cell]

# (rows, cols, share of walls) per instance; every 7th has its goal walled in.
SHAPES = [(24, 24, 0.2), (32, 48, 0.25), (40, 40, 0.3), (48, 32, 0.2), (56, 56, 0.25)]
COUNT = 20

# The optimal cost of each instance (None: no route), computed once with a heap-based Dijkstra.
EXPECTED: list[int | None] = [
    103,
    37,
    154,
    58,
    113,
    108,
    None,
    228,
    263,
    215,
    28,
    105,
    272,
    None,
    236,
    73,
    39,
    89,
    121,
    230,
]


def make_instance(k: int) -> Instance:
    """Instance k: a random grid and two random open cells, the same on every machine."""
    rng = random.Random(1000 + k)
    rows, cols, walls = SHAPES[k % len(SHAPES)]
    cells = [
        ["#" if rng.random() < walls else str(1 + int(rng.random() * 9)) for _ in range(cols)]
        for _ in range(rows)
    ]

    def open_cell() -> Cell:
        while True:
            cell = (int(rng.random() * rows), int(rng.random() * cols))
            if cells[cell[0]][cell[1]] != "#":
                return cell

    start, goal = open_cell(), open_cell()
    if k % 7 == 6:
        for d_row, d_col in [(-1, 0), (1, 0), (0, -1), (0, 1)]:
            row, col = goal[0] + d_row, goal[1] + d_col
            if 0 <= row < rows and 0 <= col < cols and (row, col) != start:
                cells[row][col] = "#"
    return ["".join(row) for row in cells], start, goal


class Wrong(Exception):
    """An answer that is not an optimal route; the message says what is wrong."""


def check(k: int, instance: Instance, answer: object, expected: int | None) -> None:
    grid, start, goal = instance
    if expected is None:
        if answer is not None:
            raise Wrong(f"instance {k}: found a route where none exists")
        return
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Wrong(f"instance {k}: expected (cost, path), got {type(answer).__name__}")
    cost, path = answer
    if cost != expected:
        raise Wrong(f"instance {k}: cost {cost!r}, the optimum is {expected}")
    if not isinstance(path, list) or not path or path[0] != start or path[-1] != goal:
        raise Wrong(f"instance {k}: the path does not run from start to goal")
    walked = 0
    for a, b in itertools.pairwise(path):
        if not (isinstance(b, tuple) and len(b) == 2 and all(type(v) is int for v in b)):
            raise Wrong(f"instance {k}: {b!r} is not a (row, col) cell")
        if abs(a[0] - b[0]) + abs(a[1] - b[1]) != 1:
            raise Wrong(f"instance {k}: {a} and {b} are not neighbours")
        if not (0 <= b[0] < len(grid) and 0 <= b[1] < len(grid[0])) or grid[b[0]][b[1]] == "#":
            raise Wrong(f"instance {k}: the path enters {b}, which is a wall or outside")
        walked += int(grid[b[0]][b[1]])
    if walked != expected:
        raise Wrong(f"instance {k}: the path costs {walked}, not the {cost} reported")


def main() -> int:
    instances = [make_instance(k) for k in range(COUNT)]
    answers = []
    elapsed = 0.0
    try:
        for k, (grid, start, goal) in enumerate(instances):
            rows = list(grid)  # a copy, so that the grid checked against is not the one it saw
            t0 = time.perf_counter()
            try:
                answers.append(shortest_path(rows, start, goal))
            except Exception as e:
                reason = " ".join(f"{type(e).__name__}: {e}".split())
                raise Wrong(f"instance {k}: shortest_path raised {reason}") from e
            elapsed += time.perf_counter() - t0
        for k, (instance, answer) in enumerate(zip(instances, answers, strict=True)):
            check(k, instance, answer, EXPECTED[k])
    except Wrong as e:
        print(f"wrong: {e}", file=sys.stderr)
        return 1
    print(f"ops_per_sec: {COUNT / elapsed:.3f}")
    print(f"seconds: {elapsed:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
