"""Cheapest routes on a weighted grid; the module hone speeds up.

A grid is a list of equal-length strings: `#` is a wall, a digit 1-9 is the cost of stepping onto
that cell. Moves go up, down, left or right. This is Dijkstra's algorithm, written plainly.
"""

from __future__ import annotations

Cell = tuple[int, int]

WALL = "#"


def is_open(grid: list[str], cell: Cell) -> bool:
    row, col = cell
    return 0 <= row < len(grid) and 0 <= col < len(grid[0]) and grid[row][col] != WALL


def neighbours(grid: list[str], cell: Cell) -> list[Cell]:
    result = []
    for d_row, d_col in [(-1, 0), (1, 0), (0, -1), (0, 1)]:
        nxt = (cell[0] + d_row, cell[1] + d_col)
        if is_open(grid, nxt):
            result.append(nxt)
    return result


def step_cost(grid: list[str], cell: Cell) -> int:
    return int(grid[cell[0]][cell[1]])


def shortest_path(grid: list[str], start: Cell, goal: Cell) -> tuple[int, list[Cell]] | None:
    """The cheapest route from start to goal as (cost, cells from start to goal), or None.

    The cost is the sum of the costs of the cells entered (the start cell is free). None when
    start or goal is a wall or outside the grid, or when no route exists.
    """
    if not is_open(grid, start) or not is_open(grid, goal):
        return None
    dist = {start: 0}
    came_from: dict[Cell, Cell] = {}
    frontier = [start]
    done = []
    while frontier:
        # Take the frontier cell with the smallest known distance.
        current = frontier[0]
        for cell in frontier:
            if dist[cell] < dist[current]:
                current = cell
        frontier.remove(current)
        if current == goal:
            break
        done.append(current)
        for nxt in neighbours(grid, current):
            if nxt in done:
                continue
            new_dist = dist[current] + step_cost(grid, nxt)
            if nxt not in dist or new_dist < dist[nxt]:
                dist[nxt] = new_dist
                came_from[nxt] = current
                if nxt not in frontier:
                    frontier.append(nxt)
    if goal not in dist:
        return None
    path = [goal]
    while path[0] != start:
        path.insert(0, came_from[path[0]])
    return dist[goal], path
