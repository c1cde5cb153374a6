"""Protected verifier for the circle-packing example: runs the program, checks, scores.

The program runs in a subprocess under a time limit; only its centres and radii come back, and
everything (the count, the bounds, the overlaps, the score) is recomputed here from them. On success
it prints `sum_radii: X` and `valid: 1`; otherwise it exits 1 with a one-line reason on stderr.

    python3 evaluate.py [--program packing.py] [--time-limit 60]

PACKING_PROGRAM and PACKING_TIME_LIMIT are read when the options are not given.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

N = 26
TOLERANCE = 1e-9  # absorbs float rounding in a program's own tight packing, nothing more
DEFAULT_TIME_LIMIT = 60.0

# Runs inside the subprocess: import the program by path, call construct(), write plain JSON.
# Anything that is not a real number is passed on as a string, so that it is rejected here.
RUNNER = r"""
import importlib.util, json, numbers, sys

def plain(v):
    if hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return float(v)
    return repr(v)

spec = importlib.util.spec_from_file_location("packing_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = module.construct()
if not isinstance(result, (list, tuple)) or len(result) != 2:
    raise SystemExit("construct() must return (centres, radii)")
centres, radii = result
with open(sys.argv[2], "w") as out:
    json.dump({"centres": plain(centres), "radii": plain(radii)}, out)
"""


class Invalid(Exception):
    """The packing, or the program that made it, breaks a rule; the message says which."""


def run_program(program: Path, time_limit: float) -> object:
    """Run construct() from `program` in a fresh interpreter and return its decoded output."""
    if not program.is_file():
        raise Invalid(f"program not found: {program}")
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "result.json", Path(tmp) / "stderr.txt"
        with err.open("w") as err_file:
            # A session of its own, so that on timeout the whole group (children too) is killed;
            # no pipes, so that a leftover child cannot keep us waiting.
            proc = subprocess.Popen(
                [sys.executable, "-B", "-c", RUNNER, str(program), str(out)],
                cwd=program.parent,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err_file,
                start_new_session=True,
            )
            try:
                returncode = proc.wait(timeout=time_limit)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise Invalid(f"program ran past its time limit of {time_limit:g} s") from None
        if returncode != 0:
            lines = [ln for ln in err.read_text(errors="replace").splitlines() if ln.strip()]
            raise Invalid(f"program failed: {lines[-1] if lines else f'exit {returncode}'}")
        try:
            return json.loads(out.read_text())
        except (OSError, ValueError):
            raise Invalid("program wrote no readable result") from None


def number(v: object, what: str) -> float:
    if not isinstance(v, float):
        raise Invalid(f"{what} is not a number: {v!r}")
    if not math.isfinite(v):
        raise Invalid(f"{what} is not finite: {v!r}")
    return v


def check(result: object) -> float:
    """Validate a packing and return its sum of radii."""
    if not isinstance(result, dict):
        raise Invalid("result is not a dict")
    centres, radii = result.get("centres"), result.get("radii")
    if not isinstance(centres, list) or not isinstance(radii, list):
        raise Invalid("centres and radii must be sequences")
    if len(centres) != N or len(radii) != N:
        raise Invalid(f"expected {N} centres and {N} radii, got {len(centres)} and {len(radii)}")
    xs, ys, rs = [], [], []
    for i, (c, r) in enumerate(zip(centres, radii, strict=True)):
        if not isinstance(c, list) or len(c) != 2:
            raise Invalid(f"centre {i} is not an (x, y) pair: {c!r}")
        xs.append(number(c[0], f"x of circle {i}"))
        ys.append(number(c[1], f"y of circle {i}"))
        rs.append(number(r, f"radius of circle {i}"))
        if rs[i] < 0.0:
            raise Invalid(f"radius of circle {i} is negative: {rs[i]!r}")
    for i in range(N):
        if (
            xs[i] - rs[i] < -TOLERANCE
            or ys[i] - rs[i] < -TOLERANCE
            or xs[i] + rs[i] > 1.0 + TOLERANCE
            or ys[i] + rs[i] > 1.0 + TOLERANCE
        ):
            raise Invalid(f"circle {i} leaves the unit square")
    for i in range(N):
        for j in range(i + 1, N):
            gap = math.hypot(xs[i] - xs[j], ys[i] - ys[j]) - rs[i] - rs[j]
            if gap < -TOLERANCE:
                raise Invalid(f"circles {i} and {j} overlap by {-gap:.3g}")
    return math.fsum(rs)


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default=os.environ.get("PACKING_PROGRAM", here / "packing.py"))
    parser.add_argument(
        "--time-limit",
        type=float,
        default=float(os.environ.get("PACKING_TIME_LIMIT", DEFAULT_TIME_LIMIT)),
    )
    args = parser.parse_args(argv)
    try:
        total = check(run_program(Path(args.program).resolve(), args.time_limit))
    except Invalid as e:
        print(f"invalid: {e}", file=sys.stderr)
        return 1
    print(f"sum_radii: {total:.9f}")
    print("valid: 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
