"""No false alarm on real changes: the kept diffs of real-model runs (riscv-gowin, circle
packing; fixtures_real/, copied from the team's shared fixtures), the classic mutator's edits
of the demo, and the examples' objective output all pass the audit and the metric checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hone.mutators.classic import find_sites, neighbours
from hone.vcs.paths import PathRules
from hone.verify.audit import audit
from hone.verify.metrics import parse_metrics
from tests.conftest import git

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures_real"
EXAMPLES = HERE.parents[1] / "examples"


def watched_files(root: Path, protect: list[str]) -> dict[str, str]:
    rules = PathRules([], protect)
    return {p.relative_to(root).as_posix(): p.read_text(errors="replace")
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts
            and rules.is_protected(p.relative_to(root).as_posix())
            and p.name != "hone.toml"}


def apply(root: Path, patch: Path) -> str:
    git("apply", str(patch), cwd=root)
    return patch.read_text()


def test_circle_packing_kept_diffs_are_clean(tmp_path: Path) -> None:
    root = tmp_path / "packing"
    root.mkdir()
    git("init", "-q", cwd=root)
    shutil.copy(FIXTURES / "circle-packing" / "baseline-packing.py", root / "packing.py")
    shutil.copy(EXAMPLES / "circle-packing" / "evaluate.py", root / "evaluate.py")
    protect = ["evaluate.py"]
    watched = watched_files(root, protect)
    patches = sorted((FIXTURES / "circle-packing").glob("kept-*.patch"),
                     key=lambda p: int(p.stem.split("-")[1]))
    assert len(patches) == 18
    for patch in patches:
        diff = apply(root, patch)
        files = {"packing.py": (root / "packing.py").read_text()}
        assert audit(diff, watched, files, protect, ["sum_radii"]) == [], patch.name


def test_riscv_kept_diffs_are_clean(tmp_path: Path) -> None:
    root = tmp_path / "riscv"
    shutil.copytree(EXAMPLES / "riscv-gowin", root)
    git("init", "-q", cwd=root)
    protect = ["tb/**", "soc/**", "bench/**", "scripts/**", "constraints/**", "Makefile",
               "README.md"]
    watched = watched_files(root, protect)
    assert len(watched) >= 5
    for name in ("kept-1", "kept-2", "kept-4", "rename-control-6"):
        diff = apply(root, FIXTURES / "riscv-gowin" / f"{name}.patch")
        assert audit(diff, watched, {}, protect, ["fmax_mhz", "iter_per_cycle"]) == [], name


def test_classic_mutations_of_the_demo_are_clean(tmp_path: Path) -> None:
    # What `make demo` keeps: the classic mutator's neighbours of each tuned literal.
    root = tmp_path / "demo"
    shutil.copytree(EXAMPLES / "demo", root)
    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "demo", cwd=root)
    protect = ["evaluate.py", "test_fit.py"]
    watched = watched_files(root, protect)
    original = (root / "fit.py").read_text()
    sites = find_sites(root, ["fit.py"])
    assert len(sites) >= 4
    checked = 0
    for site in sites:
        for new in neighbours(site.text):
            lines = original.splitlines(keepends=True)
            line = lines[site.line - 1]
            lines[site.line - 1] = line[:site.col] + new + line[site.col + len(site.text):]
            (root / "fit.py").write_text("".join(lines))
            diff = git("diff", cwd=root)
            files = {"fit.py": (root / "fit.py").read_text()}
            assert audit(diff, watched, files, protect, ["mse"]) == [], (site, new)
            checked += 1
    assert checked >= 12
    # The objective's output on a mutated fit.py is one clean record.
    out = subprocess.run([sys.executable, "evaluate.py"], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    assert set(parse_metrics(out)) == {"mse", "slope", "intercept"}


@pytest.mark.parametrize("example, command, metric", [
    ("circle-packing", ["evaluate.py"], "sum_radii"),
    ("demo", ["evaluate.py"], "mse"),
])
def test_example_objectives_print_one_clean_record(tmp_path: Path, example: str,
                                                   command: list[str], metric: str) -> None:
    root = tmp_path / example
    shutil.copytree(EXAMPLES / example, root)
    out = subprocess.run([sys.executable, *command], cwd=root, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert metric in parse_metrics(out.stdout)


HEAP_DIJKSTRA = '''

def shortest_path(grid: list[str], start: Cell, goal: Cell) -> tuple[int, list[Cell]] | None:
    """The cheapest route from start to goal as (cost, cells from start to goal), or None."""
    if not is_open(grid, start) or not is_open(grid, goal):
        return None
    rows, cols = len(grid), len(grid[0])
    dist = {start: 0}
    came_from: dict[Cell, Cell] = {}
    heap = [(0, start)]
    while heap:
        d, current = heapq.heappop(heap)
        if current == goal:
            break
        if d > dist[current]:
            continue
        r, c = current
        for nxt in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            nr, nc = nxt
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != WALL:
                nd = d + int(grid[nr][nc])
                if nd < dist.get(nxt, nd + 1):
                    dist[nxt] = nd
                    came_from[nxt] = current
                    heapq.heappush(heap, (nd, nxt))
    if goal not in dist:
        return None
    path = [goal]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    return dist[goal], path[::-1]
'''


def test_an_honest_speedup_of_the_python_example_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "speedup"
    shutil.copytree(EXAMPLES / "python-speedup", root)
    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "example", cwd=root)
    text = (root / "route.py").read_text()
    head = text[:text.index("\n\ndef shortest_path(")]
    new = head.replace("from __future__ import annotations\n",
                       "from __future__ import annotations\n\nimport heapq\n") + HEAP_DIJKSTRA
    (root / "route.py").write_text(new)
    protect = ["bench.py", "tests/**"]
    watched = watched_files(root, protect)
    diff = git("diff", cwd=root)
    assert audit(diff, watched, {"route.py": new}, protect, ["ops_per_sec"]) == []
    out = subprocess.run([sys.executable, "bench.py"], cwd=root, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert parse_metrics(out.stdout)["ops_per_sec"] > 0
