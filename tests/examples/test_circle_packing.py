"""The circle-packing example: its verifier scores the baseline and rejects invalid packings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "circle-packing"


def evaluate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE / "evaluate.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def metrics(stdout: str) -> dict[str, float]:
    pairs = (line.split(":", 1) for line in stdout.splitlines() if ":" in line)
    return {name.strip(): float(value) for name, value in pairs}


def test_baseline_verifies_well_below_the_best_known() -> None:
    proc = evaluate()
    assert proc.returncode == 0, proc.stderr
    found = metrics(proc.stdout)
    assert found["valid"] == 1
    assert 1.5 <= found["sum_radii"] <= 2.2


def test_config_names_the_verifier_and_protects_it() -> None:
    import tomllib

    config = tomllib.loads((EXAMPLE / "hone.toml").read_text())
    assert config["objective"]["score"] == "sum_radii"
    assert config["objective"]["direction"] == "max"
    assert "evaluate.py" in config["files"]["protect"]
    assert config["files"]["editable"] == ["packing.py"]


GRID = """
def grid():
    centres = [((i % 6 + 0.5) / 6, (i // 6 + 0.5) / 6) for i in range(26)]
    return centres, [1 / 12] * 26
"""

# Each program takes the valid 6x6 grid above (c, r), breaks one thing, and gets this reason.
INVALID = {
    "overlap": ("r[7] = 0.1", "and 7 overlap"),
    "outside the square": ("c[0] = (0.05, 0.5)", "leaves the unit square"),
    "centre outside": ("c[0] = (1.5, 0.5)\n    r[0] = 0.0", "leaves the unit square"),
    "nan": ("r[3] = float('nan')", "not finite"),
    "inf": ("c[3] = (float('inf'), 0.5)", "not finite"),
    "too few circles": ("c, r = c[:25], r[:25]", "expected 26"),
    "too many radii": ("r = [*r, 0.0]", "expected 26"),
    "negative radius": ("r[5] = -0.01", "negative"),
    "non-numeric radius": ("r[2] = '0.08'", "not a number"),
    "non-numeric centre": ("c[2] = (None, 0.5)", "not a number"),
    "not a pair": ("c[2] = (0.5, 0.5, 0.5)", "not an (x, y) pair"),
    "wrong shape": ("return 2.635", "must return (centres, radii)"),
    "crash": ("raise RuntimeError('boom')", "RuntimeError: boom"),
    "reported score only": ("print('sum_radii: 9.0')\n    return 9.0, None", "must be sequences"),
}


def write_program(tmp_path: Path, body: str) -> Path:
    program = tmp_path / "packing.py"
    program.write_text(
        f"{GRID}\n\ndef construct():\n    c, r = grid()\n    {body}\n    return c, r\n"
    )
    return program


def test_the_grid_the_invalid_programs_start_from_is_valid(tmp_path: Path) -> None:
    proc = evaluate("--program", str(write_program(tmp_path, "return grid()")))
    assert proc.returncode == 0, proc.stderr
    assert metrics(proc.stdout)["sum_radii"] == pytest.approx(26 / 12)


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_invalid_packing_is_rejected(tmp_path: Path, kind: str) -> None:
    body, expected = INVALID[kind]
    proc = evaluate("--program", str(write_program(tmp_path, body)))
    assert proc.returncode == 1
    assert "sum_radii" not in proc.stdout
    reason = proc.stderr.strip()
    assert reason.startswith("invalid: ") and "\n" not in reason
    assert expected in reason


def test_program_past_its_time_limit_is_rejected(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import time\n    time.sleep(30)\n    return grid()")
    proc = evaluate("--program", str(program), "--time-limit", "1")
    assert proc.returncode == 1
    assert "time limit" in proc.stderr


def test_missing_program_is_rejected(tmp_path: Path) -> None:
    proc = evaluate("--program", str(tmp_path / "absent.py"))
    assert proc.returncode == 1
    assert "not found" in proc.stderr
