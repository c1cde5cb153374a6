"""The python-speedup example: its tests pass and its benchmark scores the baseline, in a copy.

The benchmark must also refuse wrong answers, however fast they come.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python-speedup"

HEAP_DIJKSTRA = """
import heapq


def shortest_path(grid, start, goal):
    rows, cols = len(grid), len(grid[0])
    if not all(0 <= c[0] < rows and 0 <= c[1] < cols and grid[c[0]][c[1]] != "#"
               for c in (start, goal)):
        return None
    dist, came_from, heap = {start: 0}, {}, [(0, start)]
    while heap:
        d, (r, c) = heapq.heappop(heap)
        if (r, c) == goal:
            path = [goal]
            while path[-1] != start:
                path.append(came_from[path[-1]])
            return d, path[::-1]
        if d > dist[(r, c)]:
            continue
        for nxt in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nxt[0] < rows and 0 <= nxt[1] < cols and grid[nxt[0]][nxt[1]] != "#":
                nd = d + int(grid[nxt[0]][nxt[1]])
                if nd < dist.get(nxt, nd + 1):
                    dist[nxt], came_from[nxt] = nd, (r, c)
                    heapq.heappush(heap, (nd, nxt))
    return None
"""

# Fast and wrong: breadth-first search finds the fewest steps, ignoring the cells' costs.
FEWEST_STEPS = HEAP_DIJKSTRA.replace("nd = d + int(grid[nxt[0]][nxt[1]])", "nd = d + 1")

WRONG = {
    "ignores costs": (FEWEST_STEPS, "the optimum is"),
    "gives up": (
        "def shortest_path(grid, start, goal):\n    return None\n",
        "expected (cost, path)",
    ),
    "right cost, no path": (
        HEAP_DIJKSTRA.replace("return d, path[::-1]", "return d, [start, goal]"),
        "are not neighbours",
    ),
    "crashes": ("def shortest_path(grid, start, goal):\n    raise KeyError(start)\n", "raised"),
}


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return dest


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def ops_per_sec(stdout: str) -> float:
    lines = [line for line in stdout.splitlines() if line.startswith("ops_per_sec:")]
    assert len(lines) == 1, stdout
    return float(lines[0].split(":", 1)[1])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("baseline") / "python-speedup")


def test_own_test_suite_passes_on_the_baseline(baseline: Path) -> None:
    proc = run(baseline, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_benchmark_scores_the_baseline(baseline: Path) -> None:
    proc = run(baseline, "bench.py")
    assert proc.returncode == 0, proc.stderr
    assert ops_per_sec(proc.stdout) > 0


def test_config_gates_on_the_tests_and_protects_them() -> None:
    import tomllib

    config = tomllib.loads((EXAMPLE / "hone.toml").read_text())
    assert config["objective"]["score"] == "ops_per_sec"
    assert config["objective"]["direction"] == "max"
    assert config["objective"]["repeats"] == 5
    assert [gate["name"] for gate in config["gates"]] == ["tests"]
    assert {"bench.py", "tests/**"} <= set(config["files"]["protect"])
    assert config["files"]["editable"] == ["route.py"]


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_benchmark_refuses_a_wrong_implementation(tmp_path: Path, kind: str) -> None:
    source, reason = WRONG[kind]
    example = copy_example(tmp_path / "python-speedup")
    (example / "route.py").write_text(source)
    proc = run(example, "bench.py")
    assert proc.returncode == 1
    assert "ops_per_sec" not in proc.stdout
    assert proc.stderr.startswith("wrong: ") and proc.stderr.count("\n") == 1
    assert reason in proc.stderr


def test_benchmark_accepts_a_faster_correct_implementation(tmp_path: Path) -> None:
    example = copy_example(tmp_path / "python-speedup")
    (example / "route.py").write_text(HEAP_DIJKSTRA)
    assert run(example, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests").returncode == 0
    proc = run(example, "bench.py")
    assert proc.returncode == 0, proc.stderr
    assert ops_per_sec(proc.stdout) > 0
