"""Equivalence noise on examples/riscv-gowin: is a change that only renames signals kept?

Copies the example into a fresh repository, turns on equivalence noise with the example's
renaming hook (`scripts/equivalent.py`: every internal reg/wire renamed, in an order of its
own per variant), lets
`hone ask` measure the baseline and its equivalent variants, then tells hone a candidate that
only renames the core's internal signals (suffix `_renamed`) and prints the noise floor and the
decision. Without the hook (`--variants 0`) the same candidate is judged as a deterministic
objective judges: any strict gain is kept.

Place and route takes one to three minutes per seed; with one seed, 2 noise runs and 4 variants
expect about 7 runs of the objective (gates besides).

    .venv/bin/python bench/equivalence.py [--variants N] [--seeds 1,2,3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "riscv-gowin"


def hone(repo: Path, *args: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-m", "hone", *args, "-C", str(repo)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"hone {' '.join(args)} failed: {proc.stderr.strip()}")
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def prepare(dest: Path, variants: int, seeds: list[int]) -> Path:
    repo = dest / "riscv-gowin"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("build", "__pycache__", ".hone"))
    config = repo / "hone.toml"
    text = re.sub(r"^seeds = .*$", f"seeds = {seeds}", config.read_text(), flags=re.M)
    text = text.replace("[objective]\n", "[objective]\n"
                        'equivalent = "python3 scripts/equivalent.py {variant}"\n', 1)
    config.write_text(text + f"\n[acceptance]\nvariants = {variants}\nnoise_runs = 2\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "baseline"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    return repo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=4)
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    dest = args.keep or Path(tempfile.mkdtemp(prefix="hone-equivalence-"))
    dest.mkdir(parents=True, exist_ok=True)
    repo = prepare(dest, args.variants, seeds)
    asked = hone(repo, "ask", "--json")
    workdir = Path(str(asked["workdir"]))
    subprocess.run([sys.executable, "scripts/equivalent.py", "renamed"], cwd=workdir, check=True)
    told = hone(repo, "tell", str(asked["id"]), "--hypothesis", "rename internal signals",
                "--json")
    noise = hone(repo, "status", "--json").get("noise")
    print(json.dumps({"noise": noise, "told": told}, indent=2))
    if args.keep is None:
        shutil.rmtree(dest, ignore_errors=True)
    return 0 if told["status"] != "kept" else 1


if __name__ == "__main__":
    sys.exit(main())
